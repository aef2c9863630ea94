using System.Text;
using CsCheck;
using Recorder.Core.Time;
using Recorder.Ledger.Tests.Support;
using Recorder.Ledger.Verification;
using Recorder.Signing;

namespace Recorder.Ledger.Tests.Verification;

/// <summary>Every tamper of issue 3 is detected and located by entry sequence number.</summary>
public sealed class TamperTests : IDisposable
{
    private const int Entries = 30;
    private readonly TestLedger _t = new();

    public TamperTests()
    {
        _t.AppendMany(Entries, perBatch: 3);
    }

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Verify_UntouchedLedger_HasNoFinding()
    {
        _t.Ledger.Checkpoint();

        var report = _t.Verify();

        Assert.True(report.IsValid, string.Join("\n", report.Findings));
        Assert.Equal(Entries, report.Entries);
        Assert.Equal(10, report.Heads);
        Assert.Equal(1, report.CheckpointsChecked);
    }

    [Fact]
    public void Verify_OneByteOfAnEntryChanged_ReportsTheChainBreakAndTheBatchAtThatEntry()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        var index = Forger.LineOf(lines, 13);
        lines[index] = lines[index].Replace("entry number 13", "entry number 14", StringComparison.Ordinal);
        Forger.Write(_t.LedgerFile, lines);

        var report = _t.Verify();

        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.ChainBroken && f.Seq == 13 && f.LastSeq == 14);
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.HeadRootMismatch && f.Covers(13) && f.Seq == 12);
        Assert.DoesNotContain(report.Findings, f => f.Kind == LedgerFindingKind.ChainBroken && !f.Covers(13));
    }

    [Fact]
    public void Verify_AnySingleByteOfTheFileChanged_IsDetectedAndLocated()
    {
        var original = File.ReadAllBytes(_t.LedgerFile);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < original.Length - 1; i++)
        {
            if (original[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var text = Encoding.UTF8.GetString(original).Split('\n');

        Gen.Int[0, original.Length - 1].Select(Gen.Byte).Where(t => original[t.Item1] != t.Item2).Sample((position, value) =>
        {
            var changed = (byte[])original.Clone();
            changed[position] = value;
            File.WriteAllBytes(_t.LedgerFile, changed);
            var report = _t.Verify();

            // Which entry (or which head's batch) holds the byte?
            var line = lineStarts.FindLastIndex(s => s <= position);
            var entriesBefore = text.Take(line).Count(l => !Forger.IsHead(l));
            var located = Forger.IsHead(text[line])
                ? report.Findings.Any(f => f.Covers(entriesBefore) || f.Offset == lineStarts[line] || f.Seq == entriesBefore)
                : report.Findings.Any(f => f.Covers(entriesBefore) || (f.Seq is null && f.Offset is not null));
            return !report.IsValid && located;
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Verify_EntryDeleted_ReportsTheGapAtItsPosition()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        lines.RemoveAt(Forger.LineOf(lines, 17));
        Forger.Write(_t.LedgerFile, lines);

        var report = _t.Verify();

        var gap = Assert.Single(report.Findings, f => f.Kind == LedgerFindingKind.SequenceMismatch);
        Assert.Equal(17, gap.Seq);
        Assert.Equal("17", gap.Expected);
        Assert.Equal("18", gap.Found);
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.ChainBroken && f.Seq == 16 && f.LastSeq == 17);
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.BatchIncomplete && f.Covers(17));
    }

    [Fact]
    public void Verify_TwoEntriesSwapped_ReportsBothPositions()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        var a = Forger.LineOf(lines, 7);
        var b = Forger.LineOf(lines, 8);
        (lines[a], lines[b]) = (lines[b], lines[a]);
        Forger.Write(_t.LedgerFile, lines);

        var report = _t.Verify();

        var mismatches = report.Findings.Where(f => f.Kind == LedgerFindingKind.SequenceMismatch).ToList();
        Assert.Equal([7L, 8L], mismatches.Select(f => f.Seq!.Value));
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.ChainBroken && f.Covers(7));
    }

    [Fact]
    public void Verify_TailTruncated_IsDetectedAgainstTheKeptCheckpoint()
    {
        _t.Ledger.Checkpoint();
        var lines = Forger.Lines(_t.LedgerFile);
        Forger.Write(_t.LedgerFile, lines.Take(lines.Count - 8)); // the last two batches, heads included

        var report = _t.Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.CheckpointBeyondLedger, finding.Kind);
        Assert.Equal(24, finding.Seq);
        Assert.Equal(29, finding.LastSeq);
    }

    [Fact]
    public void Verify_TailTruncatedInsideABatch_ReportsTheInterruptedBatch()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        Forger.Write(_t.LedgerFile, lines.Take(lines.Count - 1));

        var report = _t.Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.InterruptedBatch, finding.Kind);
        Assert.Equal(27, finding.Seq);
    }

    [Fact]
    public void Verify_EntryAppendedWithoutTheKey_ReportsItUncovered()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        var last = lines[^1];
        var forged = last.Replace("\"seq\":29", "\"seq\":30", StringComparison.Ordinal);
        Forger.Write(_t.LedgerFile, [.. lines, forged]);

        var report = _t.Verify();

        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.EntriesUncovered && f.Seq == 30 && f.LastSeq == 30);
    }

    [Fact]
    public void Verify_BatchAppendedWithAForgedHead_ReportsTheSignatureForThoseEntries()
    {
        Forger.AppendBatch(_t.LedgerFile, key: null, TestLedger.Origin, 2, Timestamp.FromSeconds(1_800_000_000));

        var report = _t.Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.HeadSignatureInvalid, finding.Kind);
        Assert.Equal((30L, 31L), (finding.Seq!.Value, finding.LastSeq!.Value));
    }

    [Fact]
    public void Verify_CheckingOnlyTheLastHeadSignature_StillCatchesATailResignedWithAnotherKey()
    {
        var lines = Forger.Lines(_t.LedgerFile);
        Forger.Write(_t.LedgerFile, lines.Take(Forger.LineOf(lines, 21) - 1));
        Forger.AppendBatch(_t.LedgerFile, Ed25519Key.Generate(), TestLedger.Origin, 9, Timestamp.FromSeconds(1_800_000_000));

        var report = _t.Verify(new LedgerVerifyOptions { CheckEveryHeadSignature = false });
        var untouched = new TestLedger();
        untouched.AppendMany(10, perBatch: 2);
        var clean = untouched.Verify(new LedgerVerifyOptions { CheckEveryHeadSignature = false });
        untouched.Dispose();

        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.HeadSignatureInvalid && f.Covers(25));
        Assert.True(clean.IsValid);
        Assert.Contains(clean.Notes, n => n.Contains("only the last of 5 signed heads", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_TailRewrittenAndResignedWithAnotherKey_ReportsTheRewrittenRangeAndTheKey()
    {
        _t.Ledger.Checkpoint();
        var lines = Forger.Lines(_t.LedgerFile);
        Forger.Write(_t.LedgerFile, lines.Take(Forger.LineOf(lines, 21) - 1)); // keep entries 0..20 (7 batches)
        var otherKey = Ed25519Key.Generate();
        Forger.AppendBatch(_t.LedgerFile, otherKey, TestLedger.Origin, 4, Timestamp.FromSeconds(1_800_000_000));
        Forger.AppendBatch(_t.LedgerFile, otherKey, TestLedger.Origin, 5, Timestamp.FromSeconds(1_800_000_001));

        var report = _t.Verify();

        var signature = Assert.Single(report.Findings, f => f.Kind == LedgerFindingKind.HeadSignatureInvalid);
        Assert.Equal((21L, 29L), (signature.Seq!.Value, signature.LastSeq!.Value));
        Assert.Equal(otherKey.Fingerprint, signature.Found);
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.CheckpointRootMismatch && f.LastSeq == 29);
    }

    [Fact]
    public void Verify_LedgerRolledBackAndCheckedAgainstALaterCheckpoint_ReportsTheMissingEntries()
    {
        var copy = Path.Combine(_t.Root, "rolled-back");
        CopyDirectory(_t.Directory, copy);
        _t.AppendMany(6, perBatch: 2);
        var later = _t.Ledger.ExportCheckpoint(Path.Combine(_t.Root, "report"));
        Directory.Delete(_t.Directory, recursive: true);
        Directory.Move(copy, _t.Directory);

        var report = _t.Verify(new LedgerVerifyOptions
        {
            ExtendsCheckpoints = [new ExternalCheckpoint(later.TextBytes, later.Signature, "report/checkpoint.txt")],
        });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.CheckpointBeyondLedger, finding.Kind);
        Assert.Equal((30L, 35L), (finding.Seq!.Value, finding.LastSeq!.Value));
        Assert.Contains("report/checkpoint.txt", finding.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AgainstAnEarlierCheckpointOfARewrittenLedger_ReportsTheRootMismatch()
    {
        var early = _t.Ledger.Checkpoint(timeStamp: false);
        var lines = Forger.Lines(_t.LedgerFile);
        var index = Forger.LineOf(lines, 2);
        lines[index] = lines[index].Replace("entry number 2", "entry number X", StringComparison.Ordinal);
        Forger.Write(_t.LedgerFile, lines);

        var report = _t.Verify(new LedgerVerifyOptions { ExtendsCheckpoints = [new ExternalCheckpoint(early.TextBytes, early.Signature, "old.txt")] });

        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.CheckpointRootMismatch && f.What.StartsWith("old.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_StoredCheckpointFilesTampered_ReportsSignatureAndTimeStamp()
    {
        _t.Ledger.Checkpoint();
        var dir = Path.Combine(_t.Directory, "checkpoints");
        var sig = File.ReadAllBytes(Path.Combine(dir, "30.sig"));
        sig[0] ^= 1;
        File.WriteAllBytes(Path.Combine(dir, "30.sig"), sig);
        var tsr = File.ReadAllBytes(Path.Combine(dir, "30.tsr"));
        tsr[^5] ^= 1;
        File.WriteAllBytes(Path.Combine(dir, "30.tsr"), tsr);

        var report = _t.Verify();

        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.CheckpointInvalid && f.Seq == 29);
        Assert.Contains(report.Findings, f => f.Kind == LedgerFindingKind.TimeStampInvalid && f.Seq == 29);
    }

    [Fact]
    public void Verify_BytesCutByARecoveryAltered_ReportsTheRecoveryEntry()
    {
        using (var stream = new FileStream(_t.LedgerFile, FileMode.Append))
        {
            stream.Write("{\"act"u8);
        }

        _t.Open();
        var recovery = _t.Ledger.Read().Last();
        var file = Path.Combine(_t.Directory, recovery.Details["file"]!.GetValue<string>());
        File.WriteAllText(file, "{\"ack");

        var report = _t.Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.TornFileProblem, finding.Kind);
        Assert.Equal(recovery.Seq, finding.Seq);
    }

    [Fact]
    public void Verify_EntryCheck_AddsTheCallersFindings()
    {
        var report = _t.Verify(new LedgerVerifyOptions
        {
            EntryCheck = e => e.Seq == 4 ? [new LedgerFinding(LedgerFindingKind.SubjectProblem, e.Seq, e.Seq, null, "segment s4 missing")] : [],
        });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(4, finding.Seq);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
