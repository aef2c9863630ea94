namespace Recorder.Core.Indexing;

/// <summary>
/// A segment's finished index data as the index writer consumes it: the time chunks, and the flows
/// read one at a time in <see cref="FlowKeyOrder"/>, so a segment's flows need never all be in memory
/// at once (they may come from a file, see <see cref="SegmentIndexFile"/>).
/// </summary>
public interface ISegmentIndexSource
{
    /// <summary>The time chunks, in file order.</summary>
    IReadOnlyList<TimeChunk> Chunks { get; }

    /// <summary>The flows, each key once, in <see cref="FlowKeyOrder"/>. May be enumerated more than once.</summary>
    IEnumerable<FlowEntry> ReadFlows();
}
