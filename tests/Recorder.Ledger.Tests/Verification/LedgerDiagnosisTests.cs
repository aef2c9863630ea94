using CsCheck;
using Recorder.Ledger.Tests.Support;
using Recorder.Ledger.Verification;

namespace Recorder.Ledger.Tests.Verification;

/// <summary>One edit is one cause, named in words an auditor reads, with its consequences under it.</summary>
public sealed class LedgerDiagnosisTests : IDisposable
{
    private const int Entries = 30;
    private readonly TestLedger _t = new();

    public LedgerDiagnosisTests()
    {
        _t.AppendMany(Entries, perBatch: 3);
        _t.Ledger.Checkpoint();
    }

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Explain_OneEntryAltered_IsOneCauseNamingTheEntryWithEveryRootMismatchUnderIt()
    {
        Alter(13);

        var report = _t.Verify();
        var causes = LedgerDiagnosis.Explain(report.Findings);

        Assert.True(report.Findings.Count >= 3, string.Join("\n", report.Findings));
        var cause = Assert.Single(causes);
        Assert.StartsWith("entry 13 was altered (its hash no longer matches entry 14's prev)", cause.Explanation, StringComparison.Ordinal);
        Assert.Equal(report.Findings.Count - 1, cause.Consequences.Count);
        Assert.Contains(cause.Consequences, f => f.Kind == LedgerFindingKind.HeadRootMismatch);
        Assert.Contains(cause.Consequences, f => f.Kind == LedgerFindingKind.CheckpointRootMismatch);
    }

    [Fact]
    public void Explain_AnEntryDeleted_IsOneCauseAtItsPositionWithTheBrokenLinkUnderIt()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        lines.RemoveAt(Forger.LineOf(lines, 17));
        Forger.Write(_t.LedgerFile, lines);

        var causes = LedgerDiagnosis.Explain(_t.Verify().Findings);

        var first = causes[0];
        Assert.Equal(LedgerFindingKind.SequenceMismatch, first.Finding.Kind);
        Assert.Contains("entries 17..", first.Explanation, StringComparison.Ordinal);
        Assert.Contains(first.Consequences, f => f.Kind == LedgerFindingKind.ChainBroken && f.Seq == 16);
        Assert.DoesNotContain(causes, c => c.Finding.Kind is LedgerFindingKind.ChainBroken or LedgerFindingKind.HeadRootMismatch or LedgerFindingKind.CheckpointRootMismatch);
    }

    [Fact]
    public void Explain_ThePrevOfAnEntryAltered_NamesThatEntryOnce()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        var index = Forger.LineOf(lines, 20);
        var prevAt = lines[index].IndexOf("\"prev\":\"", StringComparison.Ordinal) + 8;
        var flipped = lines[index][prevAt] == '0' ? '1' : '0';
        lines[index] = lines[index][..prevAt] + flipped + lines[index][(prevAt + 1)..];
        Forger.Write(_t.LedgerFile, lines);

        var causes = LedgerDiagnosis.Explain(_t.Verify().Findings);

        var cause = Assert.Single(causes);
        Assert.StartsWith("entry 20 was altered, its prev included", cause.Explanation, StringComparison.Ordinal);
        Assert.Contains(cause.Consequences, f => f.Kind == LedgerFindingKind.ChainBroken && f.Seq == 20 && f.LastSeq == 21);
    }

    [Fact]
    public void Explain_EveryFindingIsACauseOrUnderExactlyOne()
    {
        var original = File.ReadAllBytes(_t.LedgerFile);
        Gen.Int[0, original.Length - 1].Select(Gen.Byte).Where(t => original[t.Item1] != t.Item2 && t.Item2 != (byte)'\n').Sample((position, value) =>
        {
            var changed = (byte[])original.Clone();
            changed[position] = value;
            File.WriteAllBytes(_t.LedgerFile, changed);
            var findings = _t.Verify().Findings;
            var causes = LedgerDiagnosis.Explain(findings);
            var listed = causes.SelectMany(c => c.Consequences.Prepend(c.Finding)).ToList();
            return causes.Count >= 1 && causes.Count <= findings.Count && listed.Count == findings.Count
                && findings.All(f => listed.Contains(f)) && causes.All(c => c.Explanation.Length > 0);
        }, iter: 150, threads: 1);
    }

    [Fact]
    public void Explain_NoFindings_NoCause()
    {
        Assert.Empty(LedgerDiagnosis.Explain(_t.Verify().Findings));
    }

    private void Alter(long seq)
    {
        var lines = Forger.Lines(_t.LedgerFile);
        var index = Forger.LineOf(lines, seq);
        lines[index] = lines[index].Replace($"entry number {seq}", $"entry number {seq + 1}", StringComparison.Ordinal);
        Forger.Write(_t.LedgerFile, lines);
    }
}
