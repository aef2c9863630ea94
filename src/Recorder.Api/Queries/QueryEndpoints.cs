using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Api.Serving;
using Recorder.Application.Queries;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// The query API: submit (<c>POST /api/queries</c>), follow (<c>GET /api/queries/{id}</c>), list,
/// stream the result while it is written (<c>GET …/pcap</c>), chunks, sink artifacts, cancel.
/// </summary>
public static class QueryEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/queries").WithTags("Queries");
        group.MapPost("/", Submit)
            .RequirePermission(Permission.QueriesSubmit)
            .ReadsJsonBody<QuerySubmissionBody>()
            .Produces<QueryRecord>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Submit a query: it runs as a background job; 202 with its id and Location");
        group.MapGet("/", List)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<QueryListResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("List queries, newest first (filters: case, owner, state, limit); investigators see their own");
        group.MapGet("/{id}", Status)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<QueryRecord>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A query's state, progress, chunks, sinks and, once done, its result's SHA-256");
        group.MapDelete("/{id}", Cancel)
            .RequirePermission(Permission.QueriesCancelOwn, Permission.QueriesCancelAll)
            .Produces<QueryRecord>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Cancel a query; what it wrote stays, marked and ledgered as partial");
        group.MapGet("/{id}/pcap", StreamResult)
            .RequirePermission(Permission.ResultsReadOwn, Permission.ResultsReadAll)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/vnd.tcpdump.pcap", "application/x-pcapng")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The result as one capture file, streamed while the job runs; the bytes equal the final result file");
        group.MapGet("/{id}/chunks", Chunks)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<ChunkListResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The chunks written so far (each a standalone capture file, hashed and ledgered)");
        group.MapGet("/{id}/chunks/{number:int}", Chunk)
            .RequirePermission(Permission.ResultsReadOwn, Permission.ResultsReadAll)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/vnd.tcpdump.pcap", "application/x-pcapng")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("One chunk");
        group.MapGet("/{id}/artifacts", Artifacts)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<ArtifactListResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("What the query's sinks produced");
        group.MapGet("/{id}/artifacts/{**name}", Artifact)
            .RequirePermission(Permission.ResultsReadOwn, Permission.ResultsReadAll)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/octet-stream", "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("One artifact (SINK/FILE)");
        QueryFollowEndpoints.Map(group);
    }

    /// <summary>The record as the API shows it, with links.</summary>
    internal static JsonObject ToJson(QueryRecord record)
    {
        var json = JsonSerializer.SerializeToNode(record, QueryRepository.Json)!.AsObject();
        var self = "/api/queries/" + record.Id;
        json["links"] = new JsonObject
        {
            ["self"] = self,
            ["pcap"] = self + "/pcap",
            ["chunks"] = self + "/chunks",
            ["artifacts"] = self + "/artifacts",
        };
        return json;
    }

    private static async Task<IResult> Submit(HttpContext http, ServiceRuntime runtime, IBackgroundJobClient jobs)
    {
        var caller = http.Caller();
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            Refused(runtime, caller, null, "the body was refused", null);
            return problem;
        }

        var (submission, invalid, refused) = QuerySubmission.Parse(body!, runtime.Policies, caller.Role, runtime.Bpf is not null, runtime.BpfUnavailable);
        if (invalid.Count > 0)
        {
            Refused(runtime, caller, body, "invalid request", invalid);
            return Problems.InvalidFields(invalid, http.Request.Path);
        }

        if (submission is { Sessions: not null } bySessions)
        {
            (submission, invalid, refused) = Sessions.SessionQueryResolution.Resolve(runtime, caller, bySessions, http.RequestAborted);
            if (invalid.Count > 0)
            {
                Refused(runtime, caller, body, "the sessions named no packets to extract", invalid);
                return Problems.InvalidFields(invalid, http.Request.Path);
            }
        }

        if (refused.Count > 0)
        {
            RequestGate.Refused(http, runtime, caller.Name, caller.User.Role, StatusCodes.Status403Forbidden,
                string.Join("; ", refused.Select(r => $"{r.Field}: {r.Message}")), null);
            return Problems.Forbidden(string.Join("; ", refused.Select(r => $"{r.Field}: {r.Message}")), http.Request.Path, refused);
        }

        var record = Accept(runtime, caller, submission!);
        try
        {
            jobs.Enqueue<QueryJob>(job => job.Run(record.Id, null, CancellationToken.None));
        }
        catch (Exception e)
        {
            // The job store is unreachable: the accepted submission ends here, recorded as failed, so
            // no query waits for ever for a job that was never queued.
            var error = $"the job could not be queued: {e.GetType().Name}: {e.Message}";
            var failedSeq = runtime.Ledger.Record(caller.Name, QueryCustodyEvents.Failed(new AuditedQuery(record.Id, record.Case, record.Reason), error,
                service: new ServiceAttempt(runtime.NodeName)));
            runtime.Queries.Save((record with { State = QueryState.Failed, FinishedAt = Timestamp.Now(runtime.Clock).ToString(), Error = error, CompletedSeq = failedSeq })
                .WithOpenSinksFailed("the query was never queued"), durable: true);
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "jobs-unavailable", "Jobs unavailable", error, http.Request.Path);
        }

        return Results.Json(ToJson(record), QueryRepository.Json, statusCode: StatusCodes.Status202Accepted)
            .WithLocation("/api/queries/" + record.Id);
    }

    /// <summary>
    /// Creates the query's record (queued) and records <c>query.submitted</c>: the submission is
    /// durable in the ledger before the query is accepted, and before any packet is read.
    /// </summary>
    private static QueryRecord Accept(ServiceRuntime runtime, Caller caller, ParsedSubmission submission)
    {
        var id = QueryRepository.NewId();
        var record = new QueryRecord
        {
            Id = id,
            Case = submission.Case,
            Reason = submission.Reason,
            Owner = caller.Name,
            OwnerRole = caller.User.Role,
            SubmittedAt = Timestamp.Now(runtime.Clock).ToString(),
            Filter = submission.Filter,
            NormalizedFilter = submission.Query.ToJson(),
            Description = submission.Query.Describe(),
            State = QueryState.Queued,
            Sinks = submission.Sinks.Select(s => new SinkStatus { Name = s.Name, Definition = s.ToJson(), State = SinkState.Pending }).ToList(),
            AllowPartial = submission.AllowPartial,
            WithSecrets = submission.WithSecrets,
        };
        runtime.Queries.Create(record);
        var sinks = new JsonArray(submission.Sinks.Select(s => (JsonNode)s.ToJson()).ToArray());
        var seq = runtime.Ledger.Record(caller.Name, QueryCustodyEvents.Submitted(new AuditedQuery(id, record.Case, record.Reason), submission.Query,
            runtime.Store.Layout.Relative(runtime.Queries.Directory(id)), "auto",
            service: new ServiceSubmission(sinks, caller.User.Role, runtime.NodeName, submission.AllowPartial)));
        record = record with { SubmittedSeq = seq };
        runtime.Queries.Save(record, durable: true);
        return record;
    }

    private static IResult List(HttpContext http, ServiceRuntime runtime, string? @case, string? owner, string? state, int? limit)
    {
        var caller = http.Caller();
        if (limit is < 1 or > 10_000)
        {
            return Problems.InvalidField("limit", "must be 1 to 10000", http.Request.Path);
        }

        QueryState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<QueryState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return Problems.InvalidField("state", "must be queued, running, succeeded, failed or cancelled", http.Request.Path);
            }

            wanted = parsed;
        }

        var all = caller.Has(Permission.QueriesReadAll);
        // Filtered on the summaries in memory; only the records answered are read from disk.
        var records = runtime.Queries.Summaries.All()
            .Where(r => all || r.Owner == caller.Name)
            .Where(r => @case is null || r.Case == @case)
            .Where(r => owner is null || r.Owner == owner)
            .Where(r => wanted is null || r.State == wanted)
            .Take(limit ?? 100)
            .Select(s => runtime.Queries.Load(s.Id))
            .OfType<QueryRecord>();
        return Results.Json(new JsonObject { ["queries"] = new JsonArray(records.Select(r => (JsonNode)ToJson(r)).ToArray()) }, QueryRepository.Json);
    }

    private static IResult Status(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = Find(http, runtime, id, Permission.QueriesReadOwn, Permission.QueriesReadAll);
        return problem ?? Results.Json(ToJson(record!), QueryRepository.Json);
    }

    private static IResult Cancel(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = Find(http, runtime, id, Permission.QueriesCancelOwn, Permission.QueriesCancelAll);
        if (problem is not null)
        {
            return problem;
        }

        if (record!.Ended)
        {
            return Problems.Conflict($"query {id} has ended ({record.State.ToString().ToLowerInvariant()}); there is nothing to cancel", http.Request.Path);
        }

        var caller = http.Caller();
        var queries = runtime.Queries;
        runtime.Ledger.Record(caller.Name, LedgerActions.QueryCancelled, new JsonObject { ["queryId"] = record.Id }, null, new JsonObject
        {
            ["stateWhenAsked"] = record.State.ToString().ToLowerInvariant(),
            ["owner"] = record.Owner,
            ["node"] = runtime.NodeName,
        }, record.Case, record.Reason);
        File.WriteAllText(queries.CancelMarkerPath(record.Id), new JsonObject
        {
            ["by"] = caller.Name,
            ["at"] = Timestamp.Now(runtime.Clock).ToString(),
        }.ToJsonString());
        using (var jobLock = FileLock.TryAcquire(queries.JobLockPath(record.Id)))
        {
            if (jobLock is not null && queries.Load(record.Id) is { State: QueryState.Queued } queued)
            {
                // No worker has it: it ends here, with no output. The queued job will find it cancelled.
                queries.Save((queued with { State = QueryState.Cancelled, FinishedAt = Timestamp.Now(runtime.Clock).ToString(), CancelledBy = caller.Name })
                    .WithOpenSinksFailed("the query was cancelled before it started"), durable: true);
            }
            else if (jobLock is null)
            {
                // A worker has it, here or on another node (which sees the marker within a quarter second).
                runtime.Hub.Cancel(record.Id);
            }
        }

        runtime.Hub.Notify(record.Id);
        return Results.Json(ToJson(queries.Load(record.Id)!), QueryRepository.Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task StreamResult(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = Find(http, runtime, id, Permission.ResultsReadOwn, Permission.ResultsReadAll);
        if (problem is not null)
        {
            await problem.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var aborted = http.RequestAborted;
        while (record!.ResultFile is null)
        {
            if (record.Ended)
            {
                await Problems.Conflict($"query {id} ended ({record.State.ToString().ToLowerInvariant()}) before it wrote any output", http.Request.Path)
                    .ExecuteAsync(http).ConfigureAwait(false);
                return;
            }

            await runtime.Hub.WaitAsync(record.Id, TimeSpan.FromMilliseconds(200), aborted).ConfigureAwait(false);
            record = runtime.Queries.Load(record.Id)!;
        }

        var path = Path.Combine(runtime.Queries.Directory(record.Id), record.ResultFile);
        var contentType = record.Format == "pcap" ? "application/vnd.tcpdump.pcap" : "application/x-pcapng";
        if (record.Ended && record.Result is { } done)
        {
            // Ended: the whole file is known and recorded, so it is checked before a header goes out.
            await ResultServing.Recorded(http, runtime, record, new RecordedFile(path, done.Bytes, done.Sha256), contentType, $"{record.Id}.{record.Format}",
                new JsonObject { ["what"] = "pcap" }, "result").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        await ResultServing.FollowAsync(http, runtime, record, path, contentType).ConfigureAwait(false);
    }

    private static IResult Chunks(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = Find(http, runtime, id, Permission.QueriesReadOwn, Permission.QueriesReadAll);
        if (problem is not null)
        {
            return problem;
        }

        var chunks = new JsonArray(record!.Chunks.Select(c =>
        {
            var json = JsonSerializer.SerializeToNode(c, QueryRepository.Json)!.AsObject();
            json["url"] = $"/api/queries/{record.Id}/chunks/{c.Number}";
            return (JsonNode)json;
        }).ToArray());
        return Results.Json(new JsonObject
        {
            ["queryId"] = record.Id,
            ["state"] = record.State.ToString().ToLowerInvariant(),
            ["format"] = record.Format,
            ["complete"] = record.Ended,
            ["chunks"] = chunks,
        }, QueryRepository.Json);
    }

    private static IResult Chunk(HttpContext http, ServiceRuntime runtime, string id, int number)
    {
        var (record, problem) = Find(http, runtime, id, Permission.ResultsReadOwn, Permission.ResultsReadAll);
        if (problem is not null)
        {
            return problem;
        }

        var chunk = record!.Chunks.FirstOrDefault(c => c.Number == number);
        if (chunk is null)
        {
            return Problems.NotFound($"query {record.Id} has no chunk {number} (yet: it has {record.Chunks.Count})", http.Request.Path);
        }

        var path = Path.Combine(runtime.Queries.ChunksDirectory(record.Id), chunk.File);
        return ResultServing.Recorded(http, runtime, record, new RecordedFile(path, chunk.Bytes, chunk.Sha256),
            record.Format == "pcap" ? "application/vnd.tcpdump.pcap" : "application/x-pcapng", $"{record.Id}-{chunk.File}",
            new JsonObject { ["chunk"] = number, ["what"] = "chunk" }, "chunk");
    }

    private static IResult Artifacts(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, problem) = Find(http, runtime, id, Permission.QueriesReadOwn, Permission.QueriesReadAll);
        if (problem is not null)
        {
            return problem;
        }

        return Results.Json(new JsonObject
        {
            ["queryId"] = record!.Id,
            ["artifacts"] = new JsonArray(record.Sinks.SelectMany(s => s.Artifacts).Select(a => (JsonNode)new JsonObject
            {
                ["name"] = a.Name,
                ["bytes"] = a.Bytes,
                ["sha256"] = a.Sha256,
                ["url"] = $"/api/queries/{record.Id}/artifacts/{a.Name}",
            }).ToArray()),
        }, QueryRepository.Json);
    }

    private static IResult Artifact(HttpContext http, ServiceRuntime runtime, string id, string name)
    {
        var (record, problem) = Find(http, runtime, id, Permission.ResultsReadOwn, Permission.ResultsReadAll);
        if (problem is not null)
        {
            return problem;
        }

        // The name is only ever compared with the names recorded when the sink ended; the path is
        // built from the recorded name, which came from the sink's own directory.
        var artifact = record!.Sinks.SelectMany(s => s.Artifacts).FirstOrDefault(a => a.Name == name);
        if (artifact is null)
        {
            return Problems.NotFound($"query {record.Id} has no artifact named '{(name.Length > 100 ? name[..100] : name)}'", http.Request.Path);
        }

        var directory = runtime.Queries.ArtifactsDirectory(record.Id);
        var path = Path.GetFullPath(Path.Combine(directory, artifact.Name));
        if (!path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return Problems.NotFound($"query {record.Id} has no artifact named '{artifact.Name}'", http.Request.Path);
        }

        var textual = artifact.Name.EndsWith("/stdout", StringComparison.Ordinal) || artifact.Name.EndsWith("/stderr", StringComparison.Ordinal)
            || Path.GetExtension(artifact.Name) is ".json" or ".jsonl" or ".log" or ".txt";
        return ResultServing.Recorded(http, runtime, record, new RecordedFile(path, artifact.Bytes, artifact.Sha256),
            textual ? "text/plain; charset=utf-8" : "application/octet-stream", Path.GetFileName(artifact.Name),
            new JsonObject { ["artifact"] = artifact.Name, ["what"] = "artifact" }, "artifact");
    }

    /// <summary>Loads the query named in the URL and checks the caller may see it (own, or all).</summary>
    internal static (QueryRecord? Record, IResult? Problem) Find(HttpContext http, ServiceRuntime runtime, string id, Permission own, Permission all)
    {
        if (!QueryRepository.TryParseId(id, out var canonical) || runtime.Queries.Load(canonical) is not { } record)
        {
            return (null, Problems.NotFound($"no query with id '{(id.Length > 64 ? id[..64] : id)}'", http.Request.Path));
        }

        var caller = http.Caller();
        if (caller.Has(all) || (caller.Has(own) && record.Owner == caller.Name))
        {
            return (record, null);
        }

        RequestGate.Refused(http, runtime, caller.Name, caller.User.Role, StatusCodes.Status403Forbidden,
            $"query {record.Id} belongs to {record.Owner}; role '{caller.User.Role}' lacks {Permissions.Name(all)}", Permissions.Name(all), record.Id);
        return (null, Problems.Forbidden($"query {record.Id} is not yours and your role '{caller.User.Role}' lacks {Permissions.Name(all)}", http.Request.Path));
    }

    private static void Refused(ServiceRuntime runtime, Caller caller, JsonObject? body, string why, IReadOnlyList<FieldError>? errors)
    {
        // A refused submission is an attempt on evidence: it is recorded like the CLI's refused queries.
        var caseId = RequestBody.StringOrNull(body?["case"]) is { } c ? Clip(c) : null;
        var reason = RequestBody.StringOrNull(body?["reason"]) is { } r ? Clip(r) : null;
        runtime.Ledger.Record(caller.Name, LedgerActions.QueryRefused, new JsonObject(), null, new JsonObject
        {
            ["reason"] = why,
            ["errors"] = errors is null ? null : new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["field"] = e.Field, ["message"] = e.Message }).ToArray()),
            ["node"] = runtime.NodeName,
        }, string.IsNullOrWhiteSpace(caseId) ? null : caseId, string.IsNullOrWhiteSpace(reason) ? null : reason);
    }

    private static string Clip(string text)
    {
        var clean = new string(text.Where(ch => !char.IsControl(ch)).ToArray()).Trim();
        return clean.Length > 200 ? clean[..200] : clean;
    }
}

/// <summary>Result helpers.</summary>
internal static class ResultExtensions
{
    /// <summary>Adds a Location header to a result.</summary>
    public static IResult WithLocation(this IResult result, string location) => new LocatedResult(result, location);

    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
