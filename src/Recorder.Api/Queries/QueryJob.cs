using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Sinks;
using Recorder.Core.Formats;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Storage.Query;
using Recorder.Storage.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// The Hangfire job that runs one query. It takes the query's id, never its payload: everything it
/// needs is in <c>STORE/extractions/ID/query.json</c>, written when the query was accepted. It is
/// re-entrant: it runs under the query's lock file, so a job fetched twice waits and then finds the
/// query done; a job that finds the query "running" (its worker died) discards that attempt's output,
/// records the restart in the ledger and starts over; a job that finds the query ended but some sink
/// unfinished re-runs just those sinks.
/// </summary>
public sealed class QueryJob
{
    private readonly ServiceRuntime _runtime;
    private readonly ILogger<QueryJob> _logger;

    /// <summary>Created by Hangfire's activator from the service's container.</summary>
    public QueryJob(ServiceRuntime runtime, ILogger<QueryJob> logger)
    {
        _runtime = runtime;
        _logger = logger;
    }

    /// <summary>
    /// Runs query <paramref name="queryId"/>. Hangfire supplies <paramref name="context"/> (enqueue
    /// with null) and its shutdown token as <paramref name="cancellationToken"/>.
    /// </summary>
    [DisplayName("query {0}")]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    public void Run(string queryId, PerformContext? context, CancellationToken cancellationToken)
    {
        if (!QueryRepository.TryParseId(queryId, out var id) || _runtime.Queries.Load(id) is null)
        {
            _logger.LogWarning("query job for unknown query {QueryId}: nothing to do", queryId);
            return;
        }

        using var jobLock = WaitForLock(_runtime.Queries.JobLockPath(id), cancellationToken);
        var record = _runtime.Queries.Load(id)!;
        if (record.Settled)
        {
            return;
        }

        if (record.Ended)
        {
            ResumeSinks(new JobState(_runtime.Queries, record), cancellationToken);
            return;
        }

        try
        {
            Execute(record, context?.BackgroundJob?.Id, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The service is stopping: Hangfire hands the job back and the next worker restarts the query.
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "query {QueryId} failed", id);
            RecordFailure(id, e);
        }
        finally
        {
            _runtime.Hub.Unregister(id);
        }
    }

    private void Execute(QueryRecord record, string? jobId, CancellationToken shutdown)
    {
        var repository = _runtime.Queries;
        var id = record.Id;
        if (ReadCancelMarker(id) is { } cancelledEarly)
        {
            // Cancelled before a worker got to it, or while a worker that has since died had it.
            if (record.State == QueryState.Running)
            {
                record = DiscardAttempt(record);
            }

            var ended = (record with { State = QueryState.Cancelled, FinishedAt = Now(), CancelledBy = cancelledEarly, Chunks = [], ResultFile = null })
                .WithOpenSinksFailed("the query was cancelled before it produced output");
            repository.Save(ended, durable: true);
            _runtime.Hub.Notify(id);
            return;
        }

        if (record.State == QueryState.Running)
        {
            record = DiscardAttempt(record);
        }

        var parsed = QueryParser.Parse(ToText(record.Filter), QueryArgumentNames.Json);
        if (!parsed.Success)
        {
            throw new InvalidOperationException("the stored filter no longer parses: " + string.Join("; ", parsed.Errors));
        }

        var query = parsed.Query!;
        using var snapshot = StoreSnapshot.Take(_runtime.Store, query, _runtime.Options.QueryOpenSegments);
        var (format, linkType) = ChooseFormat(snapshot);
        var formatName = format == CaptureFileFormat.Pcap ? "pcap" : "pcapng";
        var resultFile = "result." + formatName;
        var resultPath = Path.Combine(repository.Directory(id), resultFile);
        var chunksDirectory = repository.ChunksDirectory(id);
        var state = new JobState(repository, record with
        {
            State = QueryState.Running,
            JobId = jobId ?? record.JobId,
            Attempt = record.Attempt + 1,
            Node = _runtime.NodeName,
            StartedAt = Now(),
            Format = formatName,
            ResultFile = resultFile,
            Chunks = [],
            Progress = new QueryProgress(),
            SealedSegments = snapshot.Sealed.Count,
            Unsealed = snapshot.OpenToJson(_runtime.Store.Layout),
            Sinks = record.Sinks.Select(s => s with { State = SinkState.Pending, Error = null, Artifacts = [], LedgerSeq = null }).ToList(),
        });
        var current = state.Save(durable: true);
        _runtime.Ledger.Record(current.Owner, "query.started", new JsonObject { ["queryId"] = id }, null, new JsonObject
        {
            ["attempt"] = current.Attempt,
            ["node"] = _runtime.NodeName,
            ["format"] = formatName,
            ["sealedSegments"] = new JsonArray(snapshot.Sealed.Select(s => (JsonNode)s.Id).ToArray()),
            ["segmentsLeftOut"] = SegmentLeftOut.ToJson(snapshot.LeftOut),
            ["allowPartial"] = current.AllowPartial,
            ["unsealedSegments"] = current.Unsealed!.DeepClone(),
        }, current.Case, current.Reason);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _runtime.Hub.Register(id).Token);
        using var markerWatch = new Timer(_ =>
        {
            if (File.Exists(repository.CancelMarkerPath(id)))
            {
                TryCancel(cancel);
            }
        }, null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        var feed = new QueryFeed(id, resultPath, chunksDirectory, formatName);
        var range = TimeRange(snapshot, query);
        var progressClock = Stopwatch.StartNew();
        ChunkedResultWriter? writerRef = null;
        using var writer = new ChunkedResultWriter(resultPath, chunksDirectory, format, linkType, _runtime.Store.Options.Application,
            $"Recorder extraction: query {id}, case {current.Case}", _runtime.Options.Chunks, _runtime.Options.ExtractionBytesPerSecond,
            chunk =>
            {
                var seq = _runtime.Ledger.Record(current.Owner, "query.chunk-written", new JsonObject { ["queryId"] = id, ["chunk"] = chunk.Number },
                    new Dictionary<string, string> { ["chunk"] = chunk.Sha256 },
                    new JsonObject
                    {
                        ["file"] = _runtime.Store.Layout.Relative(Path.Combine(chunksDirectory, chunk.File)),
                        ["packets"] = chunk.Packets,
                        ["bytes"] = chunk.Bytes,
                        ["firstTimestamp"] = chunk.FirstTimestamp,
                        ["lastTimestamp"] = chunk.LastTimestamp,
                        ["resultOffset"] = chunk.ResultOffset,
                    }, current.Case, current.Reason);
                var recorded = chunk with { LedgerSeq = seq };
                state.Update(r => r with { Chunks = [.. r.Chunks, recorded], Progress = Progress(writerRef, r.Chunks.Count + 1, range) }, durable: false);
                feed.Add(recorded);
                _runtime.Hub.Notify(id);
                return recorded;
            },
            () =>
            {
                feed.Pulse();
                _runtime.Hub.Notify(id);
                if (progressClock.Elapsed >= TimeSpan.FromMilliseconds(250))
                {
                    progressClock.Restart();
                    state.Update(r => r with { Progress = Progress(writerRef, r.Chunks.Count, range) }, durable: false);
                }
            },
            cancel.Token);
        writerRef = writer;
        feed.Pulse();
        _runtime.Hub.Notify(id);

        // The sinks start now, before a single packet is read, and each follows the output at its own pace.
        var sinks = StartSinks(state, feed, shutdown);
        try
        {
            Extract(id, query, snapshot, writer, state, current, feed, sinks, cancel.Token, shutdown);
        }
        catch (Exception) when (!shutdown.IsCancellationRequested && feed.FinalLength is null)
        {
            // Something beyond the extraction itself failed (the ledger, the disk): the sinks get the
            // end of their input and their timeout, so none follows the output for ever.
            feed.End(QueryState.Failed, null);
            foreach (var (runner, _, stop) in sinks)
            {
                stop.CancelAfter(runner.Definition.Timeout);
            }

            throw;
        }
    }

    private void Extract(string id, PacketQuery query, StoreSnapshot snapshot, ChunkedResultWriter writer, JobState state, QueryRecord current,
        QueryFeed feed, List<(SinkRunner Runner, Task<SinkOutcome> Task, CancellationTokenSource Stop)> sinks, CancellationToken cancel, CancellationToken shutdown)
    {
        var repository = _runtime.Queries;
        var resultFile = current.ResultFile!;
        var formatName = current.Format!;
        var resultPath = Path.Combine(repository.Directory(id), resultFile);
        SnapshotQueryRun? run = null;
        Exception? failure = null;
        var outcome = QueryState.Succeeded;
        try
        {
            // Without allowPartial a query that cannot read every segment fails before reading any:
            // its answer would look complete to whoever receives the result and is not.
            run = snapshot.Selection.Partial && !current.AllowPartial
                ? throw new SegmentsLeftOutException(snapshot.LeftOut)
                : new SnapshotQueryExecutor(_runtime.Store, _runtime.Bpf, _runtime.Index).Execute(query, snapshot, writer, cancel);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            writer.Dispose();
            StopSinks(sinks);
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = QueryState.Cancelled;
        }
        catch (Exception e)
        {
            outcome = QueryState.Failed;
            failure = e;
        }

        var summary = writer.Complete();
        var result = new ResultInfo
        {
            File = resultFile,
            Format = formatName,
            Packets = summary.Packets,
            Bytes = summary.Bytes,
            Sha256 = summary.Sha256,
            Partial = outcome != QueryState.Succeeded || snapshot.Selection.Partial,
            SegmentsLeftOut = snapshot.LeftOut.Select(s => new SegmentLeftOutInfo(s.SegmentId, s.Reason)).ToList(),
        };
        var cancelledBy = outcome == QueryState.Cancelled ? ReadCancelMarker(id) : null;
        var outputJson = new JsonObject
        {
            ["path"] = resultPath,
            ["format"] = formatName,
            ["packets"] = summary.Packets,
            ["bytes"] = summary.Bytes,
            ["sha256"] = summary.Sha256,
        };
        long completedSeq;
        var subjects = new JsonObject
        {
            ["queryId"] = id,
            ["segmentIds"] = new JsonArray((run?.Sealed.SegmentsContributing ?? []).Select(s => (JsonNode)s).ToArray()),
        };
        if (outcome == QueryState.Failed)
        {
            completedSeq = _runtime.Ledger.Record(current.Owner, "query.failed", subjects, new Dictionary<string, string> { ["output"] = summary.Sha256 },
                new JsonObject
                {
                    ["error"] = $"{failure!.GetType().Name}: {failure.Message}",
                    ["partialOutput"] = outputJson,
                    ["segmentsLeftOut"] = SegmentLeftOut.ToJson(snapshot.LeftOut),
                    ["chunks"] = state.Current.Chunks.Count,
                    ["node"] = _runtime.NodeName,
                    ["attempt"] = current.Attempt,
                }, current.Case, current.Reason);
        }
        else
        {
            completedSeq = _runtime.Ledger.Record(current.Owner, "extraction.written", subjects, new Dictionary<string, string> { ["output"] = summary.Sha256 },
                new JsonObject
                {
                    ["output"] = outputJson,
                    ["location"] = "store",
                    ["partial"] = result.Partial,
                    ["segmentsLeftOut"] = SegmentLeftOut.ToJson(snapshot.LeftOut),
                    ["cancelledBy"] = cancelledBy,
                    ["chunks"] = state.Current.Chunks.Count,
                    ["run"] = run?.ToJson(),
                    ["node"] = _runtime.NodeName,
                    ["attempt"] = current.Attempt,
                }, current.Case, current.Reason);
        }

        var checkpoint = _runtime.Ledger.Checkpoint();
        state.Update(r => r with
        {
            State = outcome,
            FinishedAt = Now(),
            Result = result,
            Run = run?.ToJson(),
            Error = failure is null ? null : $"{failure.GetType().Name}: {failure.Message}",
            CancelledBy = cancelledBy ?? r.CancelledBy,
            CompletedSeq = completedSeq,
            CheckpointSize = checkpoint.Size,
            Progress = new QueryProgress
            {
                Packets = summary.Packets,
                Bytes = summary.Bytes,
                Chunks = r.Chunks.Count,
                Fraction = outcome == QueryState.Succeeded ? 1 : r.Progress.Fraction,
                LatestTimestamp = writer.LatestNanoseconds is { } latest ? new Timestamp(latest).ToString() : null,
            },
        }, durable: true);
        feed.End(outcome, result);
        _runtime.Hub.Notify(id);
        FinishSinks(state, sinks, shutdown);
    }

    private QueryRecord DiscardAttempt(QueryRecord record)
    {
        var repository = _runtime.Queries;
        var id = record.Id;
        var resultBytes = record.ResultFile is { } file && File.Exists(Path.Combine(repository.Directory(id), file))
            ? new FileInfo(Path.Combine(repository.Directory(id), file)).Length
            : 0;
        foreach (var name in new[] { "result.pcap", "result.pcapng" })
        {
            File.Delete(Path.Combine(repository.Directory(id), name));
        }

        foreach (var directory in new[] { repository.ChunksDirectory(id), repository.ArtifactsDirectory(id) })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        _runtime.Ledger.Record(record.Owner, "query.restarted", new JsonObject { ["queryId"] = id }, null, new JsonObject
        {
            ["previousAttempt"] = record.Attempt,
            ["previousNode"] = record.Node,
            ["discardedChunks"] = new JsonArray(record.Chunks.Select(c => (JsonNode)new JsonObject { ["chunk"] = c.Number, ["sha256"] = c.Sha256 }).ToArray()),
            ["discardedResultBytes"] = resultBytes,
            ["node"] = _runtime.NodeName,
            ["note"] = "the previous attempt's worker stopped before the query ended; its output was discarded and the query starts over",
        }, record.Case, record.Reason);
        return record;
    }

    private List<(SinkRunner Runner, Task<SinkOutcome> Task, CancellationTokenSource Stop)> StartSinks(JobState state, QueryFeed feed, CancellationToken shutdown)
    {
        var started = new List<(SinkRunner, Task<SinkOutcome>, CancellationTokenSource)>();
        var record = state.Current;
        foreach (var sink in record.Sinks.Where(s => s.State is SinkState.Pending or SinkState.Running))
        {
            var definition = SinkFromPolicies(sink);
            var directory = Path.Combine(_runtime.Queries.ArtifactsDirectory(record.Id), sink.Name);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            var context = new SinkContext(feed, directory, _runtime.Store.Layout.Root, _runtime.Http, stop.Token);
            var runner = definition is null ? new UnavailableSink(sink, context) : SinkRunner.Create(definition, context);
            state.Update(r => r with
            {
                Sinks = r.Sinks.Select(s => s.Name == sink.Name ? s with { State = SinkState.Running, StartedAt = Now() } : s).ToList(),
            }, durable: false);
            var task = Task.Run(() => runner.RunAsync(stop.Token), CancellationToken.None);
            started.Add((runner, task, stop));
        }

        return started;
    }

    private static void StopSinks(List<(SinkRunner Runner, Task<SinkOutcome> Task, CancellationTokenSource Stop)> sinks)
    {
        foreach (var (_, task, stop) in sinks)
        {
            TryCancel(stop);
            task.ContinueWith(_ => stop.Dispose(), TaskScheduler.Default);
        }
    }

    /// <summary>Gives each sink its timeout from now (the query has ended), then records how each fared.</summary>
    private void FinishSinks(JobState state, List<(SinkRunner Runner, Task<SinkOutcome> Task, CancellationTokenSource Stop)> sinks, CancellationToken shutdown)
    {
        foreach (var (runner, _, stop) in sinks)
        {
            stop.CancelAfter(runner.Definition.Timeout);
        }

        foreach (var (runner, task, stop) in sinks)
        {
            SinkOutcome outcome;
            try
            {
                outcome = task.GetAwaiter().GetResult();
            }
            finally
            {
                stop.Dispose();
            }

            if (shutdown.IsCancellationRequested && !outcome.Succeeded)
            {
                // Stopped by the shutdown, not by its own doing: the next worker runs it again.
                StopSinks(sinks);
                shutdown.ThrowIfCancellationRequested();
            }

            RecordSink(state, runner, outcome);
        }
    }

    private void ResumeSinks(JobState state, CancellationToken shutdown)
    {
        var record = state.Current;
        var repository = _runtime.Queries;
        var feed = QueryFeed.Ended(record.Id, Path.Combine(repository.Directory(record.Id), record.ResultFile ?? "result.pcap"),
            repository.ChunksDirectory(record.Id), record);
        var sinks = StartSinks(state, feed, shutdown);
        FinishSinks(state, sinks, shutdown);
    }

    private void RecordSink(JobState state, SinkRunner runner, SinkOutcome outcome)
    {
        var record = state.Current;
        var artifacts = runner.Artifacts();
        var hashes = artifacts.ToDictionary(a => a.Name, a => a.Sha256, StringComparer.Ordinal);
        var seq = _runtime.Ledger.Record(record.Owner, outcome.Succeeded ? "sink.completed" : "sink.failed",
            new JsonObject { ["queryId"] = record.Id, ["sink"] = runner.Definition.Name }, hashes,
            new JsonObject
            {
                ["definition"] = runner.Definition.ToJson(),
                ["delivered"] = outcome.Delivered,
                ["error"] = outcome.Error,
                ["artifacts"] = new JsonArray(artifacts.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["bytes"] = a.Bytes, ["sha256"] = a.Sha256 }).ToArray()),
                ["node"] = _runtime.NodeName,
            }, record.Case, record.Reason);
        state.Update(r => r with
        {
            Sinks = r.Sinks.Select(s => s.Name != runner.Definition.Name ? s : s with
            {
                State = outcome.Succeeded ? SinkState.Succeeded : SinkState.Failed,
                Error = outcome.Error,
                Delivered = outcome.Delivered,
                FinishedAt = Now(),
                Artifacts = artifacts,
                LedgerSeq = seq,
            }).ToList(),
        }, durable: true);
        _runtime.Hub.Notify(record.Id);
    }

    private void RecordFailure(string id, Exception error)
    {
        var record = _runtime.Queries.Load(id);
        if (record is null || record.Ended)
        {
            return;
        }

        var seq = _runtime.Ledger.Record(record.Owner, "query.failed", new JsonObject { ["queryId"] = id }, null, new JsonObject
        {
            ["error"] = $"{error.GetType().Name}: {error.Message}",
            ["node"] = _runtime.NodeName,
            ["attempt"] = record.Attempt,
        }, record.Case, record.Reason);
        _runtime.Queries.Save((record with
        {
            State = QueryState.Failed,
            FinishedAt = Now(),
            Error = $"{error.GetType().Name}: {error.Message}",
            CompletedSeq = seq,
        }).WithOpenSinksFailed("the query failed before the sink could finish"), durable: true);
        _runtime.Hub.Notify(id);
    }

    private string? ReadCancelMarker(string id)
    {
        var path = _runtime.Queries.CancelMarkerPath(id);
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(path))?["by"]?.GetValue<string>() ?? "?";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return "?";
        }
    }

    private static FileLock WaitForLock(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (FileLock.TryAcquire(path) is { } taken)
            {
                return taken;
            }

            // Another worker (here or on another node) runs this query: wait, then look at its outcome.
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already done.
        }
    }

    private string Now() => Timestamp.Now(_runtime.Clock).ToString();

    private static QueryText ToText(QueryFilterText filter) => new()
    {
        Hosts = filter.Hosts,
        Ports = filter.Ports,
        Protocols = filter.Proto,
        From = filter.From,
        To = filter.To,
        Bpf = filter.Bpf,
    };

    /// <summary>
    /// The sink as the policies in force define it: only an administrator decides which programs run,
    /// so a sink removed from the policies since the query was accepted does not run.
    /// </summary>
    private SinkDefinition? SinkFromPolicies(SinkStatus sink) => _runtime.Policies.Sinks.GetValueOrDefault(sink.Name);

    /// <summary>Classic nanosecond pcap when every candidate segment has one link type and fits its 32-bit seconds; pcapng otherwise.</summary>
    private static (CaptureFileFormat Format, int LinkType) ChooseFormat(StoreSnapshot snapshot)
    {
        var linkTypes = snapshot.Sealed.Select(s => s.Manifest.LinkType).Concat(snapshot.Open.Select(o => o.LinkType)).Distinct().ToList();
        var fits = snapshot.Sealed.All(s => s.Manifest.FirstTimestamp.UnixNanoseconds >= 0
            && s.Manifest.LastTimestamp.UnixNanoseconds / Timestamp.NanosPerSecond <= uint.MaxValue);
        return linkTypes.Count <= 1 && fits
            ? (CaptureFileFormat.Pcap, linkTypes.Count == 1 ? linkTypes[0] : 1)
            : (CaptureFileFormat.Pcapng, -1);
    }

    private (long Low, long High) TimeRange(StoreSnapshot snapshot, PacketQuery query)
    {
        var now = Timestamp.Now(_runtime.Clock).UnixNanoseconds;
        var low = snapshot.Sealed.Count > 0 ? snapshot.Sealed.Min(s => s.Manifest.FirstTimestamp.UnixNanoseconds) : now;
        var high = snapshot.Sealed.Count > 0 ? snapshot.Sealed.Max(s => s.Manifest.LastTimestamp.UnixNanoseconds) : now;
        if (snapshot.Open.Count > 0)
        {
            high = Math.Max(high, now);
        }

        if (query.From is { } from && from.UnixNanoseconds > low)
        {
            low = from.UnixNanoseconds;
        }

        if (query.To is { } to && to.UnixNanoseconds < high)
        {
            high = to.UnixNanoseconds;
        }

        return (low, high);
    }

    private static QueryProgress Progress(ChunkedResultWriter? writer, int chunks, (long Low, long High) range)
    {
        if (writer is null)
        {
            return new QueryProgress();
        }

        var latest = writer.LatestNanoseconds;
        var fraction = latest is not { } at || range.High <= range.Low ? 0 : Math.Clamp((double)(at - range.Low) / (range.High - range.Low), 0, 1);
        return new QueryProgress
        {
            Packets = writer.Packets,
            Bytes = writer.Bytes,
            Chunks = chunks,
            Fraction = Math.Round(fraction, 4),
            LatestTimestamp = latest is { } value ? new Timestamp(value).ToString() : null,
        };
    }

    /// <summary>The query's state while its job runs: every change is saved at once.</summary>
    private sealed class JobState(QueryRepository repository, QueryRecord initial)
    {
        private readonly Lock _gate = new();
        private QueryRecord _record = initial;

        public QueryRecord Current
        {
            get
            {
                lock (_gate)
                {
                    return _record;
                }
            }
        }

        public QueryRecord Save(bool durable)
        {
            lock (_gate)
            {
                repository.Save(_record, durable);
                return _record;
            }
        }

        public QueryRecord Update(Func<QueryRecord, QueryRecord> change, bool durable)
        {
            lock (_gate)
            {
                _record = change(_record);
                repository.Save(_record, durable);
                return _record;
            }
        }
    }
}
