using System.Threading.Channels;
using Recorder.Core.Capture;
using Recorder.Core.Formats;
using Recorder.Core.Store;
using Recorder.Index;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Signing.TimeStamping;
using Recorder.Storage.Recording;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Recording;

/// <summary>
/// RFC 3161 time-stamping never blocks capture: with an authority that does not answer until the
/// test lets it, the drain thread still stores, seals, indexes and ledgers every segment; the token
/// is kept once the authority answers.
/// </summary>
public sealed class SlowTimeStampAuthorityTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LiveCapture_WhileTheAuthorityIsSlow_SealsAndLedgersEverySegmentWithoutWaiting()
    {
        using var directory = new TempDirectory("recorder-slow-tsa");
        var authority = new SlowAuthority(BuiltInTimeStampAuthority.OpenOrCreate(directory.File("tsa"), TimeProvider.System));
        CustodyLedger? ledger = null;
        var services = new StoreServices
        {
            IndexProvider = new RocksPacketIndexProvider(),
            Options = new StoreOptions { SegmentMaxBytes = 64 * 1024 },
            JournalFactory = store => new LedgerBackedJournal(ledger = CustodyLedger.Open(store.Layout.LedgerDirectory,
                new LedgerOptions { Origin = "recorder.store/" + store.StoreId, TimeStampInterval = TimeSpan.FromHours(1) }, store.Key, authority, store.Clock)),
        };
        var packets = Traffic.Mixed(3000).Where(p => p.LinkType == 1).ToList();
        LiveRecordingResult result;
        try
        {
            // Before the fix the first ledger entry asked the authority on this thread and waited for it.
            result = await Task.Run(() => Capture(directory.File("store"), services, packets)).WaitAsync(Bound);
            Assert.True(authority.WaitStarted(Bound), "no time-stamp was asked for");
            Assert.Empty(ledger!.TimeStampedCheckpoints());
        }
        finally
        {
            authority.Release();
        }

        Assert.True(result.Segments.Count >= 3, $"{result.Segments.Count} segments");
        Assert.Equal(packets.Count, result.Packets);
        var sealedEntries = ledger.Read(new LedgerFilter { Actions = ["segment.sealed"] }).ToList();
        Assert.Equal(result.Segments.Select(s => s.Id), sealedEntries.Select(e => e.Subjects["segmentId"]!.GetValue<long>()));

        Assert.True(ledger.WaitForAutomaticTimeStamp(Bound));
        var stamped = Assert.Single(ledger.TimeStampedCheckpoints());
        Assert.NotNull(stamped.TimeStampResponse);
        Assert.Empty(ledger.Read(new LedgerFilter { Actions = [LedgerActions.TimeStampFailed] }));
    }

    private static LiveRecordingResult Capture(string root, StoreServices services, List<TestPacket> packets)
    {
        using var store = EvidenceStore.OpenOrCreate(root, services);
        var frames = Channel.CreateUnbounded<LiveFrame>();
        foreach (var packet in packets)
        {
            frames.Writer.TryWrite(LiveFrame.Copy(packet.Data, packet.OriginalLength, packet.Nanoseconds));
        }

        frames.Writer.Complete();
        var captureInterface = new CaptureInterface(1, 65535, 9, 0, "test0");
        return new LiveRecorder(store).Run(captureInterface, frames.Reader, () => new LiveStatistics(packets.Count, 0, 0, 0),
            new LiveRecordingOptions(), CancellationToken.None);
    }

    /// <summary>The store's custody events straight into a <see cref="CustodyLedger"/> opened with the test's authority.</summary>
    private sealed class LedgerBackedJournal(CustodyLedger ledger) : ICustodyJournal
    {
        public long Record(CustodyEvent custodyEvent) => ledger.Append(new LedgerDraft(custodyEvent.Action)
        {
            Subjects = custodyEvent.Subjects,
            Hashes = custodyEvent.Hashes,
            Details = custodyEvent.Details,
            Case = custodyEvent.Case,
            Reason = custodyEvent.Reason,
        }).Seq;

        public IEnumerable<CustodyEvent> Recorded(string action) =>
            ledger.Read(new LedgerFilter { Actions = [action] }).Select(e => new CustodyEvent(e.Action, e.Subjects, e.Hashes, e.Details, e.Case, e.Reason));
    }

    /// <summary>An authority that announces each call and answers (with the built-in one) only once released.</summary>
    private sealed class SlowAuthority(ITimeStampAuthority inner) : ITimeStampAuthority
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _started = new(0);

        public string Description => "slow";

        public string? TrustAnchorPem => inner.TrustAnchorPem;

        public bool WaitStarted(TimeSpan timeout) => _started.Wait(timeout);

        public void Release() => _released.TrySetResult();

        public TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest)
        {
            _started.Release();
            if (!_released.Task.Wait(TimeSpan.FromMinutes(2)))
            {
                throw new TimeStampException("no answer");
            }

            return inner.StampDigest(sha256Digest);
        }
    }
}
