using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Ledger.Entries;
using Recorder.Reporting;
using Recorder.Reporting.Model;
using Recorder.Reporting.Templates;
using Recorder.Storage.Segments;

namespace Recorder.Application.Packaging;

/// <summary>What a package's report is made from, gathered while the package is built.</summary>
/// <param name="Manifest">The package manifest as signed.</param>
/// <param name="ManifestSha256">SHA-256 of its canonical bytes.</param>
/// <param name="Queries">The packaged queries.</param>
/// <param name="Files">The evidence files.</param>
/// <param name="Traffic">The evidence's traffic, counted from the copies.</param>
/// <param name="Segments">The source segments as sealed.</param>
/// <param name="Acquisitions">The imports and captures that made them.</param>
/// <param name="Custody">The custody entries, <c>package.built</c> included.</param>
/// <param name="Checkpoint">What the report says of the checkpoint the custody proofs are against.</param>
/// <param name="StoreKeyFingerprint">The store key's fingerprint.</param>
internal sealed record PackageReportFacts(
    PackageManifest Manifest,
    string ManifestSha256,
    IReadOnlyList<PackagedQuery> Queries,
    IReadOnlyList<PackagedEvidence> Files,
    TrafficCounter Traffic,
    IReadOnlyList<SealedSegment> Segments,
    IReadOnlyList<AcquisitionRecord> Acquisitions,
    IReadOnlyList<LedgerEntry> Custody,
    CheckpointRecord Checkpoint,
    string StoreKeyFingerprint);

/// <summary>
/// The package's <c>report.pdf</c>: the report model (docs/report.md) built from the same facts as
/// the manifest and the custody files, so the report cannot say anything the package does not
/// prove, and its rendering with the site's certification templates.
/// </summary>
internal static class PackageReport
{
    /// <summary>The report model of a package.</summary>
    public static ReportModel Model(PackageReportFacts facts)
    {
        var manifest = facts.Manifest;
        var queries = facts.Queries;
        return new ReportModel
        {
            ReportId = manifest.ReportId,
            Case = new CaseInfo(manifest.Case.Id, manifest.Case.Title),
            Request = new EvidenceRequest(string.Join(", ", queries.Select(q => q.Requester).Distinct()), string.Join(" / ", queries.Select(q => q.Reason).Distinct())),
            Queries = queries.Select(q => new QueryRecord(q.Id, q.Completeness.Partial ? $"{q.Description} (PARTIAL: {q.Completeness.Describe()})" : q.Description,
                q.Requester, q.Reason, q.SubmittedAt, q.CompletedAt)).ToList(),
            PartialExtractions = queries.Where(q => q.Completeness.Partial)
                .Select(q => new PartialExtractionRecord(q.Id, q.Completeness.Why(), q.Completeness.LeftOutLines())).ToList(),
            Build = new PackageBuild(manifest.CreatedBy.Name, manifest.CreatedBy.Host, manifest.CreatedAt),
            Tool = new ToolInfo(manifest.Tool.Name, manifest.Tool.Version, manifest.Tool.SourceRevision),
            ManifestSha256 = facts.ManifestSha256,
            Files = facts.Files.Select(f => f.File).ToList(),
            Traffic = facts.Traffic.Summary(10),
            Provenance = new Provenance(facts.Segments.Select(s => new SegmentRecord(s.Id.ToString(CultureInfo.InvariantCulture),
                s.Manifest.FirstTimestamp, s.Manifest.LastTimestamp, s.Manifest.Packets, s.Manifest.Sha256, s.ManifestSha256,
                CheckedSegment.Status)).ToList(), facts.Acquisitions),
            Custody = new CustodyRecord(
                facts.Custody.OrderBy(e => e.Seq).Select(e => new CustodyEntry(e.Seq, e.Time, $"{e.Actor.Name}@{e.Actor.Host}", e.Action, Subject(e), e.Hash)).ToList(),
                facts.Checkpoint),
            Verification = new VerificationInfo
            {
                StoreKeyFingerprint = facts.StoreKeyFingerprint,
                SigningKeyFingerprint = facts.StoreKeyFingerprint,
                Steps = StandardVerification.Steps("custody", "."),
            },
        };
    }

    /// <summary>Renders <paramref name="model"/> to <paramref name="path"/> with the templates in <paramref name="templateDirectory"/> (default: those shipped); returns the page count.</summary>
    public static int Render(ReportModel model, string? templateDirectory, string path)
    {
        var templates = templateDirectory is null ? CertificationTemplateSet.LoadDefaults() : CertificationTemplateSet.Load(templateDirectory);
        using var stream = File.Create(path);
        return new ReportRenderer(templates).Render(model, stream);
    }

    private static string Subject(LedgerEntry entry) =>
        string.Join(", ", entry.Subjects.Select(p => $"{p.Key} {(p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : p.Value?.ToJsonString())}"));
}
