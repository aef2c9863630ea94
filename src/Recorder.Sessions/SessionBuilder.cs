using Recorder.Core.Packets;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions;

/// <summary>
/// Turns packets into session records: one session per conversation, TCP reassembled per direction
/// and handed with UDP datagrams to the dissector whose factory claimed the payload. Single
/// threaded: call <see cref="Add"/> from one thread. Records go to the sink given at construction
/// as sessions end (FIN/RST and the close delay, idle timeout, eviction at
/// <see cref="SessionOptions.MaxSessions"/>, <see cref="Complete"/>). Malformed packets and
/// dissector failures never throw to the caller; they are counted.
/// </summary>
public sealed class SessionBuilder
{
    /// <summary>The application name of sessions with payload that no factory claimed.</summary>
    public const string UnknownApplication = "unknown";

    private const long SweepIntervalNanoseconds = 1_000_000_000;

    private readonly Action<SessionRecord> sink;
    private readonly Dictionary<SessionKey, Session> table = [];
    private readonly SessionList tcpList;
    private readonly SessionList udpList;
    private readonly SessionList otherList;
    private readonly SessionList closingList;
    private readonly IExpectedConnectionFactory[] expectedFactories;
    private long nextId;
    private long lastSweep;
    private bool swept;

    /// <summary>A builder with the given limits, record sink and dissector factories (asked in order).</summary>
    public SessionBuilder(SessionOptions options, Action<SessionRecord> sink,
        IReadOnlyList<IStreamDissectorFactory>? streamFactories = null,
        IReadOnlyList<IDatagramDissectorFactory>? datagramFactories = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        options.Validate();
        Options = options;
        this.sink = sink;
        StreamFactories = streamFactories ?? [];
        DatagramFactories = datagramFactories ?? [];
        expectedFactories = [.. StreamFactories.OfType<IExpectedConnectionFactory>()];
        tcpList = new SessionList(Nanoseconds(options.TcpIdleTimeout));
        udpList = new SessionList(Nanoseconds(options.UdpIdleTimeout));
        otherList = new SessionList(Nanoseconds(options.OtherIdleTimeout));
        closingList = new SessionList(Nanoseconds(options.TcpCloseDelay));
    }

    /// <summary>The options in force.</summary>
    public SessionOptions Options { get; }

    /// <summary>Counters of what was seen, emitted, evicted and not sessionised.</summary>
    public SessionStatistics Statistics { get; } = new();

    /// <summary>Sessions currently held.</summary>
    public int ActiveSessions => table.Count;

    internal IReadOnlyList<IStreamDissectorFactory> StreamFactories { get; }

    internal IReadOnlyList<IDatagramDissectorFactory> DatagramFactories { get; }

    /// <summary>
    /// Adds one captured frame. <paramref name="segment"/> is the caller's opaque id of where the
    /// packet is stored (recorded in <see cref="SessionRecord.Segments"/>); <paramref name="originalLength"/>
    /// is the length on the wire (the frame's length when negative).
    /// </summary>
    public void Add(int linkType, ReadOnlySpan<byte> frame, long timestampNanoseconds, long segment, int originalLength = -1)
    {
        Statistics.Packets++;
        if (!swept || timestampNanoseconds < lastSweep || timestampNanoseconds - lastSweep >= SweepIntervalNanoseconds)
        {
            Sweep(timestampNanoseconds);
        }

        if (!PacketView.TryParse(linkType, frame, out var packet))
        {
            Statistics.NotIp++;
            return;
        }

        if (packet.IsLaterFragment)
        {
            Statistics.LaterFragments++;
            return;
        }

        var key = SessionKey.From(packet);
        var isTcp = packet.Protocol == Protocols.Tcp && packet.HasPorts;
        var isNewSyn = isTcp && (packet.TcpFlags & (TcpConnectionState.Syn | TcpConnectionState.AckFlag)) == TcpConnectionState.Syn;
        if (table.TryGetValue(key, out var session) && isNewSyn && session.TcpFinished)
        {
            // The 5-tuple is reused by a new connection: the old one ends here.
            session.List?.Remove(session);
            table.Remove(key);
            Emit(session, SessionEndReason.PortReused);
            session = null;
        }

        if (session is null)
        {
            if (table.Count >= Options.MaxSessions)
            {
                EvictOldest();
            }

            session = NewSession(key, linkType, packet, isTcp, timestampNanoseconds);
            table.Add(key, session);
            if (isTcp && expectedFactories.Length > 0)
            {
                ClaimExpected(session);
            }
        }

        var record = session.Record;
        var fromClient = packet.Source == record.Client.Address && (!packet.HasPorts || packet.SourcePort == record.Client.Port);
        var wire = originalLength >= 0 ? originalLength : frame.Length;
        record.LastNanoseconds = Math.Max(record.LastNanoseconds, timestampNanoseconds);
        if (record.segments.Count == 0 || record.segments[^1] != segment)
        {
            record.segments.Add(segment);
        }

        if (fromClient)
        {
            record.ClientPackets++;
            record.ClientBytes += wire;
            record.ClientPayloadBytes += packet.Payload.Length;
            record.ClientTcpFlags |= packet.TcpFlags;
        }
        else
        {
            record.ServerPackets++;
            record.ServerBytes += wire;
            record.ServerPayloadBytes += packet.Payload.Length;
            record.ServerTcpFlags |= packet.TcpFlags;
        }

        if (isTcp)
        {
            session.ObserveTcp(fromClient, packet, timestampNanoseconds);
            (session.TcpFinished ? closingList : tcpList).MoveToTail(session);
        }
        else if (packet.HasPorts && packet.Protocol is Protocols.Udp or Protocols.UdpLite)
        {
            session.ObserveUdp(fromClient, packet.Payload, timestampNanoseconds);
            udpList.MoveToTail(session);
        }
        else
        {
            otherList.MoveToTail(session);
        }
    }

    /// <summary>Ends every session held (reason <see cref="SessionEndReason.EndOfInput"/>) and emits them in order of first packet.</summary>
    public void Complete()
    {
        var remaining = new List<Session>(table.Values);
        remaining.Sort((a, b) => a.Record.Id.CompareTo(b.Record.Id));
        table.Clear();
        foreach (var session in remaining)
        {
            session.List?.Remove(session);
            Emit(session, SessionEndReason.EndOfInput);
        }
    }

    internal bool SafeClaim(IStreamDissectorFactory factory, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server)
    {
        try
        {
            return factory.Claims(client, server);
        }
        catch (Exception)
        {
            Statistics.DissectorFailures++;
            return false;
        }
    }

    internal bool SafeClaim(IDatagramDissectorFactory factory, bool fromClient, ReadOnlySpan<byte> payload)
    {
        try
        {
            return factory.Claims(fromClient, payload);
        }
        catch (Exception)
        {
            Statistics.DissectorFailures++;
            return false;
        }
    }

    internal IStreamDissector? SafeCreate(IStreamDissectorFactory factory, SessionRecord record)
    {
        try
        {
            return factory.Create(record);
        }
        catch (Exception e)
        {
            Statistics.DissectorFailures++;
            record.DissectorFailure ??= $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    internal IDatagramDissector? SafeCreate(IDatagramDissectorFactory factory, SessionRecord record)
    {
        try
        {
            return factory.Create(record);
        }
        catch (Exception e)
        {
            Statistics.DissectorFailures++;
            record.DissectorFailure ??= $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    internal void CountDissectorFailure() => Statistics.DissectorFailures++;

    private void ClaimExpected(Session session)
    {
        foreach (var factory in expectedFactories)
        {
            IStreamDissector? dissector;
            string application;
            try
            {
                dissector = factory.ClaimExpected(session.Record, out application);
            }
            catch (Exception e)
            {
                Statistics.DissectorFailures++;
                session.Record.DissectorFailure ??= $"{e.GetType().Name}: {e.Message}";
                return;
            }

            if (dissector is not null)
            {
                session.StartDissecting(dissector, application);
                return;
            }
        }
    }

    private Session NewSession(SessionKey key, int linkType, in PacketView packet, bool isTcp, long timestamp)
    {
        var source = new SessionEndpoint(packet.Source, packet.HasPorts ? packet.SourcePort : (ushort)0);
        var destination = new SessionEndpoint(packet.Destination, packet.HasPorts ? packet.DestinationPort : (ushort)0);
        // A SYN-ACK first (the SYN was not captured): its receiver opened the connection.
        var synAck = isTcp && (packet.TcpFlags & (TcpConnectionState.Syn | TcpConnectionState.AckFlag)) == (TcpConnectionState.Syn | TcpConnectionState.AckFlag);
        var record = new SessionRecord
        {
            Id = nextId++,
            Network = packet.Kind,
            Protocol = packet.Protocol,
            Client = synAck ? destination : source,
            Server = synAck ? source : destination,
            // VLAN 0 (priority tag only) is recorded as untagged.
            Vlan = packet.Vlan == 0 ? null : packet.Vlan,
            LinkType = linkType,
            FirstNanoseconds = timestamp,
            LastNanoseconds = timestamp,
        };
        return new Session(this, key, record);
    }

    private void Sweep(long now)
    {
        lastSweep = now;
        swept = true;
        foreach (var list in (ReadOnlySpan<SessionList>)[closingList, tcpList, udpList, otherList])
        {
            while (list.Head is { } head && now - head.LastSeen > list.TimeoutNanoseconds)
            {
                list.Remove(head);
                table.Remove(head.Key);
                Emit(head, list == closingList ? SessionEndReason.Closed : SessionEndReason.IdleTimeout);
            }
        }
    }

    private void EvictOldest()
    {
        Session? oldest = null;
        foreach (var list in (ReadOnlySpan<SessionList>)[closingList, tcpList, udpList, otherList])
        {
            if (list.Head is { } head && (oldest is null || head.LastSeen < oldest.LastSeen))
            {
                oldest = head;
            }
        }

        if (oldest is null)
        {
            return;
        }

        oldest.List?.Remove(oldest);
        table.Remove(oldest.Key);
        Statistics.Evicted++;
        Emit(oldest, SessionEndReason.Evicted);
    }

    private void Emit(Session session, SessionEndReason reason)
    {
        session.Finish(reason);
        Statistics.Sessions++;
        sink(session.Record);
    }

    private static long Nanoseconds(TimeSpan span) => span.Ticks * 100;
}
