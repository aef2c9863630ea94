using Recorder.Core.Time;

namespace Recorder.Reporting.Model;

/// <summary>
/// Counts over the extracted packets, computed by the caller (the renderer never sees packets).
/// Lists may come in any order: the report sorts hosts, ports and protocols by packets, shows the
/// top entries (<see cref="ReportOptions.TopHosts"/>, <see cref="ReportOptions.TopPorts"/>) and sums
/// up the rest in one line.
/// </summary>
public sealed record TrafficSummary
{
    /// <summary>Packets over all evidence files.</summary>
    public required long Packets { get; init; }

    /// <summary>Captured bytes over all packets (sum of captured lengths, without file headers).</summary>
    public required long Bytes { get; init; }

    /// <summary>First packet timestamp; null when there are no packets.</summary>
    public Timestamp? First { get; init; }

    /// <summary>Last packet timestamp; null when there are no packets.</summary>
    public Timestamp? Last { get; init; }

    /// <summary>Per IP address: packets and bytes in which it is the source or the destination.</summary>
    public required IReadOnlyList<HostTraffic> Hosts { get; init; }

    /// <summary>Per transport port: packets and bytes in which it is the source or the destination port.</summary>
    public required IReadOnlyList<PortTraffic> Ports { get; init; }

    /// <summary>Per protocol (for example TCP, UDP, ICMP, ARP, other): packets and bytes.</summary>
    public required IReadOnlyList<ProtocolTraffic> Protocols { get; init; }

    /// <summary>Packets and bytes per time bucket, drawn as the traffic chart.</summary>
    public required TrafficSeries Series { get; init; }
}

/// <summary>Traffic of one host.</summary>
/// <param name="Address">IP address as text.</param>
/// <param name="Packets">Packets with this address as source or destination.</param>
/// <param name="Bytes">Captured bytes of those packets.</param>
public sealed record HostTraffic(string Address, long Packets, long Bytes);

/// <summary>Traffic of one transport port.</summary>
/// <param name="Transport">Transport protocol name, e.g. <c>TCP</c> or <c>UDP</c>.</param>
/// <param name="Port">Port number, 0 to 65535.</param>
/// <param name="Packets">Packets with this port as source or destination.</param>
/// <param name="Bytes">Captured bytes of those packets.</param>
public sealed record PortTraffic(string Transport, int Port, long Packets, long Bytes);

/// <summary>Traffic of one protocol.</summary>
/// <param name="Protocol">Protocol name, e.g. <c>TCP</c>, <c>UDP</c>, <c>ICMPv6</c>, <c>other</c>.</param>
/// <param name="Packets">Packets of this protocol.</param>
/// <param name="Bytes">Captured bytes of those packets.</param>
public sealed record ProtocolTraffic(string Protocol, long Packets, long Bytes);

/// <summary>
/// Packets and bytes per fixed-width time bucket: bucket <c>i</c> covers
/// <c>[Start + i × BucketNanoseconds, Start + (i + 1) × BucketNanoseconds)</c>. Empty buckets are
/// present with zero counts, so the buckets are contiguous.
/// </summary>
/// <param name="Start">Start of the first bucket (UTC).</param>
/// <param name="BucketNanoseconds">Width of every bucket in nanoseconds, greater than zero.</param>
/// <param name="Buckets">The buckets in time order.</param>
public sealed record TrafficSeries(Timestamp Start, long BucketNanoseconds, IReadOnlyList<TrafficBucket> Buckets);

/// <summary>The traffic of one time bucket.</summary>
/// <param name="Packets">Packets whose timestamp falls in the bucket.</param>
/// <param name="Bytes">Their captured bytes.</param>
public sealed record TrafficBucket(long Packets, long Bytes);
