namespace Recorder.Synthesis.Truth;

/// <summary>A deliberate oddity in the capture and the packets that carry it.</summary>
public sealed record AnomalyTruth
{
    /// <summary>
    /// Stable kind: <c>bad-tcp-checksum</c>, <c>truncated-ip-header</c>, <c>garbage-ip-header</c>,
    /// <c>non-ip-ethertype</c>, <c>arp</c>, <c>ipv4-fragments</c> or <c>ipv6-hop-by-hop</c>.
    /// </summary>
    public required string Kind { get; init; }

    /// <summary>What exactly is odd.</summary>
    public required string Description { get; init; }

    /// <summary>
    /// Zero-based positions, in file order, of the packets that carry the anomaly (for
    /// <c>bad-tcp-checksum</c>, the one segment with the wrong checksum; its flow's other packets are sound).
    /// </summary>
    public required IReadOnlyList<long> PacketIndexes { get; init; }
}
