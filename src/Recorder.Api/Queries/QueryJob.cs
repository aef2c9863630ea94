using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Recorder.Api.Hosting;
using Recorder.Api.Sinks;
using Recorder.Application.KeyLogs;
using Recorder.Application.Queries;
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
/// <remarks>
/// The job only orders the steps; each lives in its own unit: <see cref="QueryAttempts"/> (discard a
/// dead attempt, begin a new one), <see cref="QueryPlan"/> and <see cref="ProgressGauge"/> (result
/// format, progress), <see cref="AttemptOutput"/> (result and chunks, each chunk ledgered),
/// <see cref="QuerySinks"/> (the analysis tools), <see cref="QueryCompletion"/> (the extraction and
/// how it ended), <see cref="CancelMarker"/> (cancel requests from any node).
/// </remarks>
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
            QuerySinks.Resume(_runtime, new QueryJobState(_runtime.Queries, record), cancellationToken);
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
        var id = record.Id;
        var marker = new CancelMarker(_runtime.Queries, id);
        if (marker.CancelledBy() is { } cancelledEarly)
        {
            EndCancelledEarly(record, cancelledEarly);
            return;
        }

        if (record.State == QueryState.Running)
        {
            record = QueryAttempts.DiscardDead(_runtime, record);
        }

        var query = ParseStoredFilter(record);
        using var snapshot = StoreSnapshot.Take(_runtime.Store, query, _runtime.Options.QueryOpenSegments);
        // Loaded once per attempt: a key log imported while the query runs is for the next query.
        var secrets = record.WithSecrets ? KeyLogSecrets.Load(_runtime.Store) : null;
        var plan = QueryPlan.For(snapshot, carriesSecrets: secrets is { Connections: > 0 });
        var state = QueryAttempts.Begin(_runtime, record, jobId, snapshot, plan);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _runtime.Hub.Register(id).Token);
        using var markerWatch = marker.Watch(cancel);
        var feed = new QueryFeed(id, AttemptOutput.ResultPath(_runtime, state.Current), _runtime.Queries.ChunksDirectory(id), plan.FormatName);
        using var output = new AttemptOutput(_runtime, state, feed, new ProgressGauge(snapshot, query, _runtime.Clock), plan, cancel.Token);
        feed.Pulse();
        _runtime.Hub.Notify(id);

        // The sinks start now, before a single packet is read, and each follows the output at its own pace.
        var sinks = QuerySinks.Start(_runtime, state, feed, shutdown);
        try
        {
            new QueryCompletion(_runtime, state, feed, sinks, secrets).Run(query, snapshot, output.Writer, cancel.Token, shutdown);
        }
        catch (Exception) when (!shutdown.IsCancellationRequested && feed.FinalLength is null)
        {
            // Something beyond the extraction itself failed (the ledger, the disk): the sinks get the
            // end of their input and their timeout, so none follows the output for ever.
            feed.End(QueryState.Failed, null);
            sinks.GiveTimeouts();
            throw;
        }
    }

    /// <summary>Cancelled before a worker got to it, or while a worker that has since died had it: it ends with no output.</summary>
    private void EndCancelledEarly(QueryRecord record, string cancelledBy)
    {
        if (record.State == QueryState.Running)
        {
            record = QueryAttempts.DiscardDead(_runtime, record);
        }

        var ended = (record with { State = QueryState.Cancelled, FinishedAt = Now(), CancelledBy = cancelledBy, Chunks = [], ResultFile = null })
            .WithOpenSinksFailed("the query was cancelled before it produced output");
        _runtime.Queries.Save(ended, durable: true);
        _runtime.Hub.Notify(record.Id);
    }

    private static PacketQuery ParseStoredFilter(QueryRecord record)
    {
        var filter = record.Filter;
        var parsed = QueryParser.Parse(new QueryText
        {
            Hosts = filter.Hosts,
            Ports = filter.Ports,
            Protocols = filter.Proto,
            From = filter.From,
            To = filter.To,
            Bpf = filter.Bpf,
        }, QueryArgumentNames.Json);
        if (!parsed.Success)
        {
            throw new InvalidOperationException("the stored filter no longer parses: " + string.Join("; ", parsed.Errors));
        }

        // A query by sessions extracts the conversations resolved at submission, never a new search.
        return filter.Conversations.Count == 0
            ? parsed.Query!
            : PacketQuery.ForConversations(filter.Conversations.Select(c => c.ToWindow()).ToList(), parsed.Query!.From, parsed.Query.To, parsed.Query.Bpf);
    }

    private void RecordFailure(string id, Exception error)
    {
        var record = _runtime.Queries.Load(id);
        if (record is null || record.Ended)
        {
            return;
        }

        var described = QueryCustodyEvents.Describe(error);
        var seq = _runtime.Ledger.Record(record.Owner, QueryCustodyEvents.Failed(new AuditedQuery(id, record.Case, record.Reason), described,
            service: new ServiceAttempt(_runtime.NodeName) { Attempt = record.Attempt }));
        _runtime.Queries.Save((record with
        {
            State = QueryState.Failed,
            FinishedAt = Now(),
            Error = described,
            CompletedSeq = seq,
        }).WithOpenSinksFailed("the query failed before the sink could finish"), durable: true);
        _runtime.Hub.Notify(id);
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

    private string Now() => Timestamp.Now(_runtime.Clock).ToString();
}
