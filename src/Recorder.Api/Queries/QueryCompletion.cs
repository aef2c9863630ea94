using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Api.Sinks;
using Recorder.Application.KeyLogs;
using Recorder.Application.Queries;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Storage.Query;

namespace Recorder.Api.Queries;

/// <summary>
/// Runs an attempt's extraction and ends the query: whatever the outcome (succeeded, cancelled,
/// failed), the output written is completed, hashed and recorded (<c>extraction.written</c>, or
/// <c>query.failed</c> naming the partial output), the ledger is checkpointed, the record saved
/// durably as ended, and the sinks finished. Only the service's shutdown leaves the query unended,
/// for the next worker to restart. Unless the submission turned them off (<paramref name="secrets"/>
/// null), the packets pass through the command line's <see cref="SecretsInjectingSink"/>, and the
/// secrets written (or none) are recorded with the outcome and kept in the query's record.
/// </summary>
internal sealed class QueryCompletion(ServiceRuntime runtime, QueryJobState state, QueryFeed feed, QuerySinks sinks, KeyLogSecrets? secrets)
{
    /// <summary>Extracts <paramref name="query"/> from <paramref name="snapshot"/> into <paramref name="writer"/>, then ends the query.</summary>
    public void Run(PacketQuery query, StoreSnapshot snapshot, ChunkedResultWriter writer, CancellationToken cancel, CancellationToken shutdown)
    {
        var injecting = secrets is null ? null : new SecretsInjectingSink(writer, secrets);
        var extraction = Extract(query, snapshot, writer, (IQueryPacketSink?)injecting ?? writer, cancel, shutdown);
        var summary = writer.Complete();
        var carried = (injecting?.Summary() ?? ExtractionSecrets.Disabled).ToJson();
        var current = state.Current;
        var result = new ResultInfo
        {
            File = current.ResultFile!,
            Format = current.Format!,
            Packets = summary.Packets,
            Bytes = summary.Bytes,
            Sha256 = summary.Sha256,
            Partial = extraction.Outcome != QueryState.Succeeded || snapshot.Selection.Partial,
            SegmentsLeftOut = snapshot.LeftOut.Select(s => new SegmentLeftOutInfo(s.SegmentId, s.Reason)).ToList(),
        };
        var cancelledBy = extraction.Outcome == QueryState.Cancelled ? new CancelMarker(runtime.Queries, current.Id).CancelledBy() : null;
        var completedSeq = Record(current, extraction, snapshot, result, cancelledBy, carried);
        SaveEnded(extraction, writer, result, cancelledBy, completedSeq, carried);
        feed.End(extraction.Outcome, result);
        runtime.Hub.Notify(current.Id);
        sinks.Finish(shutdown);
    }

    private Extraction Extract(PacketQuery query, StoreSnapshot snapshot, ChunkedResultWriter writer, IQueryPacketSink sink, CancellationToken cancel,
        CancellationToken shutdown)
    {
        try
        {
            // Without allowPartial a query that cannot read every segment fails before reading any:
            // its answer would look complete to whoever receives the result and is not.
            var run = snapshot.Selection.Partial && !state.Current.AllowPartial
                ? throw new SegmentsLeftOutException(snapshot.LeftOut)
                : new SnapshotQueryExecutor(runtime.Store, runtime.Bpf, runtime.Index).Execute(query, snapshot, sink, cancel);
            return new Extraction(QueryState.Succeeded, run, null);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            writer.Dispose();
            sinks.Stop();
            throw;
        }
        catch (OperationCanceledException)
        {
            return new Extraction(QueryState.Cancelled, null, null);
        }
        catch (Exception e)
        {
            return new Extraction(QueryState.Failed, null, e);
        }
    }

    /// <summary>Records the outcome: <c>query.failed</c> naming the partial output, or <c>extraction.written</c> (partial when cancelled or segments were left out).</summary>
    private long Record(QueryRecord current, Extraction extraction, StoreSnapshot snapshot, ResultInfo result, string? cancelledBy, JsonObject carried)
    {
        var output = new ExtractionOutput(
            new JsonObject
            {
                ["path"] = AttemptOutput.ResultPath(runtime, current),
                ["format"] = result.Format,
                ["packets"] = result.Packets,
                ["bytes"] = result.Bytes,
                ["sha256"] = result.Sha256,
            },
            result.Sha256,
            extraction.Run?.Sealed.SegmentsContributing ?? [],
            snapshot.LeftOut);
        var audited = new AuditedQuery(current.Id, current.Case, current.Reason);
        var attempt = new ServiceAttempt(runtime.NodeName) { Attempt = current.Attempt, Chunks = current.Chunks.Count, CancelledBy = cancelledBy };
        var custodyEvent = extraction.Failure is { } failure
            ? QueryCustodyEvents.Failed(audited, QueryCustodyEvents.Describe(failure), output, attempt, carried)
            : QueryCustodyEvents.ExtractionWritten(audited, output, result.Partial, extraction.Run?.ToJson(), attempt, carried);
        return runtime.Ledger.Record(current.Owner, custodyEvent);
    }

    private void SaveEnded(Extraction extraction, ChunkedResultWriter writer, ResultInfo result, string? cancelledBy, long completedSeq, JsonObject carried)
    {
        var checkpoint = runtime.Ledger.Checkpoint();
        state.Update(r => r with
        {
            State = extraction.Outcome,
            FinishedAt = Timestamp.Now(runtime.Clock).ToString(),
            Result = result,
            Run = extraction.Run?.ToJson(),
            Error = extraction.Failure is { } failure ? QueryCustodyEvents.Describe(failure) : null,
            CancelledBy = cancelledBy ?? r.CancelledBy,
            CompletedSeq = completedSeq,
            CheckpointSize = checkpoint.Size,
            Secrets = carried,
            Progress = new QueryProgress
            {
                Packets = result.Packets,
                Bytes = result.Bytes,
                Chunks = r.Chunks.Count,
                Fraction = extraction.Outcome == QueryState.Succeeded ? 1 : r.Progress.Fraction,
                LatestTimestamp = writer.LatestNanoseconds is { } latest ? new Timestamp(latest).ToString() : null,
            },
        }, durable: true);
    }

    /// <summary>How the extraction itself ended: the run when it finished, the failure when it threw.</summary>
    private sealed record Extraction(QueryState Outcome, SnapshotQueryRun? Run, Exception? Failure);
}
