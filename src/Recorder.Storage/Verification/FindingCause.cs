using System.Text.Json.Nodes;

namespace Recorder.Storage.Verification;

/// <summary>
/// One root cause of a failed verification: a sentence an auditor reads ("segment 3's file was
/// changed after sealing …"), the finding that shows it, and the findings that only follow from it.
/// </summary>
/// <param name="Explanation">What happened and where, in one sentence.</param>
/// <param name="Finding">The finding that locates the cause.</param>
/// <param name="Consequences">Findings explained by this cause.</param>
public sealed record FindingCause(string Explanation, Finding Finding, IReadOnlyList<Finding> Consequences)
{
    /// <summary>JSON form: <c>explanation</c>, <c>finding</c>, <c>consequences</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["explanation"] = Explanation,
        ["finding"] = Finding.ToJson(),
        ["consequences"] = new JsonArray(Consequences.Select(c => (JsonNode)c.ToJson()).ToArray()),
    };
}

/// <summary>
/// Groups a store's findings into causes. Findings about one segment follow from the first one the
/// verifier reports for it (it checks the manifest, then its signature and chain, then the file, then
/// the index and the ledger's record of it, so the first is the root); a finding about no segment is
/// a cause of its own unless a caller already grouped it.
/// </summary>
public static class StoreDiagnosis
{
    /// <summary>
    /// Causes of <paramref name="findings"/>, first cause first. <paramref name="grouped"/> holds
    /// causes already worked out by a more specific diagnosis (the ledger's); the findings they list
    /// are not grouped again, but a segment's findings still gather under them when they name it.
    /// </summary>
    public static IReadOnlyList<FindingCause> Explain(IReadOnlyList<Finding> findings, IReadOnlyList<FindingCause>? grouped = null)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var taken = new HashSet<Finding>(ReferenceEqualityComparer.Instance);
        var causes = new List<(string Explanation, Finding Finding, List<Finding> Consequences)>();
        foreach (var cause in grouped ?? [])
        {
            causes.Add((cause.Explanation, cause.Finding, cause.Consequences.ToList()));
            taken.Add(cause.Finding);
            taken.UnionWith(cause.Consequences);
        }

        var bySegment = new Dictionary<long, int>();
        foreach (var finding in findings.Where(f => !taken.Contains(f)).OrderBy(f => f.SegmentId is null ? 0 : Rank(f.Check)))
        {
            if (finding.SegmentId is { } id && bySegment.TryGetValue(id, out var owner))
            {
                causes[owner].Consequences.Add(finding);
                continue;
            }

            causes.Add((Describe(finding), finding, []));
            if (finding.SegmentId is { } segment)
            {
                bySegment[segment] = causes.Count - 1;
            }
        }

        return causes
            .Select((c, order) => (c, order))
            .OrderBy(x => x.c.Finding.Sequence ?? long.MaxValue)
            .ThenBy(x => x.c.Finding.SegmentId ?? long.MaxValue)
            .ThenBy(x => x.order)
            .Select(x => new FindingCause(x.c.Explanation, x.c.Finding, x.c.Consequences))
            .ToList();
    }

    // The order in which one segment's checks depend on each other: a manifest that cannot be read
    // or trusted explains everything after it; a changed file explains its index and format findings;
    // the ledger's record of the segment comes last. Checks not named here rank between the two.
    private static readonly string[] RootFirst =
    [
        "manifest readable", "signature", "manifest encoding", "manifest", "manifest segmentId", "manifest storeId", "manifest file",
        "presence", "chain", "segment file", "size", "sha256", "linkType", "format",
    ];

    private static int Rank(string check)
    {
        var rank = Array.IndexOf(RootFirst, check);
        return rank >= 0 ? rank : check.StartsWith("index", StringComparison.Ordinal) ? 1000 : check.Contains("ledger", StringComparison.Ordinal) ? 2000 : 500;
    }

    /// <summary>A sentence for one finding, in words rather than check names where the check is known.</summary>
    public static string Describe(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Check switch
        {
            "sha256" => $"{finding.Subject}: its file was changed after sealing (its SHA-256 {finding.Found} is not the {finding.Expected} its signed manifest records)",
            "size" => $"{finding.Subject}: its file was cut or extended after sealing (its signed manifest records {finding.Expected}, the file has {finding.Found})",
            "signature" => $"{finding.Subject}: its manifest's signature does not verify with the store key (the manifest was altered or forged): {finding.Found}",
            "segment file" => $"{finding.Subject}: its file {finding.Expected} is {finding.Found}",
            "manifest readable" => $"{finding.Subject}: its manifest {finding.Expected} cannot be read ({finding.Found})",
            "chain" => $"{finding.Subject}: the manifest chain breaks here (expected {finding.Expected}, found {finding.Found}): a segment before it was removed, replaced or re-signed",
            "presence" => $"{finding.Subject} is missing: expected {finding.Expected}, found {finding.Found}",
            "in the ledger" => $"{finding.Subject} was sealed without a segment.sealed ledger entry: no custody record says where it came from",
            "stray file" => $"{finding.Subject} belongs to no sealed segment: it was left by a crash or put there by hand",
            _ => $"{finding.Subject}: {finding.Check}: expected {finding.Expected}, found {finding.Found}",
        };
    }
}
