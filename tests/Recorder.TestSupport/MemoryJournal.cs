using Recorder.Core.Store;

namespace Recorder.TestSupport;

/// <summary>
/// A custody journal kept in memory, for tests of the storage layer alone (which has no ledger):
/// every event is kept in order, so a test can assert what was recorded.
/// </summary>
public sealed class MemoryJournal : ICustodyJournal
{
    private readonly List<CustodyEvent> _events = [];
    private readonly Lock _gate = new();

    /// <summary>The events recorded so far, in order.</summary>
    public IReadOnlyList<CustodyEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    /// <inheritdoc />
    public long Record(CustodyEvent custodyEvent)
    {
        lock (_gate)
        {
            _events.Add(custodyEvent);
            return _events.Count;
        }
    }

    /// <inheritdoc />
    public IEnumerable<CustodyEvent> Recorded(string action)
    {
        lock (_gate)
        {
            return _events.Where(e => e.Action == action).ToList();
        }
    }
}
