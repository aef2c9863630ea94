using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;

namespace Recorder.Index.Tests;

/// <summary>A directory under the temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recorder-index-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>One packet of a synthetic segment: its flow, where its block starts, when it was captured.</summary>
public readonly record struct TestPacket(FlowKey Flow, long Offset, long Nanoseconds);

/// <summary>A synthetic segment built the way the store builds one, with its packets kept for brute-force answers.</summary>
public sealed record TestSegment(IndexedSegment Segment, SegmentIndexData Data, IReadOnlyList<TestPacket> Packets)
{
    /// <summary>Header bytes before the first packet block (a section header and an interface block).</summary>
    public const long HeaderBytes = 48;

    public static TestSegment Build(long segmentId, IReadOnlyList<(FlowKey Flow, long Nanoseconds, int Length)> packets)
    {
        var builder = new SegmentIndexBuilder();
        var list = new List<TestPacket>(packets.Count);
        var offset = HeaderBytes;
        foreach (var (flow, nanoseconds, length) in packets)
        {
            var size = PcapngBlocks.EnhancedPacketSize(length);
            builder.Add(flow, offset, offset + size, nanoseconds, length);
            list.Add(new TestPacket(flow, offset, nanoseconds));
            offset += size;
        }

        var first = packets.Count == 0 ? 0 : packets.Min(p => p.Nanoseconds);
        var last = packets.Count == 0 ? 0 : packets.Max(p => p.Nanoseconds);
        var segment = new IndexedSegment(segmentId, first, last, packets.Count, offset, $"sha256-of-manifest-{segmentId}");
        return new TestSegment(segment, builder.Build(), list);
    }

    /// <summary>What an index must return for <paramref name="query"/>: positions of packets of matching flows overlapping the window.</summary>
    public long[] FlowLevelAnswer(PacketQuery query)
    {
        var flows = Data.Flows.Where(f => query.MatchesFlow(f.Key) && query.Overlaps(f.FirstNanoseconds, f.LastNanoseconds))
            .Select(f => f.Key).ToHashSet();
        return [.. Packets.Where(p => flows.Contains(p.Flow)).Select(p => p.Offset)];
    }

    /// <summary>The packets that really match, window included.</summary>
    public long[] PacketLevelAnswer(PacketQuery query) =>
        [.. Packets.Where(p => query.MatchesFlow(p.Flow) && query.InWindow(p.Nanoseconds)).Select(p => p.Offset)];
}

/// <summary>Addresses, flow keys and queries for tests.</summary>
public static class Net
{
    public static UInt128 V4(string text) => IpAddress128.From(System.Net.IPAddress.Parse(text));

    public static UInt128 V6(string text) => IpAddress128.From(System.Net.IPAddress.Parse(text));

    public static FlowKey Tcp4(string a, ushort portA, string b, ushort portB) => Ports(NetworkKind.IPv4, Protocols.Tcp, V4(a), portA, V4(b), portB);

    public static FlowKey Udp4(string a, ushort portA, string b, ushort portB) => Ports(NetworkKind.IPv4, Protocols.Udp, V4(a), portA, V4(b), portB);

    public static FlowKey Tcp6(string a, ushort portA, string b, ushort portB) => Ports(NetworkKind.IPv6, Protocols.Tcp, V6(a), portA, V6(b), portB);

    public static FlowKey Icmp4(string a, string b) => NoPorts(NetworkKind.IPv4, Protocols.Icmp, V4(a), V4(b));

    public static FlowKey Icmp6(string a, string b) => NoPorts(NetworkKind.IPv6, Protocols.Icmp6, V6(a), V6(b));

    public static FlowKey Arp(string a, string b) => NoPorts(NetworkKind.Arp, 0, V4(a), V4(b));

    public static FlowKey Ports(NetworkKind kind, byte protocol, UInt128 a, ushort portA, UInt128 b, ushort portB) =>
        a < b || (a == b && portA <= portB)
            ? new FlowKey(kind, protocol, true, a, portA, b, portB)
            : new FlowKey(kind, protocol, true, b, portB, a, portA);

    public static FlowKey NoPorts(NetworkKind kind, byte protocol, UInt128 a, UInt128 b) =>
        a <= b ? new FlowKey(kind, protocol, false, a, 0, b, 0) : new FlowKey(kind, protocol, false, b, 0, a, 0);

    /// <summary>
    /// An address or CIDR block, built directly (not with <see cref="IpNetwork.TryParse"/>, so these
    /// tests depend on the index alone).
    /// </summary>
    public static IpNetwork Network(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = System.Net.IPAddress.Parse(slash < 0 ? text : text[..slash]);
        var isV4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var bits = isV4 ? 32 : 128;
        var prefix = slash < 0 ? bits : int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var hostBits = bits - prefix;
        var mask = hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        var first = IpAddress128.From(address) & ~mask;
        return new IpNetwork(first, first | mask, isV4, prefix);
    }

    public static HashSet<long> Ids(params long[] ids) => [.. ids];
}
