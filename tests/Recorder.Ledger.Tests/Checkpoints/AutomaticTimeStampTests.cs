using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Tests.Support;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Checkpoints;

/// <summary>
/// Automatic time-stamps run in the background: an append (made by the thread that seals segments
/// or serves a request) returns while the authority is still thinking, the token is kept when it
/// answers, failures are recorded and retried, and commands that need the token wait for it.
/// </summary>
public sealed class AutomaticTimeStampTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TestLedger _t = new();
    private readonly GatedAuthority _tsa;

    public AutomaticTimeStampTests()
    {
        _tsa = new GatedAuthority(_t.Tsa);
        _t.Open(_t.Options with { TimeStampInterval = TimeSpan.FromMinutes(10), TimeStampRetryDelay = TimeSpan.FromMinutes(5) }, _tsa);
    }

    [Fact]
    public async Task Append_WhileTheAuthorityIsSlow_ReturnsAndTheTokenIsKeptWhenItAnswers()
    {
        try
        {
            // Before the fix the first append asked the authority on its own thread and waited for it.
            // (WaitAsync throws TimeoutException if the append is still waiting after the bound.)
            await Task.Run(() => _t.AppendMany(1)).WaitAsync(Bound);
            Assert.True(_tsa.WaitStarted(Bound), "no time-stamp was asked for");

            _t.AppendMany(5);
            Assert.Empty(_t.Ledger.TimeStampedCheckpoints());
        }
        finally
        {
            _tsa.Release();
        }

        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(Bound));
        var stamped = Assert.Single(_t.Ledger.TimeStampedCheckpoints());
        Assert.Equal(1, stamped.Size);
        using var certificate = TimeStampVerifier.LoadCertificatePem(_t.Tsa.CertificatePem);
        Assert.True(TimeStampVerifier.Verify(stamped.TimeStampResponse!, stamped.TextBytes, certificate).IsValid);
        Assert.Equal(1, _tsa.Calls);
    }

    [Fact]
    public void AutomaticTimeStamp_WhenTheAuthorityFails_IsRecordedAndRetriedAfterTheDelay()
    {
        _tsa.Release(grant: false);
        _t.AppendMany(2);
        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(Bound));

        var failure = Assert.Single(_t.Ledger.Read(new LedgerFilter { Actions = [LedgerActions.TimeStampFailed] }));
        Assert.True(failure.Details["automatic"]!.GetValue<bool>());
        Assert.True(_t.Ledger.AutomaticTimeStampRetryPending);

        // Appends while the retry waits do not hammer the failing authority.
        _t.AppendMany(3);
        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(Bound));
        Assert.Equal(1, _tsa.Calls);

        // The retry comes by itself once the delay has passed, with no append to trigger it.
        _tsa.Release();
        _t.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(_tsa.WaitStarted(Bound) && _tsa.WaitStarted(Bound), "the failed time-stamp was not retried");
        Assert.True(_t.Ledger.WaitForAutomaticTimeStamp(Bound));

        Assert.Equal(2, _tsa.Calls);
        Assert.False(_t.Ledger.AutomaticTimeStampRetryPending);
        var stamped = Assert.Single(_t.Ledger.TimeStampedCheckpoints());
        Assert.Equal(_t.Ledger.Count, stamped.Size);
        Assert.Null(_t.Ledger.AutomaticTimeStampFailure);
    }

    [Fact]
    public async Task ExportCheckpoint_WhileAnAutomaticTimeStampIsPending_WaitsForItAndWritesItsToken()
    {
        _t.AppendMany(1);
        Assert.True(_tsa.WaitStarted(Bound));
        var output = Path.Combine(_t.Root, "export");

        var export = Task.Run(() => _t.Ledger.ExportCheckpoint(output));
        _tsa.Release();
        var exported = await export.WaitAsync(Bound);

        // The command waited for the background answer and reused it rather than asking again.
        Assert.Equal(1, _tsa.Calls);
        Assert.Equal(1, exported.Size);
        Assert.Equal(exported.TimeStampResponse, File.ReadAllBytes(Path.Combine(output, "checkpoint.tsr")));
        Assert.Equal(exported.TimeStampResponse, Assert.Single(_t.Ledger.TimeStampedCheckpoints()).TimeStampResponse);
    }

    public void Dispose()
    {
        _t.Ledger.WaitForAutomaticTimeStamp(Bound);
        _t.Dispose();
    }
}
