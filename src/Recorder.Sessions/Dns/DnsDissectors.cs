using System.Buffers.Binary;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Dns;

/// <summary>Claims UDP sessions whose datagram is DNS by content (<see cref="DnsParser.LooksLikeDns"/>), whatever the port.</summary>
public sealed class DnsDatagramDissectorFactory : IDatagramDissectorFactory
{
    /// <inheritdoc />
    public string Application => DnsParser.ApplicationName;

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> payload) => DnsParser.LooksLikeDns(payload);

    /// <inheritdoc />
    public IDatagramDissector Create(SessionRecord session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var metadata = new DnsSessionMetadata();
        session.Metadata = metadata;
        return new DnsDatagramDissector(metadata);
    }

    private sealed class DnsDatagramDissector(DnsSessionMetadata metadata) : IDatagramDissector
    {
        public void OnDatagram(bool fromClient, ReadOnlySpan<byte> payload, long timestampNanoseconds) =>
            DnsStreamDissector.Keep(metadata, DnsParser.Parse(payload, fromClient, timestampNanoseconds));

        public void OnEnd()
        {
        }
    }
}

/// <summary>
/// Claims TCP sessions whose first message is DNS framed by its two-octet length (RFC 1035 §4.2.2,
/// RFC 7766), whatever the port.
/// </summary>
public sealed class DnsStreamDissectorFactory : IStreamDissectorFactory
{
    /// <inheritdoc />
    public string Application => DnsParser.ApplicationName;

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes)
    {
        if (firstBytes.Length < 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(firstBytes);
        return firstBytes.Length >= 2 + length && DnsParser.LooksLikeDns(firstBytes.Slice(2, length));
    }

    /// <inheritdoc />
    public IStreamDissector Create(SessionRecord session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var metadata = new DnsSessionMetadata();
        session.Metadata = metadata;
        return new DnsStreamDissector(metadata);
    }
}

/// <summary>
/// Frames each direction of a DNS-over-TCP stream by the length prefix and parses every message.
/// A gap loses the framing of that direction: what follows is counted as unparsed.
/// </summary>
internal sealed class DnsStreamDissector(DnsSessionMetadata metadata) : IStreamDissector
{
    private readonly Direction client = new();
    private readonly Direction server = new();

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        var direction = fromClient ? client : server;
        if (direction.Lost)
        {
            metadata.UnparsedBytes += data.Length;
            return;
        }

        if (direction.Length == 0)
        {
            direction.Timestamp = timestampNanoseconds;
        }

        while (!data.IsEmpty)
        {
            var need = direction.Length < 2 ? 2 : 2 + BinaryPrimitives.ReadUInt16BigEndian(direction.Buffer);
            if (need > direction.Buffer.Length)
            {
                Array.Resize(ref direction.Buffer, need);
            }

            var take = Math.Min(need - direction.Length, data.Length);
            data[..take].CopyTo(direction.Buffer.AsSpan(direction.Length));
            direction.Length += take;
            data = data[take..];
            if (direction.Length == need && need > 2)
            {
                Keep(metadata, DnsParser.Parse(direction.Buffer.AsSpan(2, need - 2), fromClient, direction.Timestamp));
                direction.Length = 0;
                direction.Timestamp = timestampNanoseconds;
            }
            else if (direction.Length == 2 && need == 2 && BinaryPrimitives.ReadUInt16BigEndian(direction.Buffer) == 0)
            {
                direction.Length = 0;
            }
        }
    }

    public void OnGap(bool fromClient, long missingBytes)
    {
        var direction = fromClient ? client : server;
        if (direction.Length > 0)
        {
            Keep(metadata, DnsParser.Parse(direction.Buffer.AsSpan(2, Math.Max(0, direction.Length - 2)), fromClient, direction.Timestamp));
        }

        direction.Lost = true;
        direction.Length = 0;
    }

    public void OnEnd()
    {
        foreach (var (direction, fromClient) in new[] { (client, true), (server, false) })
        {
            if (!direction.Lost && direction.Length > 2)
            {
                // A message cut by the end of the connection: parsed as far as it goes, marked malformed.
                Keep(metadata, DnsParser.Parse(direction.Buffer.AsSpan(2, direction.Length - 2), fromClient, direction.Timestamp));
            }
        }
    }

    internal static void Keep(DnsSessionMetadata metadata, DnsMessage message)
    {
        if (metadata.Messages.Count >= DnsSessionMetadata.MaxMessages)
        {
            metadata.DroppedMessages++;
            return;
        }

        metadata.Messages.Add(message);
    }

    private sealed class Direction
    {
        // Grows to the largest message announced (at most 2 + 65535 octets).
        public byte[] Buffer = new byte[514];
        public int Length;
        public long Timestamp;
        public bool Lost;
    }
}
