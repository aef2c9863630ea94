using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;

namespace Recorder.Application.Packaging;

/// <summary>
/// A transferred file to package, as its <c>files.extracted</c> entry recorded it
/// (<c>recorder files extract</c>, docs/ledger-actions.md): where the file and its sidecar were
/// written and their SHA-256, the file's other hashes, size, type, protocol, direction, and the
/// segment and session whose packets held it. As for queries, the ledger and not the caller is the
/// source of every fact the package states about it.
/// </summary>
internal sealed record PackagedFileExtraction(
    string Id,
    LedgerEntry Entry,
    string FilePath,
    string SidecarPath,
    string Sha256,
    string SidecarSha256,
    long Size,
    string Type,
    string Protocol,
    string Direction,
    long SegmentId,
    long SessionId)
{
    /// <summary>When the file was extracted (its entry's time).</summary>
    public Timestamp ExtractedAt => Entry.Time;

    /// <summary>Who extracted it, <c>name@host</c>.</summary>
    public string Extractor => $"{Entry.Actor.Name}@{Entry.Actor.Host}";

    /// <summary>Why it was extracted.</summary>
    public string Reason => Entry.Reason ?? string.Empty;

    /// <summary>Finds extraction <paramref name="id"/> in <paramref name="entries"/>, for a package of case <paramref name="caseId"/>.</summary>
    /// <exception cref="PackageException">It is not in the ledger, is for another case, or its outputs are not where the entry says.</exception>
    public static PackagedFileExtraction Find(IReadOnlyList<LedgerEntry> entries, string id, string caseId)
    {
        var entry = entries.LastOrDefault(e => e.Action == LedgerActions.FilesExtracted && StrictJson.Text(e.Subjects["extractionId"]) == id)
            ?? throw new PackageException($"file extraction {id}: not in the ledger (name the extractionId `recorder files extract` printed)") { FileExtractionId = id };
        if (entry.Case != caseId)
        {
            throw new PackageException($"file extraction {id} was made for case {entry.Case ?? "(none)"}, the package is for case {caseId}: a package holds one case")
            {
                FileExtractionId = id,
            };
        }

        var details = entry.Details;
        var directory = StrictJson.Text(details["directory"])
            ?? throw new PackageException($"file extraction {id}: its entry (ledger entry {entry.Seq}) does not record the folder it was written to " +
                "(extracted before packages could carry files): extract the file again to package it");
        var outputs = details["outputs"] as System.Text.Json.Nodes.JsonArray;
        var names = outputs?.Select(StrictJson.Text).ToList() ?? [];
        if (names is not [{ } fileName, { } sidecarName] || names.Any(n => n != Path.GetFileName(n) || n is "." or ".."))
        {
            throw new PackageException($"file extraction {id}: its entry (ledger entry {entry.Seq}) does not name the file and the sidecar it wrote");
        }

        var filePath = Path.Combine(directory, fileName);
        var sidecarPath = Path.Combine(directory, sidecarName);
        foreach (var path in new[] { filePath, sidecarPath })
        {
            if (!File.Exists(path))
            {
                throw new PackageException($"file extraction {id}: {path} is no longer there (the ledger holds its hash: extract the file again or restore it)");
            }
        }

        return new PackagedFileExtraction(
            id,
            entry,
            filePath,
            sidecarPath,
            Recorded(entry, id, "file"),
            Recorded(entry, id, "sidecar"),
            StrictJson.Integer(details["size"]) ?? throw Missing(id, entry, "details.size"),
            StrictJson.Text(details["type"]) ?? throw Missing(id, entry, "details.type"),
            StrictJson.Text(details["protocol"]) ?? throw Missing(id, entry, "details.protocol"),
            StrictJson.Text(details["direction"]) ?? throw Missing(id, entry, "details.direction"),
            StrictJson.Integer(details["segmentId"]) ?? throw Missing(id, entry, "details.segmentId"),
            StrictJson.Integer(details["sessionId"]) ?? throw Missing(id, entry, "details.sessionId"));
    }

    private static string Recorded(LedgerEntry entry, string id, string name) =>
        entry.Hashes.TryGetValue(name, out var sha) ? sha : throw Missing(id, entry, $"hashes.{name}");

    private static PackageException Missing(string id, LedgerEntry entry, string field) =>
        new($"file extraction {id}: its entry (ledger entry {entry.Seq}) has no {field}");
}
