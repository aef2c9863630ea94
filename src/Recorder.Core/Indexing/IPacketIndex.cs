using Recorder.Core.Query;

namespace Recorder.Core.Indexing;

/// <summary>What the index's catalog records about a sealed segment.</summary>
/// <param name="SegmentId">The segment's id.</param>
/// <param name="FirstNanoseconds">Earliest packet time.</param>
/// <param name="LastNanoseconds">Latest packet time.</param>
/// <param name="Packets">Packets in the segment.</param>
/// <param name="FileBytes">Size of the segment file.</param>
/// <param name="ManifestSha256">SHA-256 of the segment's manifest, tying the entry to one sealed file.</param>
public sealed record IndexedSegment(long SegmentId, long FirstNanoseconds, long LastNanoseconds, long Packets, long FileBytes, string ManifestSha256);

/// <summary>The block offsets in one segment that may match a query, ascending.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Positions">Ascending offsets of candidate packet blocks.</param>
/// <param name="Packets">Packets the matching flows hold (an upper bound of the answer).</param>
public sealed record SegmentCandidates(long SegmentId, IReadOnlyList<long> Positions, long Packets);

/// <summary>
/// Read access to the packet index: a catalog of indexed segments and candidate lookup by host,
/// port and protocol. The index is derived entirely from the segments; every candidate it returns is
/// checked again against the packet itself, so the index may over-approximate but never decides alone.
/// </summary>
public interface IPacketIndex : IDisposable
{
    /// <summary>Every indexed segment.</summary>
    IReadOnlyList<IndexedSegment> Segments();

    /// <summary>
    /// For a query with host, port or protocol conditions, the candidate positions in each of the
    /// given segments that holds any (segments with no match are left out).
    /// </summary>
    IReadOnlyList<SegmentCandidates> FindCandidates(PacketQuery query, IReadOnlySet<long> segmentIds);

    /// <summary>The time chunks of a segment (empty when it is not indexed).</summary>
    IReadOnlyList<TimeChunk> Chunks(long segmentId);

    /// <summary>Everything stored for a segment, for verification; null when it is not indexed.</summary>
    SegmentIndexData? Read(long segmentId);

    /// <summary>Bytes the index occupies on disk.</summary>
    long SizeOnDisk();

    /// <summary>For a long-lived reader: catches up with what writers committed since it was opened.</summary>
    void Refresh();
}

/// <summary>Write access to the index, held by one process at a time.</summary>
public interface IPacketIndexWriter : IPacketIndex
{
    /// <summary>
    /// Adds (or replaces) a segment's entries atomically, reading its flows once, one at a time, in
    /// the order given (so they need not all be in memory).
    /// </summary>
    void Add(IndexedSegment segment, ISegmentIndexSource data);

    /// <summary>Removes a segment's entries.</summary>
    void Remove(long segmentId);

    /// <summary>Makes the writes durable and compacts where useful.</summary>
    void Flush();
}
