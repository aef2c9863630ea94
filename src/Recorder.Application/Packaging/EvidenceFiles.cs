using Recorder.Core.Time;
using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>One query's extraction as copied into the package.</summary>
/// <param name="Query">The query that wrote it.</param>
/// <param name="Name">Its path inside the package (<c>evidence/query-ID.pcap</c>).</param>
/// <param name="File">What the report says of it.</param>
internal sealed record PackagedEvidence(PackagedQuery Query, string Name, EvidenceFile File)
{
    /// <summary>Its <c>evidence[]</c> entry in the package manifest.</summary>
    public ManifestEvidenceFile ToManifest() => new(Name, Query.Id, File.SizeBytes, File.Packets, File.FirstPacket, File.LastPacket, File.LinkTypes,
        File.Sha256, File.Sha1, File.Md5)
    {
        DecryptionSecrets = Query.Secrets,
    };
}

/// <summary>
/// Copies each extraction into <c>evidence/</c> byte for byte and checks the copy against the
/// SHA-256 the ledger recorded when the extraction was written: a package certifies that file, so
/// one changed since refuses the package. The copy, not the original, is hashed and counted, so
/// what the manifest states is what the package holds.
/// </summary>
internal static class EvidenceFiles
{
    /// <summary>Copies and checks the extractions of <paramref name="queries"/> into <paramref name="work"/>, counting their traffic into <paramref name="counter"/>.</summary>
    /// <exception cref="PackageException">An extraction is no longer the file the ledger recorded.</exception>
    public static IReadOnlyList<PackagedEvidence> Copy(string work, IEnumerable<PackagedQuery> queries, TrafficCounter counter)
    {
        Directory.CreateDirectory(Path.Combine(work, "evidence"));
        var files = new List<PackagedEvidence>();
        foreach (var query in queries)
        {
            var name = $"evidence/query-{query.Id}{Path.GetExtension(query.OutputPath)}";
            var destination = Path.Combine(work, name);
            File.Copy(query.OutputPath, destination);
            var hashes = FileHashes.Of(destination);
            if (hashes.Sha256 != query.OutputSha256)
            {
                throw new PackageException($"query {query.Id}: {query.OutputPath} has SHA-256 {hashes.Sha256}, the ledger recorded {query.OutputSha256} " +
                    "when it was written: the file changed since, it cannot be packaged as that extraction");
            }

            var (packets, first, last, linkTypes) = counter.Add(destination);
            files.Add(new PackagedEvidence(query, name, new EvidenceFile(name, hashes.Size, packets, packets == 0 ? null : new Timestamp(first),
                packets == 0 ? null : new Timestamp(last), hashes.Sha256, hashes.Sha1, hashes.Md5, linkTypes)));
        }

        return files;
    }
}
