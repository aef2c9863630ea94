using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;

namespace Recorder.Application.Packaging;

/// <summary>
/// A query to package, as the ledger recorded it: its <c>query.submitted</c> entry (case, reason,
/// requester, filter) and its last <c>extraction.written</c> entry (output file and its SHA-256,
/// source segments, completeness). The ledger, not the caller, is the source of every fact a
/// package states about a query.
/// </summary>
internal sealed record PackagedQuery(
    string Id,
    string Case,
    string Reason,
    string Requester,
    JsonObject Filter,
    string Description,
    Timestamp SubmittedAt,
    Timestamp CompletedAt,
    string OutputPath,
    string OutputSha256,
    IReadOnlyList<long> SegmentIds,
    long SubmittedSeq,
    long ExtractionSeq,
    ExtractionCompleteness Completeness)
{
    /// <summary>The TLS decryption secrets the extraction carries, as its entry recorded them (null for entries written before key logs existed).</summary>
    public ManifestSecrets? Secrets { get; init; }

    /// <summary>The query's <c>queries[]</c> entry in the package manifest.</summary>
    public ManifestQuery ToManifest() => new(Id, Filter, Description, Requester, Reason, SubmittedAt, CompletedAt, SubmittedSeq, ExtractionSeq,
        Completeness.Partial, Completeness.LeftOut);

    /// <summary>Finds query <paramref name="id"/> in <paramref name="entries"/>.</summary>
    /// <exception cref="PackageException">It is not in the ledger, has no extraction, or its output file is gone.</exception>
    public static PackagedQuery Find(IReadOnlyList<LedgerEntry> entries, string id)
    {
        var submitted = entries.LastOrDefault(e => e.Action == LedgerActions.QuerySubmitted && StrictJson.Text(e.Subjects["queryId"]) == id)
            ?? throw new PackageException($"query {id}: not in the ledger");
        var extraction = entries.LastOrDefault(e => e.Action == LedgerActions.ExtractionWritten && StrictJson.Text(e.Subjects["queryId"]) == id)
            ?? throw new PackageException($"query {id}: it has no completed extraction in the ledger (still running, cancelled or failed)");
        var output = extraction.Details["output"] ?? throw new PackageException($"query {id}: the extraction entry names no output");
        var path = StrictJson.Text(output["path"]) ?? throw new PackageException($"query {id}: the extraction entry names no output file");
        if (!File.Exists(path))
        {
            throw new PackageException($"query {id}: its output {path} is no longer there (the ledger holds its hash: re-run the query or restore the file)");
        }

        var details = submitted.Details;
        return new PackagedQuery(
            id,
            submitted.Case ?? throw new PackageException($"query {id}: it was not made for a case"),
            submitted.Reason ?? string.Empty,
            $"{submitted.Actor.Name}@{submitted.Actor.Host}",
            details["filter"]?.AsObject() ?? [],
            StrictJson.Text(details["description"]) ?? string.Empty,
            submitted.Time,
            extraction.Time,
            path,
            extraction.Hashes["output"],
            extraction.Subjects["segmentIds"]?.AsArray().Select(n => n!.GetValue<long>()).ToList() ?? [],
            submitted.Seq,
            extraction.Seq,
            ExtractionCompleteness.Of(extraction))
        {
            Secrets = ManifestSecrets.FromLedger(extraction.Details["secrets"]),
        };
    }
}
