using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Api.Sinks;
using Recorder.Core.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// The result file and chunks an attempt writes. Each chunk is recorded (<c>query.chunk-written</c>,
/// with its SHA-256 and where it sits in the whole result) before it is added to the query's record,
/// offered to the sinks and announced to followers; progress is saved at most four times a second.
/// </summary>
internal sealed class AttemptOutput : IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly ServiceRuntime _runtime;
    private readonly QueryJobState _state;
    private readonly QueryFeed _feed;
    private readonly ProgressGauge _gauge;
    private readonly string _chunksDirectory;
    private readonly Stopwatch _progressClock = Stopwatch.StartNew();

    // Null while the writer's constructor runs: a callback from it measures no progress yet.
    private readonly ChunkedResultWriter? _writer;

    /// <summary>Opens the result (and chunks directory) of the attempt in <paramref name="state"/>, in <paramref name="plan"/>'s format.</summary>
    public AttemptOutput(ServiceRuntime runtime, QueryJobState state, QueryFeed feed, ProgressGauge gauge, QueryPlan plan, CancellationToken cancellationToken)
    {
        _runtime = runtime;
        _state = state;
        _feed = feed;
        _gauge = gauge;
        var record = state.Current;
        _chunksDirectory = runtime.Queries.ChunksDirectory(record.Id);
        _writer = new ChunkedResultWriter(ResultPath(runtime, record), _chunksDirectory, plan.Format, plan.LinkType, runtime.Store.Options.Application,
            $"Recorder extraction: query {record.Id}, case {record.Case}", runtime.Options.Chunks, runtime.Options.ExtractionBytesPerSecond,
            RecordChunk, Pulse, cancellationToken);
    }

    /// <summary>The writer the query's packets go to.</summary>
    public ChunkedResultWriter Writer => _writer!;

    /// <summary>Where the result file of <paramref name="record"/>'s attempt is.</summary>
    public static string ResultPath(ServiceRuntime runtime, QueryRecord record) =>
        Path.Combine(runtime.Queries.Directory(record.Id), record.ResultFile!);

    /// <inheritdoc />
    public void Dispose() => _writer?.Dispose();

    private ChunkInfo RecordChunk(ChunkInfo chunk)
    {
        var record = _state.Current;
        var seq = _runtime.Ledger.Record(record.Owner, LedgerActions.QueryChunkWritten, new JsonObject { ["queryId"] = record.Id, ["chunk"] = chunk.Number },
            new Dictionary<string, string> { ["chunk"] = chunk.Sha256 },
            new JsonObject
            {
                ["file"] = _runtime.Store.Layout.Relative(Path.Combine(_chunksDirectory, chunk.File)),
                ["packets"] = chunk.Packets,
                ["bytes"] = chunk.Bytes,
                ["firstTimestamp"] = chunk.FirstTimestamp,
                ["lastTimestamp"] = chunk.LastTimestamp,
                ["resultOffset"] = chunk.ResultOffset,
            }, record.Case, record.Reason);
        var recorded = chunk with { LedgerSeq = seq };
        _state.Update(r => r with { Chunks = [.. r.Chunks, recorded], Progress = _gauge.Measure(_writer, r.Chunks.Count + 1) }, durable: false);
        _feed.Add(recorded);
        _runtime.Hub.Notify(record.Id);
        return recorded;
    }

    private void Pulse()
    {
        _feed.Pulse();
        _runtime.Hub.Notify(_state.Current.Id);
        if (_progressClock.Elapsed >= ProgressInterval)
        {
            _progressClock.Restart();
            _state.Update(r => r with { Progress = _gauge.Measure(_writer, r.Chunks.Count) }, durable: false);
        }
    }
}
