using System.Security.Cryptography;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Tests.Support;
using Recorder.Ledger.Verification;

namespace Recorder.Ledger.Tests.Storage;

public sealed class RecoveryTests : IDisposable
{
    private readonly TestLedger _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Open_WhenTheLastLineIsIncomplete_MovesItAsideTruncatesAndRecordsTheCut()
    {
        _t.AppendMany(4);
        var goodLength = new FileInfo(_t.LedgerFile).Length;
        var torn = Encoding.UTF8.GetBytes("{\"sth\":{\"key\":\"ab");
        AppendBytes(torn);

        _t.Open();

        var recovery = _t.Ledger.Read().Last();
        Assert.Equal(LedgerActions.TornTailRecovered, recovery.Action);
        Assert.Equal(4, recovery.Seq);
        Assert.Equal("incomplete-line", recovery.Details["kind"]!.GetValue<string>());
        Assert.Equal(goodLength, recovery.Details["offset"]!.GetValue<long>());
        Assert.Equal(torn.Length, recovery.Details["length"]!.GetValue<long>());
        Assert.Equal(Hex.Lower(SHA256.HashData(torn)), recovery.Hashes["cut"]);
        Assert.Equal(LedgerActorKind.System, recovery.Actor.Kind);
        var file = Path.Combine(_t.Directory, recovery.Details["file"]!.GetValue<string>());
        Assert.Equal(torn, File.ReadAllBytes(file));
        Assert.True(_t.Verify().IsValid, string.Join("; ", _t.Verify().Findings));
    }

    [Fact]
    public void Open_WhenABatchWasCutShort_MovesTheWholeBatchAsideAndRecordsIt()
    {
        _t.AppendMany(3);
        var goodLength = new FileInfo(_t.LedgerFile).Length;
        _t.Ledger.Append([TestLedger.Draft(3), TestLedger.Draft(4), TestLedger.Draft(5)]);
        var full = File.ReadAllBytes(_t.LedgerFile);

        // Keep the batch's head and its first entry plus half of the second: what a crash mid-write leaves.
        var lines = Encoding.UTF8.GetString(full, (int)goodLength, full.Length - (int)goodLength).Split('\n');
        var keep = lines[0].Length + 1 + lines[1].Length + 1 + (lines[2].Length / 2);
        using (var stream = new FileStream(_t.LedgerFile, FileMode.Open))
        {
            stream.SetLength(goodLength + keep);
        }

        _t.Open();

        var entries = _t.Ledger.Read().ToList();
        Assert.Equal(4, entries.Count);
        var recovery = entries[3];
        Assert.Equal("interrupted-batch", recovery.Details["kind"]!.GetValue<string>());
        Assert.Equal(6, recovery.Details["announcedSize"]!.GetValue<long>());
        Assert.Equal(1, recovery.Details["entriesPresent"]!.GetValue<long>());
        Assert.Equal(goodLength, recovery.Details["offset"]!.GetValue<long>());
        Assert.Equal(2, recovery.Details["completeLines"]!.GetValue<long>());
        Assert.Equal(full.AsSpan((int)goodLength, keep).ToArray(), File.ReadAllBytes(Path.Combine(_t.Directory, recovery.Details["file"]!.GetValue<string>())));
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Verify_BeforeRecovery_ReportsTheTornTailAtItsOffset()
    {
        _t.AppendMany(2);
        var length = new FileInfo(_t.LedgerFile).Length;
        AppendBytes([0, 0, 0, 0]);

        var report = _t.Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(LedgerFindingKind.TornTail, finding.Kind);
        Assert.Equal(length, finding.Offset);
    }

    [Fact]
    public void Open_WhenCompleteEntriesFollowTheLastHead_RefusesAndNamesTheEntry()
    {
        _t.AppendMany(3);
        var lines = File.ReadAllLines(_t.LedgerFile);
        AppendBytes(Encoding.UTF8.GetBytes(lines[^1].Replace("\"seq\":2", "\"seq\":3", StringComparison.Ordinal) + "\n"));

        var error = Assert.Throws<LedgerIntegrityException>(() => _t.Open());

        Assert.Equal(3, error.Seq);
        Assert.Contains("follow the last signed head", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WithQuarantineOptIn_MovesUncoveredEntriesAsideAndRecordsThem()
    {
        _t.AppendMany(3);
        var forged = File.ReadAllLines(_t.LedgerFile)[^1] + "\n";
        AppendBytes(Encoding.UTF8.GetBytes(forged));

        _t.Open(_t.Options with { QuarantineUncoveredEntries = true });

        var record = _t.Ledger.Read().Last();
        Assert.Equal(LedgerActions.UncoveredEntriesQuarantined, record.Action);
        Assert.Equal(3, record.Seq);
        Assert.Equal(Encoding.UTF8.GetBytes(forged), File.ReadAllBytes(Path.Combine(_t.Directory, record.Details["file"]!.GetValue<string>())));
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Open_WhenAnUnfinishedBatchHeadIsNotSignedByTheKey_Refuses()
    {
        _t.AppendMany(2);
        var head = File.ReadAllLines(_t.LedgerFile)[0];
        var fake = head.Replace("\"size\":1", "\"size\":9", StringComparison.Ordinal);
        AppendBytes(Encoding.UTF8.GetBytes(fake + "\n"));

        var error = Assert.Throws<LedgerIntegrityException>(() => _t.Open());

        Assert.Contains("not a crash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenARecoveryCrashedBeforeRecordingTheCut_RecordsItNow()
    {
        _t.AppendMany(2);
        var length = new FileInfo(_t.LedgerFile).Length;
        var name = "ledger.torn-2024-11-05T09-30-00.000000000Z-at-" + length + ".bin";
        File.WriteAllBytes(Path.Combine(_t.Directory, name + ".pending"), [1, 2, 3]);

        _t.Open();

        var record = _t.Ledger.Read().Last();
        Assert.Equal(name, record.Details["file"]!.GetValue<string>());
        Assert.Equal("recorded-after-interrupted-recovery", record.Details["kind"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(_t.Directory, name)));
        Assert.False(File.Exists(Path.Combine(_t.Directory, name + ".pending")));
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Append_FromASecondInstance_SeesTheFirstInstancesEntries()
    {
        var other = CustodyLedger.Open(_t.Directory, _t.Options, _t.Key, _t.Tsa, _t.Clock);
        _t.AppendMany(3);
        var fromOther = other.Append(TestLedger.Draft(99));
        var fromFirst = _t.Ledger.Append(TestLedger.Draft(100));

        Assert.Equal(3, fromOther.Seq);
        Assert.Equal(4, fromFirst.Seq);
        Assert.Equal(fromOther.Hash, fromFirst.Prev);
        Assert.Equal(5, other.Count);
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Append_AfterAnotherInstanceRecoveredATornTail_ContinuesCorrectly()
    {
        var other = CustodyLedger.Open(_t.Directory, _t.Options, _t.Key, _t.Tsa, _t.Clock);
        _t.AppendMany(2);
        AppendBytes(Encoding.UTF8.GetBytes("{\"action\":\"x"));

        var entry = other.Append(TestLedger.Draft(5));
        var next = _t.Ledger.Append(TestLedger.Draft(6));

        Assert.Equal(3, entry.Seq); // seq 2 is the recovery record
        Assert.Equal(4, next.Seq);
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Append_WhenTheLedgerShrankUnderARunningInstance_Refuses()
    {
        _t.AppendMany(4);
        var lines = File.ReadAllLines(_t.LedgerFile);
        File.WriteAllText(_t.LedgerFile, string.Join("\n", lines.Take(lines.Length - 2)) + "\n");

        var error = Assert.Throws<LedgerAppendException>(() => _t.Ledger.Append(TestLedger.Draft(9)));

        Assert.IsType<LedgerIntegrityException>(error.InnerException);
    }

    [Fact]
    public void Open_WhenTheLedgerWasRolledBackBehindItsLatestTimeStampedCheckpoint_Refuses()
    {
        _t.AppendMany(3);
        var earlier = File.ReadAllBytes(_t.LedgerFile);
        _t.AppendMany(2);
        _t.Ledger.Checkpoint();
        File.WriteAllBytes(_t.LedgerFile, earlier);

        var error = Assert.Throws<LedgerIntegrityException>(() => _t.Open());

        Assert.Contains("covers 5 entries but the ledger has 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenAPlantedCheckpointDoesNotVerify_IgnoresIt()
    {
        _t.AppendMany(3);
        var dir = Path.Combine(_t.Directory, "checkpoints");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "99.txt"), TestLedger.Origin + "\n99\n" + Convert.ToBase64String(new byte[32]) + "\n2024-11-05T09:30:00.000000000Z\n");
        File.WriteAllBytes(Path.Combine(dir, "99.sig"), new byte[64]);

        _t.Open();

        Assert.Equal(3, _t.Ledger.Count);
    }

    private void AppendBytes(byte[] bytes)
    {
        using var stream = new FileStream(_t.LedgerFile, FileMode.Append);
        stream.Write(bytes);
    }
}
