using Recorder.Api.Queries;

namespace Recorder.Api.Sinks;

/// <summary>
/// What a running query has produced so far, for the sinks of the same job: the result file (which
/// only grows) and the chunks written. Sinks read the files at their own pace; the query never waits
/// for them.
/// </summary>
internal sealed class QueryFeed
{
    private readonly Lock _gate = new();
    private readonly List<ChunkInfo> _chunks = [];
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _finalLength;

    public QueryFeed(string queryId, string resultPath, string chunksDirectory, string format)
    {
        QueryId = queryId;
        ResultPath = resultPath;
        ChunksDirectory = chunksDirectory;
        Format = format;
    }

    public string QueryId { get; }

    public string ResultPath { get; }

    public string ChunksDirectory { get; }

    /// <summary>pcap or pcapng.</summary>
    public string Format { get; }

    /// <summary>The result's final state once the query has ended.</summary>
    public QueryState? FinalState { get; private set; }

    /// <summary>The result's summary once the query has ended.</summary>
    public ResultInfo? Result { get; private set; }

    /// <summary>The result's final length once the query has ended, else null.</summary>
    public long? FinalLength
    {
        get
        {
            lock (_gate)
            {
                return _finalLength;
            }
        }
    }

    /// <summary>A feed for a query that has already ended (sinks re-run after a restart).</summary>
    public static QueryFeed Ended(string queryId, string resultPath, string chunksDirectory, QueryRecord record)
    {
        var feed = new QueryFeed(queryId, resultPath, chunksDirectory, record.Format ?? "pcap");
        foreach (var chunk in record.Chunks)
        {
            feed.Add(chunk);
        }

        feed.End(record.State, record.Result);
        return feed;
    }

    public void Add(ChunkInfo chunk)
    {
        lock (_gate)
        {
            _chunks.Add(chunk);
        }

        Pulse();
    }

    /// <summary>Chunk <paramref name="index"/> (from 0) when written; null while it is not.</summary>
    public ChunkInfo? Chunk(int index)
    {
        lock (_gate)
        {
            return index < _chunks.Count ? _chunks[index] : null;
        }
    }

    /// <summary>Chunks written so far.</summary>
    public int ChunkCount
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Count;
            }
        }
    }

    /// <summary>The query has ended: nothing more will be written.</summary>
    public void End(QueryState state, ResultInfo? result)
    {
        lock (_gate)
        {
            FinalState = state;
            Result = result;
            _finalLength = result?.Bytes ?? (File.Exists(ResultPath) ? new FileInfo(ResultPath).Length : 0);
        }

        Pulse();
    }

    /// <summary>Wakes followers (more bytes or chunks, or the end).</summary>
    public void Pulse() => Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for news or <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _pulse).Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Look again anyway.
        }
    }
}
