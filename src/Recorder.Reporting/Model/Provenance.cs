using Recorder.Core.Time;

namespace Recorder.Reporting.Model;

/// <summary>Where the evidence came from: the sealed segments and the captures or imports that made them.</summary>
/// <param name="Segments">The sealed segments the evidence was extracted from, in store order.</param>
/// <param name="Acquisitions">The captures and imports that produced those segments.</param>
public sealed record Provenance(IReadOnlyList<SegmentRecord> Segments, IReadOnlyList<AcquisitionRecord> Acquisitions);

/// <summary>One sealed segment of the evidence store.</summary>
/// <param name="Id">Segment id.</param>
/// <param name="First">Timestamp of its first packet.</param>
/// <param name="Last">Timestamp of its last packet.</param>
/// <param name="Packets">Number of packets in the segment.</param>
/// <param name="Sha256">SHA-256 of the segment file.</param>
/// <param name="ManifestSha256">SHA-256 of the segment's signed manifest.</param>
/// <param name="SignatureStatus">What checking the manifest's Ed25519 signature found, as a short sentence
/// (e.g. <c>Valid Ed25519 signature by the store key</c>); printed as given.</param>
public sealed record SegmentRecord(
    string Id,
    Timestamp First,
    Timestamp Last,
    long Packets,
    string Sha256,
    string ManifestSha256,
    string SignatureStatus);

/// <summary>How packets entered the store.</summary>
public enum AcquisitionKind
{
    /// <summary>Recorded live from a network interface.</summary>
    Capture,

    /// <summary>Imported from existing capture files.</summary>
    Import,
}

/// <summary>One capture or import that produced segments the evidence came from.</summary>
public sealed record AcquisitionRecord
{
    /// <summary>Capture or import.</summary>
    public required AcquisitionKind Kind { get; init; }

    /// <summary>Who ran it (for the CLI: OS user).</summary>
    public required string Actor { get; init; }

    /// <summary>The host it ran on.</summary>
    public required string Host { get; init; }

    /// <summary>When it started (UTC).</summary>
    public required Timestamp StartedAt { get; init; }

    /// <summary>When it ended, if it did.</summary>
    public Timestamp? EndedAt { get; init; }

    /// <summary>Capture interface; null for imports.</summary>
    public string? Interface { get; init; }

    /// <summary>Capture filter (BPF) as given; null or empty when everything was captured.</summary>
    public string? Filter { get; init; }

    /// <summary>Snap length in bytes, when known.</summary>
    public int? SnapLength { get; init; }

    /// <summary>Drop counters of a capture; null for imports.</summary>
    public DropCounters? Drops { get; init; }

    /// <summary>The files an import read, with their hashes; empty for captures.</summary>
    public IReadOnlyList<OriginalFile> OriginalFiles { get; init; } = [];

    /// <summary>Ids of the segments it produced that the evidence came from.</summary>
    public IReadOnlyList<string> SegmentIds { get; init; } = [];

    /// <summary>Anything else recorded, e.g. a truncated last record that was cut; null when nothing.</summary>
    public string? Notes { get; init; }
}

/// <summary>Packets a capture lost, as counted by each layer; null where a layer did not report.</summary>
/// <param name="Kernel">Dropped by the kernel (libpcap <c>ps_drop</c>).</param>
/// <param name="Interface">Dropped by the interface or its driver (libpcap <c>ps_ifdrop</c>).</param>
/// <param name="Recorder">Dropped by Recorder itself (its queue was full).</param>
public sealed record DropCounters(long? Kernel, long? Interface, long? Recorder);

/// <summary>An input file of an import.</summary>
/// <param name="Name">File name as given to the import.</param>
/// <param name="SizeBytes">Size in bytes.</param>
/// <param name="Sha256">SHA-256 of the file as read.</param>
public sealed record OriginalFile(string Name, long SizeBytes, string Sha256);
