using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Api.Sinks;
using Recorder.Core.Store;
using Recorder.Core.Time;

namespace Recorder.Api.Queries;

/// <summary>
/// The analysis tools pre-wired to one query, for one run of its job: started before the first
/// packet is read so each follows the output at its own pace, given their timeout once the query
/// ends, and each recorded (<c>sink.completed</c> or <c>sink.failed</c>, with its artifacts' hashes)
/// as it finishes. A sink the service's shutdown interrupted is left unfinished for the next worker.
/// </summary>
internal sealed class QuerySinks
{
    private readonly ServiceRuntime _runtime;
    private readonly QueryJobState _state;
    private readonly List<RunningSink> _running;

    private QuerySinks(ServiceRuntime runtime, QueryJobState state, List<RunningSink> running)
    {
        _runtime = runtime;
        _state = state;
        _running = running;
    }

    /// <summary>Starts every sink of the query not yet finished, each reading <paramref name="feed"/>; <paramref name="shutdown"/> stops them all.</summary>
    public static QuerySinks Start(ServiceRuntime runtime, QueryJobState state, QueryFeed feed, CancellationToken shutdown)
    {
        var running = new List<RunningSink>();
        var record = state.Current;
        foreach (var sink in record.Sinks.Where(s => s.State is SinkState.Pending or SinkState.Running))
        {
            var directory = Path.Combine(runtime.Queries.ArtifactsDirectory(record.Id), sink.Name);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            // Only an administrator decides which programs run: a sink removed from the policies since
            // the query was accepted does not run (it fails as unavailable).
            var definition = runtime.Policies.Sinks.GetValueOrDefault(sink.Name);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            var context = new SinkContext(feed, directory, runtime.Store.Layout.Root, runtime.Http, stop.Token);
            var runner = definition is null ? new UnavailableSink(sink, context) : SinkRunner.Create(definition, context);
            state.Update(r => r with
            {
                Sinks = r.Sinks.Select(s => s.Name == sink.Name ? s with { State = SinkState.Running, StartedAt = Timestamp.Now(runtime.Clock).ToString() } : s).ToList(),
            }, durable: false);
            var task = Task.Run(() => runner.RunAsync(stop.Token), CancellationToken.None);
            running.Add(new RunningSink(runner, task, stop));
        }

        return new QuerySinks(runtime, state, running);
    }

    /// <summary>Runs again, over the ended query's result, the sinks a previous job left unfinished, and records each.</summary>
    public static void Resume(ServiceRuntime runtime, QueryJobState state, CancellationToken shutdown)
    {
        var record = state.Current;
        var repository = runtime.Queries;
        var feed = QueryFeed.Ended(record.Id, Path.Combine(repository.Directory(record.Id), record.ResultFile ?? "result.pcap"),
            repository.ChunksDirectory(record.Id), record);
        Start(runtime, state, feed, shutdown).Finish(shutdown);
    }

    /// <summary>Stops every sink now (the service is stopping); each is disposed once it has stopped.</summary>
    public void Stop()
    {
        foreach (var sink in _running)
        {
            CancelMarker.TryCancel(sink.Stop);
            sink.Task.ContinueWith(_ => sink.Stop.Dispose(), TaskScheduler.Default);
        }
    }

    /// <summary>Gives each sink its timeout from now: the query has ended (or failed), so no sink follows the output for ever.</summary>
    public void GiveTimeouts()
    {
        foreach (var sink in _running)
        {
            sink.Stop.CancelAfter(sink.Runner.Definition.Timeout);
        }
    }

    /// <summary>Gives each sink its timeout from now (the query has ended), then records how each fared.</summary>
    public void Finish(CancellationToken shutdown)
    {
        GiveTimeouts();
        foreach (var (runner, task, stop) in _running)
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
                Stop();
                shutdown.ThrowIfCancellationRequested();
            }

            Record(runner, outcome);
        }
    }

    private void Record(SinkRunner runner, SinkOutcome outcome)
    {
        var record = _state.Current;
        var artifacts = runner.Artifacts();
        var hashes = artifacts.ToDictionary(a => a.Name, a => a.Sha256, StringComparer.Ordinal);
        var seq = _runtime.Ledger.Record(record.Owner, outcome.Succeeded ? LedgerActions.SinkCompleted : LedgerActions.SinkFailed,
            new JsonObject { ["queryId"] = record.Id, ["sink"] = runner.Definition.Name }, hashes,
            new JsonObject
            {
                ["definition"] = runner.Definition.ToJson(),
                ["delivered"] = outcome.Delivered,
                ["error"] = outcome.Error,
                ["artifacts"] = new JsonArray(artifacts.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["bytes"] = a.Bytes, ["sha256"] = a.Sha256 }).ToArray()),
                ["node"] = _runtime.NodeName,
            }, record.Case, record.Reason);
        _state.Update(r => r with
        {
            Sinks = r.Sinks.Select(s => s.Name != runner.Definition.Name ? s : s with
            {
                State = outcome.Succeeded ? SinkState.Succeeded : SinkState.Failed,
                Error = outcome.Error,
                Delivered = outcome.Delivered,
                FinishedAt = Timestamp.Now(_runtime.Clock).ToString(),
                Artifacts = artifacts,
                LedgerSeq = seq,
            }).ToList(),
        }, durable: true);
        _runtime.Hub.Notify(record.Id);
    }

    private sealed record RunningSink(SinkRunner Runner, Task<SinkOutcome> Task, CancellationTokenSource Stop);
}
