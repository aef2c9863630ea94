using Recorder.Core.Time;

namespace Recorder.Reporting.Model;

/// <summary>
/// Everything <see cref="ReportRenderer"/> states in a report, filled by the caller from the evidence
/// package (its manifest, the custody ledger and the extracted capture files). The report states
/// these facts and nothing else: the renderer reads no file, clock or store. Hashes are lower-case
/// hexadecimal as everywhere in Recorder; times are <see cref="Timestamp"/>s (UTC, nanoseconds).
/// </summary>
/// <remarks>
/// The records are immutable; the lists are read once per render and must not change during one.
/// <see cref="ReportModelValidator"/> checks the model before anything is drawn and names the first
/// field at fault (for example <c>Files[3].Sha256</c>).
/// </remarks>
public sealed record ReportModel
{
    /// <summary>Identifier of this report, printed on the cover and in the running header.</summary>
    public required string ReportId { get; init; }

    /// <summary>The case the evidence was produced for.</summary>
    public required CaseInfo Case { get; init; }

    /// <summary>Who asked for the evidence and why.</summary>
    public required EvidenceRequest Request { get; init; }

    /// <summary>The audited queries whose results the package holds, in the order they were submitted.</summary>
    public required IReadOnlyList<QueryRecord> Queries { get; init; }

    /// <summary>Who built the evidence package, where and when.</summary>
    public required PackageBuild Build { get; init; }

    /// <summary>The Recorder build that produced the package.</summary>
    public required ToolInfo Tool { get; init; }

    /// <summary>SHA-256 of the exact bytes of the package's <c>manifest.json</c>.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>The extracted capture files of the package (<c>evidence/</c>), in package order.</summary>
    public required IReadOnlyList<EvidenceFile> Files { get; init; }

    /// <summary>Counts over the extracted packets, computed by the caller.</summary>
    public required TrafficSummary Traffic { get; init; }

    /// <summary>The sealed segments the evidence came from and how they were acquired.</summary>
    public required Provenance Provenance { get; init; }

    /// <summary>The custody ledger entries concerning the evidence and the checkpoint proving them.</summary>
    public required CustodyRecord Custody { get; init; }

    /// <summary>Keys and the steps an independent party follows to check the package.</summary>
    public required VerificationInfo Verification { get; init; }

    /// <summary>
    /// The queries whose extractions are partial (empty for complete evidence). When there is any,
    /// the cover says PARTIAL and lists each with what is missing.
    /// </summary>
    public IReadOnlyList<PartialExtractionRecord> PartialExtractions { get; init; } = [];

    /// <summary>
    /// The transferred files extracted from the traffic and carried beside the capture files
    /// (<c>files/</c>), in package order; empty when the package carries none, and the report then
    /// has no section for them.
    /// </summary>
    public IReadOnlyList<TransferredFileRecord> TransferredFiles { get; init; } = [];

    /// <summary>The examiner named by the builder (none: the report names only the account that built it).</summary>
    public ExaminerInfo? Examiner { get; init; }
}

/// <summary>A case (matter) the evidence belongs to.</summary>
/// <param name="Id">Case number as the requester gave it, e.g. <c>2026-CR-0142</c>.</param>
/// <param name="Title">Short title of the case or matter.</param>
public sealed record CaseInfo(string Id, string Title);

/// <summary>The investigator who requested the evidence and the stated reason.</summary>
/// <param name="Investigator">Name of the requesting investigator.</param>
/// <param name="Reason">The reason recorded with the request.</param>
public sealed record EvidenceRequest(string Investigator, string Reason);

/// <summary>One audited query whose result is part of the package.</summary>
/// <param name="QueryId">The query id recorded in the ledger and printed by <c>recorder query</c>.</param>
/// <param name="Filter">The filter as text, e.g. <c>host 203.0.113.11 and port 443, 2026-11-02T00:00Z to 2026-11-03T00:00Z</c>.</param>
/// <param name="Requester">Who ran or requested the query.</param>
/// <param name="Reason">The reason recorded with the query.</param>
/// <param name="SubmittedAt">When the query was submitted (UTC).</param>
/// <param name="CompletedAt">When its extraction was written, if it was.</param>
public sealed record QueryRecord(
    string QueryId,
    string Filter,
    string Requester,
    string Reason,
    Timestamp SubmittedAt,
    Timestamp? CompletedAt);

/// <summary>The examiner who answers for the package, as the builder named them.</summary>
/// <param name="Name">The examiner's name.</param>
/// <param name="Organisation">Their organisation, when given.</param>
public sealed record ExaminerInfo(string Name, string? Organisation)
{
    /// <summary><c>Name, Organisation</c> (or the name alone).</summary>
    public override string ToString() => Organisation is null ? Name : $"{Name}, {Organisation}";
}

/// <summary>Who built the evidence package, on which host, and when.</summary>
/// <param name="Actor">The person or account that built the package.</param>
/// <param name="Host">The host it was built on.</param>
/// <param name="BuiltAt">When the package was built (UTC); also the PDF's creation date.</param>
public sealed record PackageBuild(string Actor, string Host, Timestamp BuiltAt);

/// <summary>The software that produced the package.</summary>
/// <param name="Name">Product name, normally <c>Recorder</c>.</param>
/// <param name="Version">Version string.</param>
/// <param name="SourceRevision">Source control revision the build came from.</param>
public sealed record ToolInfo(string Name, string Version, string SourceRevision);
