using System.Globalization;

namespace Recorder.Ledger.Verification;

/// <summary>
/// One root cause of a failed ledger verification, as an auditor reads it: a sentence saying what
/// happened and where, the finding that shows it, and the findings that only follow from it.
/// </summary>
/// <param name="Explanation">What happened, in one sentence that names the entries (e.g. "entry 5 was altered …").</param>
/// <param name="Finding">The finding that locates the cause.</param>
/// <param name="Consequences">Findings that this cause explains (e.g. every signed root that covers the altered entry).</param>
public sealed record LedgerCause(string Explanation, LedgerFinding Finding, IReadOnlyList<LedgerFinding> Consequences);

/// <summary>
/// Turns the verifier's findings into causes, first cause first. One edit to one entry shows up as
/// several findings (the broken link to the next entry, every signed head and checkpoint whose
/// Merkle root covers it); an auditor needs "entry 4 was altered" with those listed under it, not
/// four lines of hashes of equal weight.
/// </summary>
/// <remarks>
/// The rules follow from what each check can see. A chain link compares entry k+1's <c>prev</c> with
/// the SHA-256 of entry k's line: a break between k and k+1 and no break between k+1 and k+2 means
/// the bytes of entry k changed (its successor's own hash is intact). A root mismatch (signed head or
/// checkpoint) only says that some entry in its range changed; it is a consequence of any entry cause
/// inside its range. A root mismatch with no entry cause in its range means the entries were
/// rewritten with their chain recomputed (only the signatures catch that): it is then a cause itself,
/// located by the first head that no longer matches.
/// </remarks>
public static class LedgerDiagnosis
{
    /// <summary>Groups <paramref name="findings"/> into causes, ordered by the first entry each concerns.</summary>
    public static IReadOnlyList<LedgerCause> Explain(IReadOnlyList<LedgerFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var causes = new List<(LedgerFinding Finding, string Explanation, List<LedgerFinding> Consequences)>();
        var consequences = new List<LedgerFinding>();
        var breaks = findings.Where(f => f.Kind == LedgerFindingKind.ChainBroken && f.LastSeq is not null).Select(f => f.LastSeq!.Value).ToHashSet();
        var entryProblems = findings
            .Where(f => f.Kind is LedgerFindingKind.EntryMalformed or LedgerFindingKind.EntryNotCanonical or LedgerFindingKind.SequenceMismatch)
            .Select(f => f.Seq)
            .OfType<long>()
            .ToHashSet();

        foreach (var finding in findings)
        {
            if (IsConsequenceKind(finding.Kind))
            {
                consequences.Add(finding);
                continue;
            }

            // A malformed or non-canonical entry k also breaks the link to k+1, and an entry whose prev
            // was edited breaks both its links: the later break follows from the earlier cause.
            if (finding.Kind == LedgerFindingKind.ChainBroken && finding.Seq is { } from && finding.LastSeq is { } to && from != to
                && (entryProblems.Contains(from) || entryProblems.Contains(to) || breaks.Contains(from)))
            {
                consequences.Add(finding);
                continue;
            }

            causes.Add((finding, Describe(finding, breaks), []));
        }

        foreach (var consequence in consequences)
        {
            var owner = causes.FindIndex(c => c.Finding.Seq is { } seq && consequence.Covers(seq)
                || (c.Finding.Kind == LedgerFindingKind.ChainBroken && c.Finding.LastSeq is { } last && consequence.Covers(last))
                || IsSameBreak(c.Finding, consequence));
            if (owner >= 0)
            {
                causes[owner].Consequences.Add(consequence);
            }
            else
            {
                causes.Add((consequence, Describe(consequence, breaks), []));
            }
        }

        return causes
            .OrderBy(c => c.Finding.Seq ?? long.MaxValue)
            .ThenBy(c => c.Finding.Kind)
            .Select(c => new LedgerCause(c.Explanation, c.Finding, c.Consequences))
            .ToList();
    }

    private static bool IsConsequenceKind(LedgerFindingKind kind) =>
        kind is LedgerFindingKind.HeadRootMismatch or LedgerFindingKind.CheckpointRootMismatch or LedgerFindingKind.BatchIncomplete;

    private static bool IsSameBreak(LedgerFinding cause, LedgerFinding consequence) =>
        consequence.Kind == LedgerFindingKind.ChainBroken && consequence.LastSeq is { } to
        && cause.Seq is { } seq && (seq == to || seq == consequence.Seq);

    private static string Describe(LedgerFinding finding, HashSet<long> breaks)
    {
        var at = finding.Seq is { } seq ? Entries(seq, finding.LastSeq ?? seq) : "the ledger";
        return finding.Kind switch
        {
            LedgerFindingKind.ChainBroken when finding.Seq == finding.LastSeq =>
                "entry 0's prev is not 64 zeros: entry 0 was altered, or entries before it were removed",
            LedgerFindingKind.ChainBroken when finding.Seq is { } k && finding.LastSeq is { } next && breaks.Contains(next + 1) =>
                Invariant($"entry {next} was altered, its prev included (its prev no longer matches entry {k}'s hash and its own hash no longer matches entry {next + 1}'s prev); or entries {k} and {next} were both altered, or entries around them were removed or reordered"),
            LedgerFindingKind.ChainBroken when finding.Seq is { } k && finding.LastSeq is { } next =>
                Invariant($"entry {k} was altered (its hash no longer matches entry {next}'s prev), or entries between {k} and {next} were removed or reordered"),
            LedgerFindingKind.EntryMalformed => $"{at} is not a valid version-1 entry (it was altered or overwritten): {finding.What}",
            LedgerFindingKind.EntryNotCanonical => $"{at} is not in RFC 8785 canonical form: it was re-encoded or edited by hand",
            LedgerFindingKind.SequenceMismatch => $"{at} carries the wrong sequence number: {finding.What}",
            LedgerFindingKind.HeadRootMismatch =>
                $"{at} were rewritten with their hash chain recomputed: they no longer hash to the root their signed head commits to",
            LedgerFindingKind.CheckpointRootMismatch =>
                $"the ledger was rewritten after a checkpoint was taken: {finding.What}",
            LedgerFindingKind.HeadSignatureInvalid => $"signed heads over {at} do not verify with the store key: they were forged or altered",
            LedgerFindingKind.EntriesUncovered => $"{at} are covered by no signed head: they were added without the store key",
            LedgerFindingKind.CheckpointBeyondLedger => $"entries were removed or the ledger rolled back: {finding.What}",
            _ => finding.Seq is null ? finding.What : $"{at}: {finding.What}",
        };
    }

    private static string Entries(long first, long last) =>
        first == last ? Invariant($"entry {first}") : Invariant($"entries {first}..{last}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
