using System.Collections.Concurrent;

namespace Recorder.Api.Queries;

/// <summary>What the history pages need of one query, without its chunks, sinks or run details.</summary>
/// <param name="Id">The query id.</param>
/// <param name="Case">Its case number.</param>
/// <param name="Owner">Who submitted it.</param>
/// <param name="Reason">Why.</param>
/// <param name="SubmittedAt">When (RFC 3339, UTC; sorts as text).</param>
/// <param name="FinishedAt">When it ended, if it has.</param>
/// <param name="State">Its state.</param>
/// <param name="Description">The filter, readable.</param>
/// <param name="Hosts">The addresses and CIDR blocks of its filter.</param>
/// <param name="Ports">The ports of its filter.</param>
/// <param name="Packets">Packets in its result (or written so far).</param>
/// <param name="ResultSha256">SHA-256 of its result, once it ended with one.</param>
/// <param name="Partial">True when its result is partial.</param>
/// <param name="SubmittedSeq">Ledger sequence of the submission.</param>
/// <param name="CompletedSeq">Ledger sequence of the extraction (or failure).</param>
public sealed record QuerySummary(
    string Id, string Case, string Owner, string Reason, string SubmittedAt, string? FinishedAt, QueryState State, string Description,
    IReadOnlyList<string> Hosts, IReadOnlyList<string> Ports, long Packets, string? ResultSha256, bool Partial, long SubmittedSeq, long? CompletedSeq)
{
    /// <summary>The summary of <paramref name="record"/>.</summary>
    public static QuerySummary Of(QueryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new QuerySummary(record.Id, record.Case, record.Owner, record.Reason, record.SubmittedAt, record.FinishedAt, record.State,
            record.Description, record.Filter.Hosts, record.Filter.Ports, record.Result?.Packets ?? record.Progress.Packets,
            record.Result?.Sha256, record.Result?.Partial ?? false, record.SubmittedSeq, record.CompletedSeq);
    }
}

/// <summary>
/// The query history kept in memory so that listing thousands of queries does not read thousands of
/// files per request. Saves by this process update the entry at once. Saves by another process (a
/// second node serving the same store, <c>recorder query</c>) are found by scanning the directories:
/// each entry remembers the modification time of its query's directory (replacing <c>query.json</c>
/// renames a file in it, which changes that time), and a scan re-reads only those that changed,
/// appeared or are recent. A scan stats every query directory (10 000 stats), so it runs when the
/// listing directory itself changed (a query was added or removed), and otherwise at most once per
/// <see cref="RescanInterval"/>: another node's progress on an existing query shows within that time.
/// A directory changed less than <see cref="SettleTime"/> before it was read is read again next time:
/// file-system timestamps are coarse (a few milliseconds), and a second save within the same tick
/// would otherwise go unseen. The sorted list is kept until something changes.
/// </summary>
public sealed class QuerySummaries
{
    /// <summary>How long after its last change a directory's time is not trusted to reveal the next one.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>The longest a listing trusts the last scan when the listing directory itself has not changed.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(1);

    private readonly QueryRepository _queries;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _refresh = new();
    private long _scannedAt = long.MinValue;
    private long _rootTicks = -1;
    private long _version;
    private Sorted? _sorted;

    /// <summary>Summarises the queries of <paramref name="queries"/>.</summary>
    public QuerySummaries(QueryRepository queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        _queries = queries;
    }

    /// <summary>Every query of the store, newest first (refreshed from the directories first).</summary>
    public IReadOnlyList<QuerySummary> All()
    {
        lock (_refresh)
        {
            Refresh();
        }

        // The version is read before the entries: a save racing with the sort leaves a newer version, so
        // the list made here is not reused by the next listing.
        var version = Interlocked.Read(ref _version);
        if (_sorted is { } sorted && sorted.Version == version)
        {
            return sorted.List;
        }

        var list = _entries.Values.Select(e => e.Summary)
            .OrderByDescending(s => s.SubmittedAt, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        _sorted = new Sorted(version, list);
        return list;
    }

    /// <summary>Records a save made by this process (its directory is checked again at the next scan).</summary>
    public void Saved(QueryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _entries[record.Id] = new Entry(QuerySummary.Of(record), 0);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Scans the query directories when they may have changed (the caller holds the refresh lock).</summary>
    private void Refresh()
    {
        var root = new DirectoryInfo(_queries.Layout.ExtractionsDirectory);
        if (!root.Exists)
        {
            _entries.Clear();
            Interlocked.Increment(ref _version);
            return;
        }

        var now = TimeProvider.System.GetTimestamp();
        var rootTicks = root.LastWriteTimeUtc.Ticks;
        if (rootTicks == _rootTicks && TimeProvider.System.GetElapsedTime(_scannedAt, now) < RescanInterval)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Compared with file-system times, which follow the real clock, not the service's (injected) one.
        var settled = TimeProvider.System.GetUtcNow().UtcDateTime - SettleTime;
        foreach (var directory in root.EnumerateDirectories())
        {
            if (!QueryRepository.TryParseId(directory.Name, out var id) || id != directory.Name)
            {
                continue;
            }

            seen.Add(id);
            var changed = directory.LastWriteTimeUtc;
            if (_entries.TryGetValue(id, out var known) && known.Ticks == changed.Ticks)
            {
                continue;
            }

            if (_queries.Load(id) is { } record)
            {
                var summary = QuerySummary.Of(record);
                _entries[id] = new Entry(summary, changed < settled ? changed.Ticks : 0);
                if (known is null || !Same(known.Summary, summary))
                {
                    // A recent directory is read again at every scan; only a real change re-sorts the history.
                    Interlocked.Increment(ref _version);
                }
            }
        }

        foreach (var gone in _entries.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _entries.TryRemove(gone, out _);
            Interlocked.Increment(ref _version);
        }

        // A listing directory changed within the settle time is not trusted either: scan again next time.
        _rootTicks = root.LastWriteTimeUtc < settled ? rootTicks : -1;
        _scannedAt = now;
    }

    private static bool Same(QuerySummary a, QuerySummary b) =>
        a with { Hosts = b.Hosts, Ports = b.Ports } == b && a.Hosts.SequenceEqual(b.Hosts, StringComparer.Ordinal) && a.Ports.SequenceEqual(b.Ports, StringComparer.Ordinal);

    private sealed record Entry(QuerySummary Summary, long Ticks);

    private sealed record Sorted(long Version, IReadOnlyList<QuerySummary> List);
}
