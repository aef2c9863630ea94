namespace Recorder.Storage.Segments;

/// <summary>A sealed segment: its manifest, the manifest's exact bytes and hash, and its files.</summary>
/// <param name="Manifest">The parsed manifest.</param>
/// <param name="ManifestBytes">The exact signed bytes.</param>
/// <param name="ManifestSha256">SHA-256 of <paramref name="ManifestBytes"/>.</param>
/// <param name="Path">The segment file.</param>
/// <param name="ManifestPath">The manifest file.</param>
/// <param name="SignaturePath">The signature file.</param>
public sealed record SealedSegment(
    SegmentManifest Manifest,
    byte[] ManifestBytes,
    string ManifestSha256,
    string Path,
    string ManifestPath,
    string SignaturePath)
{
    /// <summary>The segment id.</summary>
    public long Id => Manifest.SegmentId;
}
