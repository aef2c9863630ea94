namespace Recorder.Ledger.Checkpoints;

/// <summary>
/// Runs the ledger's automatic RFC 3161 time-stamps off the caller's thread. An authority may take
/// its whole timeout to answer (30 s for an external one); the append that found a time-stamp due
/// is often made by the thread that drains the capture queue while sealing a segment, or by a
/// request thread, and must return as soon as its entry is durable. So appends only
/// <see cref="Request"/> an attempt; one worker at a time makes it, and a failed attempt is retried
/// after the retry delay by a timer of the injected clock (no thread waits in between).
/// </summary>
/// <remarks>
/// Requests made while an attempt runs are merged into one more attempt after it; requests made
/// while a retry is pending wait for that retry, so a failing authority is asked at most once per
/// retry delay however busy the ledger is. Commands that need a token do not go through here: they
/// stamp on their own thread and wait (see <c>CustodyLedger.Checkpoint</c>).
/// </remarks>
internal sealed class TimeStampScheduler
{
    private readonly Func<bool> _attempt;
    private readonly TimeSpan _retryDelay;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private bool _requested;
    private bool _running;
    private ITimer? _retry;
    private TaskCompletionSource _idle = CompletedSource();

    /// <param name="attempt">Makes one attempt; true when it succeeded or there was nothing to do,
    /// false to be retried. It must not throw: it runs on a worker nobody observes.</param>
    /// <param name="retryDelay">How long after a failed attempt the next one is made.</param>
    /// <param name="clock">The clock whose timers schedule retries.</param>
    public TimeStampScheduler(Func<bool> attempt, TimeSpan retryDelay, TimeProvider clock)
    {
        _attempt = attempt;
        _retryDelay = retryDelay;
        _clock = clock;
    }

    /// <summary>True while a failed attempt waits for its retry.</summary>
    public bool RetryPending
    {
        get
        {
            lock (_gate)
            {
                return _retry is not null;
            }
        }
    }

    /// <summary>Asks for an attempt; returns at once.</summary>
    public void Request()
    {
        lock (_gate)
        {
            _requested = true;
            if (_running || _retry is not null)
            {
                return;
            }

            BeginRun();
        }

        Start();
    }

    /// <summary>Waits until no attempt is running (a pending retry does not count); false on timeout.</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        return idle.Wait(timeout);
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    /// <summary>Marks a run as started; called under the gate.</summary>
    private void BeginRun()
    {
        _running = true;
        if (_idle.Task.IsCompleted)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    // A dedicated thread, not a pool thread: the authority call is synchronous and may block for
    // its whole timeout, which would starve the pool that serves requests and jobs.
    private void Start() =>
        _ = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                _requested = false;
            }

            var succeeded = _attempt();
            lock (_gate)
            {
                if (!succeeded)
                {
                    _retry = _clock.CreateTimer(_ => Retry(), null, _retryDelay, Timeout.InfiniteTimeSpan);
                    EndRun();
                    return;
                }

                if (!_requested)
                {
                    EndRun();
                    return;
                }
            }
        }
    }

    private void EndRun()
    {
        _running = false;
        _idle.TrySetResult();
    }

    private void Retry()
    {
        lock (_gate)
        {
            _retry?.Dispose();
            _retry = null;
            if (_running)
            {
                return;
            }

            BeginRun();
        }

        Start();
    }
}
