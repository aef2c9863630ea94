using Recorder.Core.Packets;

namespace Recorder.Core.Indexing;

/// <summary>
/// One flow of one segment: its key, time span, counts and the byte offsets of its packets'
/// blocks in the segment file, delta-encoded as varints (<see cref="Varint.WriteDeltas"/>).
/// </summary>
/// <param name="Key">The bidirectional flow.</param>
/// <param name="FirstNanoseconds">Earliest packet time.</param>
/// <param name="LastNanoseconds">Latest packet time.</param>
/// <param name="Packets">Packet count.</param>
/// <param name="Bytes">Captured bytes.</param>
/// <param name="Positions">Delta-encoded ascending block offsets.</param>
public sealed record FlowEntry(FlowKey Key, long FirstNanoseconds, long LastNanoseconds, long Packets, long Bytes, byte[] Positions)
{
    /// <summary>True when both entries hold the same values (positions compared by content).</summary>
    public bool SameAs(FlowEntry other) =>
        other is not null && Key == other.Key && FirstNanoseconds == other.FirstNanoseconds && LastNanoseconds == other.LastNanoseconds
        && Packets == other.Packets && Bytes == other.Bytes && Positions.AsSpan().SequenceEqual(other.Positions);
}

/// <summary>
/// A run of consecutive packets of a segment (about one mebibyte): where it starts and the earliest
/// and latest timestamps in it. Time-window queries read only the chunks that overlap the window.
/// </summary>
/// <param name="Offset">Offset of the chunk's first packet block.</param>
/// <param name="EndOffset">Offset just past its last packet block.</param>
/// <param name="MinNanoseconds">Earliest timestamp in the chunk.</param>
/// <param name="MaxNanoseconds">Latest timestamp in the chunk.</param>
/// <param name="Packets">Packets in the chunk.</param>
public readonly record struct TimeChunk(long Offset, long EndOffset, long MinNanoseconds, long MaxNanoseconds, int Packets);

/// <summary>Everything the index holds about one segment, derived from the segment file alone.</summary>
/// <param name="Flows">
/// Flows, each key once: in <see cref="FlowKeyOrder"/> as <see cref="SegmentIndexBuilder"/> makes them;
/// an index written before 2026-12 holds them in order of their first packet.
/// </param>
/// <param name="Chunks">Chunks in file order.</param>
public sealed record SegmentIndexData(IReadOnlyList<FlowEntry> Flows, IReadOnlyList<TimeChunk> Chunks) : ISegmentIndexSource
{
    /// <inheritdoc />
    public IEnumerable<FlowEntry> ReadFlows() => Flows;

    /// <summary>
    /// Compares with another derivation and describes the first few differences. Flows are matched
    /// by key, not by position in the list: indexes written before flows were kept in key order hold
    /// them in order of their first packet, and are as exact.
    /// </summary>
    public IReadOnlyList<string> Differences(SegmentIndexData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        if (Flows.Count != other.Flows.Count)
        {
            differences.Add($"{other.Flows.Count} flows indexed, {Flows.Count} in the segment");
        }

        var mine = Flows.Order(EntryOrder.Instance).ToList();
        var theirs = other.Flows.Order(EntryOrder.Instance).ToList();
        for (var i = 0; i < Math.Min(mine.Count, theirs.Count) && differences.Count < 5; i++)
        {
            if (!mine[i].SameAs(theirs[i]))
            {
                differences.Add($"flow {mine[i].Key}: index has {theirs[i].Packets} packets " +
                    $"{theirs[i].Key}, segment has {mine[i].Packets}");
            }
        }

        if (!Chunks.SequenceEqual(other.Chunks))
        {
            differences.Add($"time chunks differ ({other.Chunks.Count} indexed, {Chunks.Count} in the segment)");
        }

        return differences;
    }
}

/// <summary>Orders flow entries by key (<see cref="FlowKeyOrder"/>).</summary>
internal sealed class EntryOrder : IComparer<FlowEntry>
{
    public static readonly EntryOrder Instance = new();

    public int Compare(FlowEntry? x, FlowEntry? y) =>
        x is null || y is null ? (x is null ? 0 : 1) - (y is null ? 0 : 1) : FlowKeyOrder.CompareKeys(x.Key, y.Key);
}
