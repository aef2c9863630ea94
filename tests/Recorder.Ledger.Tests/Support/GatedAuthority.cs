using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Support;

/// <summary>
/// A slow time-stamp authority under the test's control: every call announces itself on
/// <see cref="WaitStarted"/> and then blocks until the test opens the gate, answering with the real
/// built-in authority or failing, as the test scripted. No sleeps: the test decides when "later" is.
/// </summary>
public sealed class GatedAuthority(ITimeStampAuthority inner) : ITimeStampAuthority
{
    private readonly Lock _gate = new();
    // Calls and releases meet in order: whichever comes first creates the pair's completion source.
    private readonly Queue<TaskCompletionSource<bool>> _answers = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiting = new();
    private readonly SemaphoreSlim _started = new(0);
    private int _calls;

    public string Description => "gated";

    public string? TrustAnchorPem => inner.TrustAnchorPem;

    /// <summary>How many calls have started.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Waits until a call (one more than those already waited for) has started.</summary>
    public bool WaitStarted(TimeSpan timeout) => _started.Wait(timeout);

    /// <summary>Lets the oldest waiting call (or the next one to come) answer: granted, or failing with "no answer".</summary>
    public void Release(bool grant = true) => NextAnswer(enqueue: true).TrySetResult(grant);

    public TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest)
    {
        var answer = NextAnswer(enqueue: false);
        Interlocked.Increment(ref _calls);
        _started.Release();
        if (!answer.Task.Wait(TimeSpan.FromMinutes(2)) || !answer.Task.Result)
        {
            throw new TimeStampException("no answer");
        }

        return inner.StampDigest(sha256Digest);
    }

    private TaskCompletionSource<bool> NextAnswer(bool enqueue)
    {
        lock (_gate)
        {
            var (mine, theirs) = enqueue ? (_answers, _waiting) : (_waiting, _answers);
            if (theirs.Count > 0)
            {
                return theirs.Dequeue();
            }

            var source = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            mine.Enqueue(source);
            return source;
        }
    }
}
