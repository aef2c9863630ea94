using System.Collections.Concurrent;

namespace Recorder.Api.Queries;

/// <summary>
/// In-process news about queries: a pulse whenever a query's output grows or its state changes
/// (followers wake at once instead of polling), and the cancellation sources of the queries this
/// process is running. Followers on other nodes poll the files instead; nothing here is needed for
/// correctness, only for latency.
/// </summary>
public sealed class QueryHub
{
    private readonly ConcurrentDictionary<string, Pulse> _pulses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>Wakes everyone waiting on <paramref name="queryId"/>.</summary>
    public void Notify(string queryId)
    {
        if (_pulses.TryGetValue(queryId, out var pulse))
        {
            pulse.Fire();
        }
    }

    /// <summary>Waits for the next pulse of <paramref name="queryId"/> or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(string queryId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pulse = _pulses.GetOrAdd(queryId, _ => new Pulse());
        try
        {
            await pulse.Current.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Polling is the fallback: the caller looks at the files again.
        }
    }

    /// <summary>Registers a query this process runs; its token fires on <see cref="Cancel"/>.</summary>
    public CancellationTokenSource Register(string queryId)
    {
        var source = new CancellationTokenSource();
        _running[queryId] = source;
        return source;
    }

    /// <summary>Forgets a query this process no longer runs.</summary>
    public void Unregister(string queryId)
    {
        _running.TryRemove(queryId, out _);
        _pulses.TryRemove(queryId, out var pulse);
        pulse?.Fire();
    }

    /// <summary>Cancels a query if this process runs it; false otherwise.</summary>
    public bool Cancel(string queryId)
    {
        if (_running.TryGetValue(queryId, out var source))
        {
            try
            {
                source.Cancel();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        return false;
    }

    private sealed class Pulse
    {
        private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Current => Volatile.Read(ref _current).Task;

        public void Fire() => Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
