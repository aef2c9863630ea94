using System.ComponentModel.DataAnnotations;
using Recorder.Core.Indexing;

namespace Recorder.Storage.Store;

/// <summary>
/// Tunables of a store. Defaults suit production; tests use small limits. Validated on start.
/// </summary>
public sealed record StoreOptions
{
    /// <summary>A segment is sealed once it reaches this many bytes (default 4 GiB, as Stenographer's files).</summary>
    [Range(64 * 1024L, 4L * 1024 * 1024 * 1024)]
    public long SegmentMaxBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Keep an imported classic pcap file that fits in one segment byte for byte as that segment
    /// (its SHA-256 is then the original file's). Otherwise imports are re-encoded as pcapng segments.
    /// </summary>
    public bool ImportVerbatim { get; init; } = true;

    /// <summary>
    /// Bytes of index state (flows and their positions) the writer of an open segment holds in
    /// memory; beyond it the state is spilled to files beside the segment and merged when the
    /// segment is finished, so an import's memory does not grow with the segment (default 16 MiB).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long IndexMemoryBytes { get; init; } = SegmentIndexBuilder.DefaultMemoryLimit;

    /// <summary>A segment being captured is sealed once it is this old (default 5 minutes).</summary>
    public TimeSpan SegmentMaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for another process holding a store lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The software name written into segments and manifests.</summary>
    public string Application { get; init; } = "Recorder " + typeof(StoreOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (SegmentMaxBytes < 64 * 1024 || SegmentMaxBytes > 4L * 1024 * 1024 * 1024)
        {
            throw new ArgumentException($"SegmentMaxBytes must be 64 KiB to 4 GiB, not {SegmentMaxBytes}");
        }

        if (IndexMemoryBytes < 1)
        {
            throw new ArgumentException($"IndexMemoryBytes must be positive, not {IndexMemoryBytes}");
        }

        if (SegmentMaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"SegmentMaxAge must be positive, not {SegmentMaxAge}");
        }

        if (LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LockTimeout must be positive, not {LockTimeout}");
        }
    }
}
