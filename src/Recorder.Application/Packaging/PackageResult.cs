namespace Recorder.Application.Packaging;

/// <summary>A built package.</summary>
/// <param name="PackageId">Its id.</param>
/// <param name="Path">The folder or zip written.</param>
/// <param name="CaseId">The case.</param>
/// <param name="ManifestSha256">SHA-256 of manifest.json (recorded in the ledger).</param>
/// <param name="ReportSha256">SHA-256 of report.pdf (recorded in the ledger).</param>
/// <param name="PackageSeq">Ledger entry of the package.</param>
/// <param name="ReportSeq">Ledger entry of the report.</param>
/// <param name="Files">Every file in the package, relative.</param>
public sealed record PackageResult(string PackageId, string Path, string CaseId, string ManifestSha256, string ReportSha256, long PackageSeq, long ReportSeq, IReadOnlyList<string> Files)
{
    /// <summary>The queries whose extractions are partial (built with <see cref="PackageRequest.AllowPartial"/>); empty for complete evidence.</summary>
    public IReadOnlyList<string> PartialQueries { get; init; } = [];
}
