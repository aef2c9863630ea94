using Recorder.Ledger.Entries;

namespace Recorder.Application.Packaging;

/// <summary>What to package.</summary>
public sealed record PackageRequest
{
    /// <summary>The queries whose extractions go into the package (one case).</summary>
    public required IReadOnlyList<string> QueryIds { get; init; }

    /// <summary>
    /// Transferred files to carry beside the packets: the <c>extractionId</c>s of
    /// <c>files.extracted</c> entries of the same case (<c>recorder files extract</c>). Each file and
    /// its sidecar are copied into <c>files/</c>, checked against the hashes the entry recorded.
    /// </summary>
    public IReadOnlyList<string> FileExtractionIds { get; init; } = [];

    /// <summary>A folder to create, or a path ending in <c>.zip</c>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The report's title (default: "Network evidence for case …").</summary>
    public string? Title { get; init; }

    /// <summary>A site's own certification templates (default: policies/report-templates as shipped).</summary>
    public string? TemplateDirectory { get; init; }

    /// <summary>Who builds the package (default: the store journal's actor, the OS user running the CLI).</summary>
    public LedgerActor? Actor { get; init; }

    /// <summary>The examiner who answers for the package (named on the report's cover and in VERIFY.txt).</summary>
    public string? Examiner { get; init; }

    /// <summary>The examiner's organisation.</summary>
    public string? Organisation { get; init; }

    /// <summary>Why the package is built (default: the first query's reason).</summary>
    public string? Reason { get; init; }

    /// <summary>The package's id (default: a new UUID).</summary>
    public Guid? PackageId { get; init; }

    /// <summary>
    /// Package partial extractions too (segments left out, or a query stopped before it finished).
    /// Without it such a package is refused; with it the manifest, the ledger entry and the report's
    /// cover say PARTIAL and list what is missing.
    /// </summary>
    public bool AllowPartial { get; init; }
}
