using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>
/// The two ledger entries a package build appends, in their order (docs/ledger-actions.md):
/// <see cref="LedgerActions.PackageBuilt"/>, a transfer of custody recorded with the manifest's and
/// every evidence file's SHA-256 before anything is derived from the package, then
/// <see cref="LedgerActions.ReportGenerated"/> with the report's. Both carry the builder, the case
/// and the reason.
/// </summary>
/// <param name="Ledger">The store's ledger.</param>
/// <param name="Actor">Who builds the package.</param>
/// <param name="CaseId">The package's case.</param>
/// <param name="Reason">Why it is built.</param>
internal sealed record PackageLedger(CustodyLedger Ledger, LedgerActor Actor, string CaseId, string Reason)
{
    /// <summary>Appends <see cref="LedgerActions.PackageBuilt"/>; returns its sequence number.</summary>
    public long RecordBuilt(PackageManifest manifest, string manifestSha256, IReadOnlyList<PackagedEvidence> files, IReadOnlyList<PackagedTransferredFile> transferred,
        IReadOnlyList<long> segmentIds, string outputPath, bool allowPartial, ExaminerInfo? examiner)
    {
        var subjects = new JsonObject
        {
            ["packageId"] = manifest.PackageId,
            ["queryIds"] = new JsonArray(manifest.Queries.Select(q => (JsonNode)q.QueryId).ToArray()),
            ["segmentIds"] = new JsonArray(segmentIds.Select(id => (JsonNode)id).ToArray()),
        };
        var hashes = new Dictionary<string, string>(files.Select(f => new KeyValuePair<string, string>(f.Name, f.File.Sha256)))
        {
            ["manifest"] = manifestSha256,
        };
        if (transferred.Count > 0)
        {
            // Only when the package carries transferred files: entries of packages without keep their shape.
            subjects["fileExtractionIds"] = new JsonArray(transferred.Select(f => (JsonNode)f.Extraction.Id).ToArray());
            foreach (var file in transferred)
            {
                hashes[file.Name] = file.Hashes.Sha256;
                hashes[file.SidecarName] = file.Extraction.SidecarSha256;
            }
        }

        return Append(LedgerActions.PackageBuilt, subjects, hashes, new JsonObject
        {
            ["reportId"] = manifest.ReportId,
            ["files"] = files.Count,
            ["path"] = Path.GetFullPath(outputPath),
            ["partial"] = manifest.Partial,
            ["allowPartial"] = allowPartial,
            ["partialQueries"] = new JsonArray(manifest.Queries.Where(q => q.Partial).Select(q => (JsonNode)q.QueryId).ToArray()),
            ["segmentsRehashed"] = new JsonArray(manifest.Segments.Select(s => (JsonNode)s.Id).ToArray()),
            ["examiner"] = examiner?.Name,
            ["organisation"] = examiner?.Organisation,
        });
    }

    /// <summary>Appends <see cref="LedgerActions.ReportGenerated"/>; returns its sequence number.</summary>
    public long RecordReport(PackageManifest manifest, string manifestSha256, string reportSha256, int pages) => Append(
        LedgerActions.ReportGenerated,
        new JsonObject { ["packageId"] = manifest.PackageId, ["reportId"] = manifest.ReportId },
        new Dictionary<string, string> { ["report"] = reportSha256, ["manifest"] = manifestSha256 },
        new JsonObject { ["pages"] = pages, ["file"] = "report.pdf" });

    private long Append(string action, JsonObject subjects, Dictionary<string, string> hashes, JsonObject details)
    {
        LedgerActions.EnsureKnown(action);
        return Ledger.Append(new LedgerDraft(action)
        {
            Actor = Actor,
            Subjects = subjects,
            Hashes = hashes,
            Details = details,
            Case = CaseId,
            Reason = Reason,
        }).Seq;
    }
}
