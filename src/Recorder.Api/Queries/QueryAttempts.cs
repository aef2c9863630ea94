using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Query;

namespace Recorder.Api.Queries;

/// <summary>
/// Where one attempt at a query begins: a dead attempt's output is discarded and the restart
/// recorded (<c>query.restarted</c>), then the new attempt is saved as running and recorded
/// (<c>query.started</c>) with what its snapshot of the store holds, before a packet is read.
/// </summary>
internal static class QueryAttempts
{
    private const string RestartNote = "the previous attempt's worker stopped before the query ended; its output was discarded and the query starts over";

    /// <summary>
    /// Deletes what the attempt in <paramref name="record"/> wrote (its worker died: the query was
    /// left running) and records what was discarded, each chunk with its SHA-256.
    /// </summary>
    public static QueryRecord DiscardDead(ServiceRuntime runtime, QueryRecord record)
    {
        var repository = runtime.Queries;
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

        runtime.Ledger.Record(record.Owner, LedgerActions.QueryRestarted, new JsonObject { ["queryId"] = id }, null, new JsonObject
        {
            ["previousAttempt"] = record.Attempt,
            ["previousNode"] = record.Node,
            ["discardedChunks"] = new JsonArray(record.Chunks.Select(c => (JsonNode)new JsonObject { ["chunk"] = c.Number, ["sha256"] = c.Sha256 }).ToArray()),
            ["discardedResultBytes"] = resultBytes,
            ["node"] = runtime.NodeName,
            ["note"] = RestartNote,
        }, record.Case, record.Reason);
        return record;
    }

    /// <summary>
    /// Saves (durably) the next attempt at <paramref name="record"/> as running on this node under
    /// Hangfire job <paramref name="jobId"/>, its sinks pending, and records <c>query.started</c>.
    /// </summary>
    public static QueryJobState Begin(ServiceRuntime runtime, QueryRecord record, string? jobId, StoreSnapshot snapshot, QueryPlan plan)
    {
        var state = new QueryJobState(runtime.Queries, record with
        {
            State = QueryState.Running,
            JobId = jobId ?? record.JobId,
            Attempt = record.Attempt + 1,
            Node = runtime.NodeName,
            StartedAt = Timestamp.Now(runtime.Clock).ToString(),
            Format = plan.FormatName,
            ResultFile = plan.ResultFile,
            Chunks = [],
            Progress = new QueryProgress(),
            SealedSegments = snapshot.Sealed.Count,
            Unsealed = snapshot.OpenToJson(runtime.Store.Layout),
            Sinks = record.Sinks.Select(s => s with { State = SinkState.Pending, Error = null, Artifacts = [], LedgerSeq = null }).ToList(),
        });
        var current = state.Save(durable: true);
        runtime.Ledger.Record(current.Owner, LedgerActions.QueryStarted, new JsonObject { ["queryId"] = current.Id }, null, new JsonObject
        {
            ["attempt"] = current.Attempt,
            ["node"] = runtime.NodeName,
            ["format"] = plan.FormatName,
            ["sealedSegments"] = new JsonArray(snapshot.Sealed.Select(s => (JsonNode)s.Id).ToArray()),
            ["segmentsLeftOut"] = SegmentLeftOut.ToJson(snapshot.LeftOut),
            ["allowPartial"] = current.AllowPartial,
            ["unsealedSegments"] = current.Unsealed!.DeepClone(),
        }, current.Case, current.Reason);
        return state;
    }
}
