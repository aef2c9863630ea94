using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Application.Packaging;

/// <summary>A source segment of a package, re-checked when the package was built.</summary>
/// <param name="Segment">The segment as sealed.</param>
/// <param name="RecomputedSha256">SHA-256 of its file, computed again while building (equal to the sealed one).</param>
internal sealed record CheckedSegment(SealedSegment Segment, string RecomputedSha256)
{
    /// <summary>What the report prints as the segment's check.</summary>
    public const string Status = "valid Ed25519 signature; file SHA-256 re-computed while packaging and equal";

    /// <summary>The segment's <c>segments[]</c> entry in the package manifest.</summary>
    public ManifestSourceSegment ToManifest() => new(Segment.Id, Segment.Manifest.FirstTimestamp, Segment.Manifest.LastTimestamp, Segment.Manifest.Packets,
        Segment.Manifest.Sha256, Segment.ManifestSha256, StrictJson.Text(Segment.Manifest.Origin["kind"]), SignatureVerified: true, RecomputedSha256);
}

/// <summary>
/// The sealed segments a package's evidence was extracted from, each re-checked in full before it is
/// named as a source: its manifest signature verified with the store key and its whole file
/// re-hashed against the sealed SHA-256. A package certifies where its evidence came from, so a
/// source that is no longer as sealed refuses the package, naming the segment.
/// </summary>
internal static class SourceSegments
{
    /// <summary>Loads and re-checks segments <paramref name="ids"/>.</summary>
    /// <exception cref="PackageException">A segment is missing, its signature does not verify or its file changed.</exception>
    public static IReadOnlyList<CheckedSegment> Recheck(EvidenceStore store, IEnumerable<long> ids) =>
        ids.Select(id => Recheck(store, id)).ToList();

    private static CheckedSegment Recheck(EvidenceStore store, long id)
    {
        var segment = store.TryLoadSegment(id)
            ?? throw new PackageException($"segment {id}, named by an extraction, is not in the store or its manifest is unreadable (run recorder verify)");
        var signature = File.Exists(segment.SignaturePath) ? File.ReadAllBytes(segment.SignaturePath) : [];
        if (!store.Key.Verify(segment.ManifestBytes, signature))
        {
            throw new PackageException($"segment {id}: its manifest signature does not verify with the store key: it is not the segment that was sealed (run recorder verify)");
        }

        string sha;
        try
        {
            using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            sha = Hex.Lower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PackageException($"segment {id}: {store.Layout.Relative(segment.Path)} cannot be read to re-hash it: {e.Message}", e);
        }

        return sha == segment.Manifest.Sha256
            ? new CheckedSegment(segment, sha)
            : throw new PackageException($"segment {id}: {store.Layout.Relative(segment.Path)} has SHA-256 {sha}, it was sealed with {segment.Manifest.Sha256}: " +
                "the source changed since it was sealed (run recorder verify)");
    }
}
