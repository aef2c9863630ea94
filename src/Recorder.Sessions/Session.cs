using System.Buffers;
using Recorder.Core.Packets;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions;

/// <summary>
/// The live state of one session in the table: the record being filled, TCP state, the two
/// reassemblers, identification and the dissector. Owned by one <see cref="SessionBuilder"/>.
/// </summary>
internal sealed class Session : IReassemblySink
{
    private readonly SessionBuilder owner;
    private TcpStreamReassembler? clientStream;
    private TcpStreamReassembler? serverStream;
    private IStreamDissector? streamDissector;
    private IDatagramDissector? datagramDissector;
    private Identification identification;
    private byte[]? clientPrefix;
    private byte[]? serverPrefix;
    private int clientPrefixLength;
    private int serverPrefixLength;
    private long clientSkipped;
    private long serverSkipped;
    private bool clientFrozen;
    private bool serverFrozen;
    private bool serverSpokeFirst;
    private int datagramsTried;
    private TcpConnectionState tcp;

    public Session(SessionBuilder owner, SessionKey key, SessionRecord record)
    {
        this.owner = owner;
        Key = key;
        Record = record;
    }

    private enum Identification : byte
    {
        Undecided,
        Dissecting,
        IdentifiedOnly,
        Unknown,
        Failed,
    }

    public SessionKey Key { get; }

    public SessionRecord Record { get; }

    public long LastSeen => Record.LastNanoseconds;

    public SessionList? List { get; set; }

    public Session? Previous { get; set; }

    public Session? Next { get; set; }

    public bool TcpFinished => tcp.IsFinished;

    private SessionOptions Options => owner.Options;

    public void ObserveTcp(bool fromClient, in PacketView packet, long timestamp)
    {
        var flags = packet.TcpFlags;
        tcp.Observe(fromClient, flags, !packet.Payload.IsEmpty);
        if (!WantsStream)
        {
            return;
        }

        var syn = (flags & TcpConnectionState.Syn) != 0;
        var fin = (flags & TcpConnectionState.Fin) != 0;
        if (packet.Payload.IsEmpty && !syn && !fin && (flags & TcpConnectionState.AckFlag) == 0)
        {
            return;
        }

        var own = fromClient ? clientStream ??= NewStream(true) : serverStream ??= NewStream(false);
        if ((flags & TcpConnectionState.AckFlag) != 0)
        {
            (fromClient ? serverStream ??= NewStream(false) : clientStream ??= NewStream(true)).OnPeerAck(packet.Acknowledgement);
        }

        own.OnSegment(packet.Sequence, packet.Payload, syn, fin, timestamp);
    }

    public void ObserveUdp(bool fromClient, ReadOnlySpan<byte> payload, long timestamp)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        if (identification == Identification.Undecided)
        {
            Record.Application = SessionBuilder.UnknownApplication;
            foreach (var factory in owner.DatagramFactories)
            {
                if (owner.SafeClaim(factory, fromClient, payload))
                {
                    Record.Application = factory.Application;
                    datagramDissector = owner.SafeCreate(factory, Record);
                    identification = datagramDissector is null ? Identification.IdentifiedOnly : Identification.Dissecting;
                    break;
                }
            }

            if (identification == Identification.Undecided && ++datagramsTried >= Options.IdentificationDatagrams)
            {
                identification = Identification.Unknown;
            }
        }

        if (datagramDissector is not null)
        {
            try
            {
                datagramDissector.OnDatagram(fromClient, payload, timestamp);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }
    }

    /// <summary>Identified before any payload (an announced connection): every octet goes to <paramref name="dissector"/>.</summary>
    public void StartDissecting(IStreamDissector dissector, string application)
    {
        Record.Application = application;
        streamDissector = dissector;
        identification = Identification.Dissecting;
    }

    /// <summary>Flushes reassembly (gaps included), ends the dissector and fills the derived fields.</summary>
    public void Finish(SessionEndReason reason)
    {
        Record.EndReason = reason;
        if (clientStream is not null || serverStream is not null)
        {
            if (WantsStream)
            {
                clientStream?.Close();
                serverStream?.Close();
            }
            else
            {
                clientStream?.Release();
                serverStream?.Release();
            }

            Record.StartedMidStream = (clientStream?.StartedMidStream ?? false) || (serverStream?.StartedMidStream ?? false);
            Record.Retransmissions = (clientStream?.Retransmissions ?? 0) + (serverStream?.Retransmissions ?? 0);
            Record.OverlapConflicts = (clientStream?.OverlapConflicts ?? 0) + (serverStream?.OverlapConflicts ?? 0);
            Record.ClientMissingBytes = clientStream?.MissingBytes ?? 0;
            Record.ServerMissingBytes = serverStream?.MissingBytes ?? 0;
        }

        ReturnPrefixes();
        try
        {
            streamDissector?.OnEnd();
            datagramDissector?.OnEnd();
        }
        catch (Exception e)
        {
            Fail(e);
        }

        if (Record.Protocol == Protocols.Tcp)
        {
            Record.ConnState = tcp.ConnState(Record.ClientPayloadBytes, Record.ServerPayloadBytes);
            Record.History = tcp.History;
        }
        else if (Record.Protocol is Protocols.Udp or Protocols.UdpLite)
        {
            Record.ConnState = Record.ClientPackets > 0
                ? (Record.ServerPackets > 0 ? "SF" : "S0")
                : (Record.ServerPackets > 0 ? "SHR" : "OTH");
        }
        else
        {
            Record.ConnState = "OTH";
        }
    }

    private bool WantsStream => identification is Identification.Undecided or Identification.Dissecting;

    private TcpStreamReassembler NewStream(bool fromClient) =>
        new(fromClient, this, Options.MaxBufferedBytesPerStream, Options.RetransmissionCheckBytes);

    void IReassemblySink.OnStreamData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        if (identification == Identification.Dissecting)
        {
            Deliver(fromClient, data, timestampNanoseconds);
            return;
        }

        if (identification != Identification.Undecided)
        {
            return;
        }

        Record.Application = SessionBuilder.UnknownApplication;
        if (fromClient ? clientFrozen : serverFrozen)
        {
            AddSkipped(fromClient, data.Length);
            return;
        }

        if (!fromClient && clientPrefixLength == 0)
        {
            serverSpokeFirst = true;
        }

        ref var prefix = ref fromClient ? ref clientPrefix : ref serverPrefix;
        ref var length = ref fromClient ? ref clientPrefixLength : ref serverPrefixLength;
        prefix ??= ArrayPool<byte>.Shared.Rent(Options.IdentificationBytes);
        var take = Math.Min(data.Length, Options.IdentificationBytes - length);
        data[..take].CopyTo(prefix.AsSpan(length));
        length += take;
        var rest = data[take..];
        if (length == Options.IdentificationBytes)
        {
            if (fromClient)
            {
                clientFrozen = true;
            }
            else
            {
                serverFrozen = true;
            }
        }

        if (TryClaim(timestampNanoseconds))
        {
            if (identification == Identification.Dissecting && !rest.IsEmpty)
            {
                Deliver(fromClient, rest, timestampNanoseconds);
            }

            return;
        }

        AddSkipped(fromClient, rest.Length);
        if (length == Options.IdentificationBytes)
        {
            // A full opening no factory recognises: the stream is not reassembled any further.
            identification = Identification.Unknown;
            ReturnPrefixes();
        }
    }

    void IReassemblySink.OnStreamGap(bool fromClient, long missingBytes)
    {
        Record.ContentIncomplete = true;
        if (identification == Identification.Dissecting)
        {
            try
            {
                streamDissector!.OnGap(fromClient, missingBytes);
            }
            catch (Exception e)
            {
                Fail(e);
            }

            return;
        }

        if (identification == Identification.Undecided)
        {
            // The opening is no longer contiguous: identify from what came before the gap.
            if (fromClient)
            {
                clientFrozen = true;
            }
            else
            {
                serverFrozen = true;
            }

            AddSkipped(fromClient, missingBytes);
            if (clientFrozen && serverFrozen)
            {
                identification = Identification.Unknown;
                ReturnPrefixes();
            }
        }
    }

    private void AddSkipped(bool fromClient, long bytes)
    {
        if (fromClient)
        {
            clientSkipped += bytes;
        }
        else
        {
            serverSkipped += bytes;
        }
    }

    private bool TryClaim(long timestamp)
    {
        var client = clientPrefix.AsSpan(0, clientPrefixLength);
        var server = serverPrefix.AsSpan(0, serverPrefixLength);
        foreach (var factory in owner.StreamFactories)
        {
            if (!owner.SafeClaim(factory, client, server))
            {
                continue;
            }

            Record.Application = factory.Application;
            streamDissector = owner.SafeCreate(factory, Record);
            if (streamDissector is null)
            {
                identification = Identification.IdentifiedOnly;
                ReturnPrefixes();
                return true;
            }

            identification = Identification.Dissecting;
            // Replay the openings (the side that spoke first first), then what was skipped as gaps.
            if (serverSpokeFirst)
            {
                Replay(false, server, serverSkipped, timestamp);
                Replay(true, client, clientSkipped, timestamp);
            }
            else
            {
                Replay(true, client, clientSkipped, timestamp);
                Replay(false, server, serverSkipped, timestamp);
            }

            ReturnPrefixes();
            return true;
        }

        return false;
    }

    private void Replay(bool fromClient, ReadOnlySpan<byte> prefix, long skipped, long timestamp)
    {
        if (!prefix.IsEmpty)
        {
            Deliver(fromClient, prefix, timestamp);
        }

        if (skipped > 0 && streamDissector is not null)
        {
            try
            {
                streamDissector.OnGap(fromClient, skipped);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }
    }

    private void Deliver(bool fromClient, ReadOnlySpan<byte> data, long timestamp)
    {
        if (streamDissector is null)
        {
            return;
        }

        try
        {
            streamDissector.OnData(fromClient, data, timestamp);
            if (streamDissector.Finished)
            {
                // Nothing more to read in this stream: its metadata is final, reassembly stops.
                streamDissector.OnEnd();
                streamDissector = null;
                identification = Identification.IdentifiedOnly;
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        Record.DissectorFailure ??= $"{e.GetType().Name}: {e.Message}";
        owner.CountDissectorFailure();
        streamDissector = null;
        datagramDissector = null;
        identification = Identification.Failed;
    }

    private void ReturnPrefixes()
    {
        if (clientPrefix is not null)
        {
            ArrayPool<byte>.Shared.Return(clientPrefix);
            clientPrefix = null;
        }

        if (serverPrefix is not null)
        {
            ArrayPool<byte>.Shared.Return(serverPrefix);
            serverPrefix = null;
        }

        clientPrefixLength = 0;
        serverPrefixLength = 0;
    }
}
