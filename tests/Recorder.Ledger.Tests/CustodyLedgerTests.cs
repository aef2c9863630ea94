using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Tests.Merkle;
using Recorder.Ledger.Tests.Support;

namespace Recorder.Ledger.Tests;

public sealed class CustodyLedgerTests : IDisposable
{
    private readonly TestLedger _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Append_FirstEntry_HasSeqZeroZeroPrevAndTheClockTime()
    {
        var now = Timestamp.FromDateTimeOffset(_t.Clock.GetUtcNow());

        var entry = _t.Ledger.Append(new LedgerDraft("store.created") { Subjects = new JsonObject { ["storeId"] = "s1" } });

        Assert.Equal(0, entry.Seq);
        Assert.Equal(new string('0', 64), entry.Prev);
        Assert.True(entry.Time >= now && entry.Time.UnixNanoseconds - now.UnixNanoseconds < 10_000_000);
        Assert.Equal("provided:FakeTimeProvider", entry.Clock.Source);
        Assert.Equal(new LedgerActor(LedgerActorKind.OsUser, "alice", "host1"), entry.Actor);
        Assert.Equal(Hex.Lower(SHA256.HashData(entry.Line.Span)), entry.Hash);
    }

    [Fact]
    public void Append_EachEntryLinksToTheHashOfThePreviousLine()
    {
        _t.AppendMany(5);
        _t.Ledger.Append(Enumerable.Range(5, 4).Select(i => TestLedger.Draft(i)));

        var entries = _t.Ledger.Read().ToList();

        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), entries.Select(e => e.Seq));
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Hash, entries[i].Prev);
        }
    }

    [Fact]
    public void Append_WritesCanonicalLinesAndAHeadBeforeEachBatch()
    {
        _t.AppendMany(2);
        _t.Ledger.Append([TestLedger.Draft(2), TestLedger.Draft(3), TestLedger.Draft(4)]);

        var lines = File.ReadAllLines(_t.LedgerFile);

        Assert.Equal(8, lines.Length); // 3 heads + 5 entries
        Assert.All(lines, l => Assert.True(CanonicalJson.IsCanonical(Encoding.UTF8.GetBytes(l)), l));
        Assert.Equal([true, false, true, false, true, false, false, false], lines.Select(l => l.StartsWith("{\"sth\":", StringComparison.Ordinal)));
        Assert.Contains("\"size\":5", lines[4], StringComparison.Ordinal);
        Assert.EndsWith("\n", File.ReadAllText(_t.LedgerFile), StringComparison.Ordinal);
    }

    [Fact]
    public void LatestHead_SignsTheRootOfAllEntriesWithTheStoreKey()
    {
        _t.AppendMany(7);

        var head = _t.Ledger.LatestHead!;
        var lines = _t.Ledger.Read().Select(e => e.Line.ToArray()).ToList();

        Assert.Equal(7, head.Size);
        Assert.Equal(Hex.Lower(NaiveMerkle.Mth(lines)), Hex.Lower(head.RootHash));
        Assert.True(head.VerifySignature(_t.PublicKey));
        Assert.Equal(_t.Key.Fingerprint, head.KeyFingerprint);
        Assert.Equal(TestLedger.Origin + "\n7\n" + Convert.ToBase64String(head.RootHash) + "\n" + head.Time + "\n", head.Text);
    }

    [Fact]
    public void Append_InvalidDraft_ThrowsArgumentExceptionAndWritesNothing()
    {
        _t.AppendMany(1);
        var before = File.ReadAllBytes(_t.LedgerFile);

        Assert.Throws<ArgumentException>(() => _t.Ledger.Append([TestLedger.Draft(1), new LedgerDraft("Bad Action")]));

        Assert.Equal(before, File.ReadAllBytes(_t.LedgerFile));
    }

    [Fact]
    public void Append_ConcurrentCallers_AreGroupCommittedWithoutLossOrDuplicates()
    {
        const int threads = 16;
        const int perThread = 60;
        var results = new System.Collections.Concurrent.ConcurrentBag<LedgerEntry>();

        // Dedicated threads released together: the thread pool on a loaded 2-core machine may run a
        // Parallel.For on one or two threads, and then no two appends ever overlap.
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                results.Add(_t.Ledger.Append(new LedgerDraft("test.concurrent") { Subjects = new JsonObject { ["t"] = t, ["i"] = i } }));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        var lines = File.ReadAllLines(_t.LedgerFile);
        var heads = lines.Count(l => l.StartsWith("{\"sth\":", StringComparison.Ordinal));
        Assert.Equal(threads * perThread, results.Count);
        Assert.Equal(Enumerable.Range(0, threads * perThread).Select(i => (long)i), results.Select(e => e.Seq).Order());
        Assert.Equal(threads * perThread, _t.Ledger.Read().Select(e => (e.Subjects["t"]!.GetValue<int>(), e.Subjects["i"]!.GetValue<int>())).Distinct().Count());
        Assert.True(heads < threads * perThread, $"{heads} heads for {threads * perThread} entries: no batching happened");
        Assert.True(_t.Verify().IsValid);
    }

    [Fact]
    public void Open_AfterAppends_ContinuesTheChainAndCount()
    {
        _t.AppendMany(3);
        var last = _t.Ledger.Read().Last();

        _t.Open();
        var next = _t.Ledger.Append(TestLedger.Draft(3));

        Assert.Equal(3, next.Seq);
        Assert.Equal(last.Hash, next.Prev);
        Assert.Equal(4, _t.Ledger.Count);
    }

    [Fact]
    public void Open_WithAnotherOrigin_IsRefused()
    {
        _t.AppendMany(1);

        var error = Assert.Throws<LedgerIntegrityException>(() => _t.Open(_t.Options with { Origin = "recorder.store/other" }));

        Assert.Contains("origin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WithAnotherKey_IsRefused()
    {
        _t.AppendMany(2);

        Assert.Throws<LedgerIntegrityException>(() => CustodyLedger.Open(_t.Directory, _t.Options, Recorder.Signing.Ed25519Key.Generate(), _t.Tsa, _t.Clock));
    }

    [Fact]
    public void Open_WhenDerivedFilesAreDeleted_RebuildsThemAndProofsStillWork()
    {
        _t.AppendMany(20, perBatch: 3);
        var before = _t.Ledger.ProveInclusion(5);

        Directory.Delete(Path.Combine(_t.Directory, "tree"), recursive: true);
        _t.Open();
        var after = _t.Ledger.ProveInclusion(5);

        Assert.Equal(before.AuditPath.Select(p => Hex.Lower(p)), after.AuditPath.Select(p => Hex.Lower(p)));
        Assert.Equal(20, _t.Ledger.Count);
    }

    [Fact]
    public void ProveInclusion_WhenDerivedFilesAreCorruptedUnderARunningLedger_RebuildsAndStillProves()
    {
        _t.AppendMany(33, perBatch: 4);
        var level0 = Path.Combine(_t.Directory, "tree", "level-00.hash");
        var bytes = File.ReadAllBytes(level0);
        bytes[32 * 7] ^= 0xff;
        File.WriteAllBytes(level0, bytes);

        var proof = _t.Ledger.ProveInclusion(7);

        Assert.True(proof.VerifyPath());
        Assert.NotEqual(bytes, File.ReadAllBytes(level0));
    }

    [Fact]
    public void Read_FiltersByActionPrefixCaseTimeAndSeq()
    {
        _t.Ledger.Append(new LedgerDraft("import.started"));
        _t.Clock.Advance(TimeSpan.FromMinutes(1));
        var middle = Timestamp.FromDateTimeOffset(_t.Clock.GetUtcNow());
        _t.Ledger.Append(new LedgerDraft("import.completed") { Case = "C1" });
        _t.Ledger.Append(new LedgerDraft("query.submitted") { Case = "C1", Reason = "r" });
        _t.Ledger.Append(new LedgerDraft("query.submitted") { Case = "C2", Reason = "r" });

        Assert.Equal([0L, 1L], _t.Ledger.Read(new LedgerFilter { Actions = ["import.*"] }).Select(e => e.Seq));
        Assert.Equal([1L, 2L], _t.Ledger.Read(new LedgerFilter { Case = "C1" }).Select(e => e.Seq));
        Assert.Equal([1L, 2L, 3L], _t.Ledger.Read(new LedgerFilter { From = middle }).Select(e => e.Seq));
        Assert.Equal([0L], _t.Ledger.Read(new LedgerFilter { To = middle }).Select(e => e.Seq));
        Assert.Equal([2L], _t.Ledger.Read(new LedgerFilter { FromSeq = 2, ToSeq = 3 }).Select(e => e.Seq));
        Assert.Equal([3L], _t.Ledger.Read(new LedgerFilter { Actions = ["query.submitted"], Case = "C2" }).Select(e => e.Seq));
    }

    [Fact]
    public void Read_ManyEntries_StreamsAllOfThem()
    {
        _t.AppendMany(5000, perBatch: 500);

        Assert.Equal(5000, _t.Ledger.Read().Count());
        Assert.Equal(4999, _t.Ledger.ReadEntry(4999).Seq);
        Assert.Equal(1234, _t.Ledger.Read(new LedgerFilter { FromSeq = 1234 }).First().Seq);
    }

    [Fact]
    public void ProveInclusion_ForEveryEntryAgainstEveryHead_VerifiesAndMatchesTheRfcPath()
    {
        _t.AppendMany(23, perBatch: 3);
        var lines = _t.Ledger.Read().Select(e => e.Line.ToArray()).ToList();
        var sizes = new long[] { 3, 6, 9, 12, 15, 18, 21, 23 };

        foreach (var size in sizes)
        {
            for (var seq = 0; seq < size; seq++)
            {
                var proof = _t.Ledger.ProveInclusion(seq, size);

                Assert.True(proof.VerifyPath());
                Assert.Equal(NaiveMerkle.Path(seq, lines.Take((int)size).ToList()).Select(p => Hex.Lower(p)), proof.AuditPath.Select(p => Hex.Lower(p)));
                Assert.Equal(lines[seq], proof.Entry);
            }
        }
    }

    [Fact]
    public void ProveInclusion_AgainstASizeWithoutAHead_IsRefused()
    {
        _t.AppendMany(6, perBatch: 3);

        var error = Assert.Throws<ArgumentException>(() => _t.Ledger.ProveInclusion(1, 4));

        Assert.Contains("no signed head", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProveConsistency_BetweenAnyTwoHeads_Verifies()
    {
        _t.AppendMany(17, perBatch: 2);
        var sizes = new long[] { 2, 4, 6, 8, 10, 12, 14, 16, 17 };

        foreach (var from in sizes)
        {
            foreach (var to in sizes.Where(s => s >= from))
            {
                Assert.True(_t.Ledger.ProveConsistency(from, to).VerifyPath(), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void VerifyExtends_AnEarlierCheckpoint_ExtendsWithAConsistencyProof()
    {
        _t.AppendMany(5);
        var old = _t.Ledger.Checkpoint(timeStamp: false);
        _t.AppendMany(9);

        var result = _t.Ledger.VerifyExtends(old.Text, old.Signature);

        Assert.True(result.Extends, result.Failure);
        Assert.True(result.SignatureChecked);
        Assert.True(result.Proof!.VerifyPath());
        Assert.Equal(14, result.LedgerSize);
    }

    [Fact]
    public void VerifyExtends_ACheckpointWithAForgedRoot_DoesNotExtend()
    {
        _t.AppendMany(5);
        var old = _t.Ledger.Checkpoint(timeStamp: false);
        var forged = old.Text.Replace(Convert.ToBase64String(old.RootHash), Convert.ToBase64String(new byte[32]), StringComparison.Ordinal);

        var unsigned = _t.Ledger.VerifyExtends(forged, null);
        var signed = _t.Ledger.VerifyExtends(forged, old.Signature);

        Assert.False(unsigned.Extends);
        Assert.Contains("rewritten", unsigned.Failure, StringComparison.Ordinal);
        Assert.False(signed.Extends);
        Assert.Contains("signature", signed.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_TimeStamped_IsKeptWithItsResponseAndReusedForTheSameSize()
    {
        _t.AppendMany(4);

        var first = _t.Ledger.Checkpoint();
        var again = _t.Ledger.Checkpoint();

        Assert.NotNull(first.TimeStampResponse);
        Assert.Equal(first.TimeStampResponse, again.TimeStampResponse);
        Assert.True(File.Exists(Path.Combine(_t.Directory, "checkpoints", "4.tsr")));
        Assert.Equal(first.TextBytes, File.ReadAllBytes(Path.Combine(_t.Directory, "checkpoints", "4.txt")));
        using var cert = Recorder.Signing.TimeStamping.TimeStampVerifier.LoadCertificatePem(_t.Tsa.CertificatePem);
        Assert.True(Recorder.Signing.TimeStamping.TimeStampVerifier.Verify(first.TimeStampResponse, first.TextBytes, cert).IsValid);
        Assert.Single(_t.Ledger.TimeStampedCheckpoints());
    }

    [Fact]
    public void Checkpoint_OnEmptyLedger_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _t.Ledger.Checkpoint());
    }

    [Fact]
    public void Append_WhenTheTimeStampIntervalElapsed_TimeStampsTheLatestHead()
    {
        _t.Open(_t.Options with { TimeStampInterval = TimeSpan.FromMinutes(10) });
        _t.AppendMany(1);
        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(TimeSpan.FromSeconds(30)));
        _t.AppendMany(1);
        _t.Clock.Advance(TimeSpan.FromMinutes(5));
        _t.AppendMany(1);
        _t.Clock.Advance(TimeSpan.FromMinutes(6));
        _t.AppendMany(1);
        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(TimeSpan.FromSeconds(30)));

        var stamped = _t.Ledger.TimeStampedCheckpoints().Select(c => c.Size).ToList();

        Assert.Equal([1L, 4L], stamped);
    }

    [Fact]
    public void Checkpoint_WhenTheAuthorityFails_RecordsTheFailureAndThrows()
    {
        _t.AppendMany(2);
        _t.Open(tsa: new FailingAuthority());

        Assert.Throws<Recorder.Signing.TimeStamping.TimeStampException>(() => _t.Ledger.Checkpoint());

        var failure = _t.Ledger.Read(new LedgerFilter { Actions = [LedgerActions.TimeStampFailed] }).Single();
        Assert.Equal("no answer", failure.Details["error"]!.GetValue<string>());
        Assert.Equal(2, failure.Details["size"]!.GetValue<long>());
    }

    private sealed class FailingAuthority : Recorder.Signing.TimeStamping.ITimeStampAuthority
    {
        public string Description => "failing";

        public string? TrustAnchorPem => null;

        public Recorder.Signing.TimeStamping.TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest) =>
            throw new Recorder.Signing.TimeStamping.TimeStampException("no answer");
    }
}
