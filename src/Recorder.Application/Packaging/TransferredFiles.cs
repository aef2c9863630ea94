using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>One extracted transferred file as copied into the package, with its sidecar.</summary>
/// <param name="Extraction">The extraction that wrote it, as the ledger recorded it.</param>
/// <param name="Name">Its path inside the package (<c>files/EXTRACTION-ID/NAME</c>).</param>
/// <param name="SidecarName">Its sidecar's path inside the package.</param>
/// <param name="Hashes">The copy's hashes and size.</param>
internal sealed record PackagedTransferredFile(PackagedFileExtraction Extraction, string Name, string SidecarName, FileHashes Hashes)
{
    /// <summary>Its <c>files[]</c> entry in the package manifest.</summary>
    public ManifestTransferredFile ToManifest() => new(Name, SidecarName, Extraction.Id, Hashes.Size, Extraction.Type, Extraction.Protocol, Extraction.Direction,
        Extraction.SegmentId, Extraction.SessionId, Extraction.ExtractedAt, Extraction.Entry.Seq, Hashes.Sha256, Hashes.Sha1, Hashes.Md5, Extraction.SidecarSha256);

    /// <summary>What the report says of it.</summary>
    public TransferredFileRecord ToReport() => new(Name, Hashes.Size, Extraction.Type, Extraction.Protocol, Extraction.Direction, Extraction.SegmentId,
        Extraction.SessionId, Extraction.Id, Hashes.Sha256, Hashes.Sha1, Hashes.Md5);
}

/// <summary>
/// Copies each extracted transferred file and its JSON sidecar into <c>files/EXTRACTION-ID/</c>
/// byte for byte, and checks both copies against the SHA-256 values the <c>files.extracted</c>
/// entry recorded (and the file's size against the recorded size): a file changed since it was
/// extracted refuses the package. As for the capture files, the copy is what is hashed.
/// </summary>
internal static class TransferredFiles
{
    /// <summary>Copies and checks <paramref name="extractions"/> into <paramref name="work"/>.</summary>
    /// <exception cref="PackageException">A file or sidecar is no longer what the ledger recorded.</exception>
    public static IReadOnlyList<PackagedTransferredFile> Copy(string work, IEnumerable<PackagedFileExtraction> extractions)
    {
        var files = new List<PackagedTransferredFile>();
        foreach (var extraction in extractions)
        {
            // One folder per extraction: two extractions of the same file keep their own copies and sidecars.
            var folder = $"files/{extraction.Id}";
            Directory.CreateDirectory(Path.Combine(work, folder));
            var name = $"{folder}/{Path.GetFileName(extraction.FilePath)}";
            var sidecarName = $"{folder}/{Path.GetFileName(extraction.SidecarPath)}";
            var hashes = CopyChecked(extraction, extraction.FilePath, Path.Combine(work, name), extraction.Sha256);
            CopyChecked(extraction, extraction.SidecarPath, Path.Combine(work, sidecarName), extraction.SidecarSha256);
            if (hashes.Size != extraction.Size)
            {
                throw new PackageException($"file extraction {extraction.Id}: {extraction.FilePath} has {hashes.Size} octet(s), the ledger recorded {extraction.Size}");
            }

            files.Add(new PackagedTransferredFile(extraction, name, sidecarName, hashes));
        }

        return files;
    }

    private static FileHashes CopyChecked(PackagedFileExtraction extraction, string source, string destination, string recordedSha256)
    {
        File.Copy(source, destination);
        var hashes = FileHashes.Of(destination);
        return hashes.Sha256 == recordedSha256
            ? hashes
            : throw new PackageException($"file extraction {extraction.Id}: {source} has SHA-256 {hashes.Sha256}, the ledger recorded {recordedSha256} " +
                "when it was extracted: the file changed since, it cannot be packaged as that extraction");
    }
}
