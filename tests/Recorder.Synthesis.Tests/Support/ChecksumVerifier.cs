using System.Buffers.Binary;
using Recorder.Core.Formats;
using Recorder.Core.Packets;

namespace Recorder.Synthesis.Tests.Support;

/// <summary>A checksum that does not verify, and where.</summary>
public sealed record ChecksumFinding(long PacketIndex, string What);

/// <summary>How many checksums of each kind were verified, and which failed.</summary>
public sealed record ChecksumReport(IReadOnlyList<ChecksumFinding> Failures, IReadOnlyDictionary<string, long> Verified);

/// <summary>
/// Verifies every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum in a capture (RFC 1071 sums,
/// written here independently of the synthesizer), reassembling IPv4 fragments to check the UDP
/// checksum of a fragmented datagram.
/// </summary>
public static class ChecksumVerifier
{
    public static ChecksumReport Verify(string path)
    {
        var failures = new List<ChecksumFinding>();
        var verified = new Dictionary<string, long>();
        var fragments = new Dictionary<(uint, uint, ushort, byte), List<(int Offset, byte[] Data, bool More)>>();
        using var reader = CaptureFileReader.Open(path);
        long index = 0;
        while (reader.TryRead(out var packet))
        {
            var frame = packet.Data;
            var network = NetworkLayer(packet.LinkType, frame, out var etherType);
            if (etherType == 0x0800 && network.Length >= 20 && network[0] >> 4 == 4)
            {
                CheckIPv4(index, network, failures, verified, fragments);
            }
            else if (etherType == 0x86DD && network.Length >= 40 && network[0] >> 4 == 6)
            {
                CheckIPv6(index, network, failures, verified);
            }

            index++;
        }

        return new ChecksumReport(failures, verified);
    }

    private static ReadOnlySpan<byte> NetworkLayer(int linkType, ReadOnlySpan<byte> frame, out ushort etherType)
    {
        etherType = 0;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
            {
                if (frame.Length < 14)
                {
                    return [];
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                var offset = 14;
                while (etherType is 0x8100 or 0x88A8 && frame.Length >= offset + 4)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                    offset += 4;
                }

                return frame[offset..];
            }

            case LinkTypes.LinuxSll:
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                return frame[16..];
            case LinkTypes.Raw:
                etherType = frame[0] >> 4 == 6 ? (ushort)0x86DD : (ushort)0x0800;
                return frame;
            default:
                return [];
        }
    }

    private static void CheckIPv4(long index, ReadOnlySpan<byte> ip, List<ChecksumFinding> failures, Dictionary<string, long> verified,
        Dictionary<(uint, uint, ushort, byte), List<(int Offset, byte[] Data, bool More)>> fragments)
    {
        var headerLength = (ip[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        Tally(verified, "ipv4-header");
        if (Sum(ip[..headerLength]) != 0xFFFF)
        {
            failures.Add(new ChecksumFinding(index, "IPv4 header"));
        }

        var protocol = ip[9];
        var source = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        var destination = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        var more = (flags & 0x2000) != 0;
        var fragmentOffset = (flags & 0x1FFF) * 8;
        var payload = ip[headerLength..totalLength];
        if (more || fragmentOffset != 0)
        {
            var key = (source, destination, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]), protocol);
            if (!fragments.TryGetValue(key, out var parts))
            {
                fragments[key] = parts = [];
            }

            parts.Add((fragmentOffset, payload.ToArray(), more));
            var ordered = parts.OrderBy(p => p.Offset).ToList();
            var contiguous = ordered[0].Offset == 0 && !ordered[^1].More;
            for (var i = 1; i < ordered.Count && contiguous; i++)
            {
                contiguous = ordered[i].Offset == ordered[i - 1].Offset + ordered[i - 1].Data.Length;
            }

            if (!contiguous)
            {
                return;
            }

            payload = ordered.SelectMany(p => p.Data).ToArray();
            fragments.Remove(key);
            Tally(verified, "reassembled");
        }

        var pseudo = (ulong)(source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (ulong)payload.Length;
        CheckTransport(index, protocol, payload, protocol == Protocols.Icmp ? 0 : pseudo, failures, verified);
    }

    private static void CheckIPv6(long index, ReadOnlySpan<byte> ip, List<ChecksumFinding> failures, Dictionary<string, long> verified)
    {
        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        var next = ip[6];
        var offset = 40;
        while (next is 0 or 43 or 60)
        {
            next = ip[offset];
            offset += (ip[offset + 1] + 1) * 8;
            Tally(verified, "ipv6-extension-walked");
        }

        var upper = ip[offset..(40 + payloadLength)];
        ulong pseudo = 0;
        for (var i = 8; i < 40; i += 2)
        {
            pseudo += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        }

        pseudo += (ulong)upper.Length + next;
        CheckTransport(index, next, upper, pseudo, failures, verified);
    }

    private static void CheckTransport(long index, byte protocol, ReadOnlySpan<byte> segment, ulong pseudo,
        List<ChecksumFinding> failures, Dictionary<string, long> verified)
    {
        string name;
        switch (protocol)
        {
            case Protocols.Tcp:
                name = "tcp";
                break;
            case Protocols.Udp:
                name = "udp";
                if (BinaryPrimitives.ReadUInt16BigEndian(segment[6..]) == 0)
                {
                    failures.Add(new ChecksumFinding(index, "UDP checksum absent"));
                    return;
                }

                break;
            case Protocols.Icmp:
                name = "icmp";
                break;
            case Protocols.Icmp6:
                name = "icmp6";
                break;
            default:
                return;
        }

        Tally(verified, name);
        if (Sum(segment, pseudo) != 0xFFFF)
        {
            failures.Add(new ChecksumFinding(index, name));
        }
    }

    /// <summary>RFC 1071 ones' complement sum of big-endian 16-bit words, folded to 16 bits.</summary>
    private static uint Sum(ReadOnlySpan<byte> data, ulong initial = 0)
    {
        var sum = initial;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (uint)sum;
    }

    private static void Tally(Dictionary<string, long> verified, string name) =>
        verified[name] = verified.GetValueOrDefault(name) + 1;
}
