using Recorder.Core.Indexing;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>
/// One index reader kept open for a long-running host (the service), shared by its queries: opening
/// the index costs tens of milliseconds, a query through an open reader about one. A reader a query
/// found unusable (an index rebuilt underneath it, a damaged file) is retired and the next query
/// opens a fresh one; retired readers are closed with the host, never under a running query.
/// </summary>
public sealed class SharedIndexReader : IDisposable
{
    private readonly EvidenceStore _store;
    private readonly Lock _lock = new();
    private readonly List<IPacketIndex> _retired = [];
    private IPacketIndex? _current;
    private bool _disposed;

    /// <summary>Shares readers of <paramref name="store"/>'s index.</summary>
    public SharedIndexReader(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// The open reader, opened now if there is none; null when the store has no index yet or it
    /// cannot be opened (the query then opens it itself and reports the problem).
    /// </summary>
    public IPacketIndex? Current()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is null)
            {
                try
                {
                    _current = _store.OpenIndexReader();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    return null;
                }
            }

            return _current;
        }
    }

    /// <summary>Stops handing out <paramref name="index"/> (a query found it unusable).</summary>
    public void Retire(IPacketIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_lock)
        {
            if (ReferenceEquals(_current, index))
            {
                _current = null;
                _retired.Add(index);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var index in _retired.Append(_current).OfType<IPacketIndex>())
            {
                index.Dispose();
            }

            _current = null;
            _retired.Clear();
        }
    }
}
