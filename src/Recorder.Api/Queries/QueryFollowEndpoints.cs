using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Core.Hashing;
using Recorder.Core.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// What the dashboard's query pages need beyond submitting and reading: check a submission without
/// submitting it, what the caller's role may submit, follow a query as Server-Sent Events, and a
/// summary of a finished result.
/// </summary>
internal static class QueryFollowEndpoints
{
    /// <summary>How often an idle event stream sends a comment, so proxies and browsers keep it open.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>The summary cached next to the result (keyed by the result's SHA-256 inside).</summary>
    public const string SummaryFileName = "summary.json";

    /// <summary>Maps the endpoints into the <c>/api/queries</c> group.</summary>
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/check", Check)
            .RequirePermission(Permission.QueriesSubmit)
            .ReadsJsonBody<QuerySubmissionBody>()
            .Produces<Hosting.QueryCheckResponse>()
            .WithSummary("Check a submission as POST /api/queries would, without submitting it: 200 with the parsed filter, or the same 400/403 problems");
        group.MapGet("/options", Options)
            .RequirePermission(Permission.QueriesSubmit)
            .Produces<Hosting.QueryOptionsResponse>()
            .WithSummary("What the caller's role may submit: its sinks, its widest window, whether BPF is available, and the cases of the caller's visible queries");
        group.MapGet("/{id}/events", EventsAsync)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces(StatusCodes.Status200OK, typeof(string), "text/event-stream")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Follow a query as Server-Sent Events: a 'query' event (the JSON of GET /api/queries/{id}) at each change, ends once it has settled");
        group.MapGet("/{id}/summary", Summary)
            .RequirePermission(Permission.ResultsReadOwn, Permission.ResultsReadAll)
            .Produces<Hosting.PacketSummaryResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A finished result's packet summary: top talkers, ports, protocols, packets over time (ledgered as a read-out)");
    }

    private static async Task<IResult> Check(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        // The very parser POST /api/queries uses: what passes here is accepted there, and fails there
        // with the same fields. Nothing is read or submitted, so nothing is ledgered.
        var (submission, invalid, refused) = QuerySubmission.Parse(body!, runtime.Policies, caller.Role, runtime.Bpf is not null, runtime.BpfUnavailable);
        if (invalid.Count > 0)
        {
            return Problems.InvalidFields(invalid, http.Request.Path);
        }

        if (refused.Count > 0)
        {
            return Problems.Forbidden(string.Join("; ", refused.Select(r => $"{r.Field}: {r.Message}")), http.Request.Path, refused);
        }

        return Results.Json(new JsonObject
        {
            ["valid"] = true,
            ["description"] = submission!.Query.Describe(),
            ["normalizedFilter"] = submission.Query.ToJson(),
            ["sinks"] = new JsonArray(submission.Sinks.Select(s => (JsonNode)s.Name).ToArray()),
        }, QueryRepository.Json);
    }

    private static IResult Options(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        var all = caller.Has(Permission.QueriesReadAll);
        // From the in-memory summaries (newest first), not by reading every query's file.
        var cases = runtime.Queries.Summaries.All()
            .Where(r => all || r.Owner == caller.Name)
            .Select(r => r.Case)
            .Distinct(StringComparer.Ordinal)
            .Take(200);
        var sinks = runtime.Policies.Sinks.Values
            .Where(s => caller.Role.MayUseSink(s.Name))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["type"] = s.Type.ToString().ToLowerInvariant(),
                ["description"] = s.Description,
                ["directory"] = s.Type == SinkType.Folder ? s.Directory : null,
            });
        return Results.Json(new JsonObject
        {
            ["role"] = caller.Role.Name,
            ["maxWindowSeconds"] = caller.Role.MaxWindow is { } widest ? (long)widest.TotalSeconds : null,
            ["bpfAvailable"] = runtime.Bpf is not null,
            ["bpfUnavailable"] = runtime.Bpf is null ? runtime.BpfUnavailable ?? "libpcap is not available" : null,
            ["sinks"] = new JsonArray(sinks.ToArray()),
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)c).ToArray()),
        }, QueryRepository.Json);
    }

    private static async Task EventsAsync(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = QueryEndpoints.Find(http, runtime, id, Permission.QueriesReadOwn, Permission.QueriesReadAll);
        if (problem is not null)
        {
            await problem.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var aborted = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(aborted).ConfigureAwait(false);
        string? sent = null;
        var quietSince = runtime.Clock.GetUtcNow();
        try
        {
            while (true)
            {
                var current = runtime.Queries.Load(record!.Id) ?? record;
                var json = QueryEndpoints.ToJson(current).ToJsonString();
                if (json != sent)
                {
                    await WriteAsync(response, $"event: query\ndata: {json}\n\n", aborted).ConfigureAwait(false);
                    sent = json;
                    quietSince = runtime.Clock.GetUtcNow();
                }

                if (current.Settled)
                {
                    // The final state has been sent: the stream ends, and the client knows not to reconnect.
                    await WriteAsync(response, "event: end\ndata: {}\n\n", aborted).ConfigureAwait(false);
                    return;
                }

                if (runtime.Clock.GetUtcNow() - quietSince >= Heartbeat)
                {
                    await WriteAsync(response, ": heartbeat\n\n", aborted).ConfigureAwait(false);
                    quietSince = runtime.Clock.GetUtcNow();
                }

                // Woken at once by this process's jobs; the timeout catches work done on other nodes.
                await runtime.Hub.WaitAsync(record.Id, TimeSpan.FromMilliseconds(500), aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser went away.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IResult Summary(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = QueryEndpoints.Find(http, runtime, id, Permission.ResultsReadOwn, Permission.ResultsReadAll);
        if (problem is not null)
        {
            return problem;
        }

        if (!record!.Ended || record.Result is not { } result)
        {
            return Problems.Conflict($"query {record.Id} has no finished result yet ({record.State.ToString().ToLowerInvariant()})", http.Request.Path);
        }

        var caller = http.Caller().Name;
        var directory = runtime.Queries.Directory(record.Id);
        var path = Path.Combine(directory, result.File);
        var cache = Path.Combine(directory, SummaryFileName);
        JsonObject? summary = null;
        if (File.Exists(cache) && JsonNode.Parse(File.ReadAllText(cache)) is JsonObject cached && cached["resultSha256"]?.GetValue<string>() == result.Sha256)
        {
            summary = cached;
        }
        else
        {
            // The summary is only ever made from the file the ledger recorded.
            string found;
            using (var stream = File.OpenRead(path))
            {
                found = Hex.Lower(SHA256.HashData(stream));
            }

            if (found != result.Sha256)
            {
                var error = $"query {record.Id}: the result file {result.File} has SHA-256 {found}, the ledger recorded {result.Sha256}: it changed since";
                runtime.Ledger.Record(caller, LedgerActions.ResultReadRefused, new JsonObject { ["queryId"] = record.Id },
                    new Dictionary<string, string> { ["found"] = found }, new JsonObject { ["what"] = "summary", ["error"] = error, ["node"] = runtime.NodeName },
                    record.Case, record.Reason);
                return Problems.Conflict(error, http.Request.Path);
            }

            summary = PacketSummary.Compute(path, result.Sha256);
            var temporary = cache + ".tmp";
            File.WriteAllText(temporary, summary.ToJsonString());
            File.Move(temporary, cache, overwrite: true);
        }

        var text = summary.ToJsonString();
        runtime.Ledger.Record(caller, LedgerActions.ResultRead, new JsonObject { ["queryId"] = record.Id },
            new Dictionary<string, string> { ["result"] = result.Sha256, ["summary"] = Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(text))) },
            new JsonObject
            {
                ["what"] = "summary",
                ["bytes"] = result.Bytes,
                ["stateWhenRead"] = record.State.ToString().ToLowerInvariant(),
                ["attempt"] = record.Attempt,
                ["node"] = runtime.NodeName,
            }, record.Case, record.Reason);
        return Results.Text(text, "application/json; charset=utf-8", Encoding.UTF8);
    }
}
