using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Application.Sessions;
using Recorder.Storage.Sessions;

namespace Recorder.Api.Sessions;

/// <summary>
/// The session search (<c>POST /api/sessions/search</c>): the search of <c>recorder sessions</c>,
/// audited the same way (case and reason required, a <c>sessions.searched</c> entry with the
/// answer's SHA-256) and answered with the same JSON as <c>recorder sessions --json</c>. A POST,
/// as a query is: it writes a ledger entry, and its case and reason stay out of URLs and access logs.
/// </summary>
public static class SessionEndpoints
{
    private static readonly string[] TopFields = ["case", "reason", "filter"];

    /// <summary>Maps the endpoint.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/api/sessions/search", Search).WithTags("Sessions")
            .RequirePermission(Permission.QueriesSubmit)
            .ReadsJsonBody<SessionSearchBody>()
            .Produces<SessionSearchResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Search the sessions' metadata (names, URLs, fingerprints, hashes, addresses, a window): an audited search, ledgered with the answer's SHA-256");
    }

    private static async Task<IResult> Search(HttpContext http, ServiceRuntime runtime)
    {
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RequestBody.UnknownFields(body!, TopFields).ToList();
        var caseId = QuerySubmission.Text(body!, "case", 200, errors);
        var reason = QuerySubmission.Text(body!, "reason", 4000, errors);
        var filter = body!["filter"] is null ? null : SessionFilterJson.Parse(body["filter"], "filter", requireCondition: false, errors);
        if (errors.Count > 0 || caseId is null || reason is null)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        filter ??= SessionFilterJson.Parse(new JsonObject(), "filter", requireCondition: false, errors)!;
        var caller = http.Caller();
        SessionSearchRecord search;
        try
        {
            search = AuditedSessionSearch.Run(runtime.Store, filter, caseId, reason, e => runtime.Ledger.Record(caller.Name, e), http.RequestAborted);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException or SessionIndexCorruptException)
        {
            // A damaged or unreadable metadata file: nothing is answered (the answer would be silently partial).
            return Problems.Problem(StatusCodes.Status409Conflict, "session-metadata-unreadable", "Session metadata unreadable",
                "the session metadata could not be read: " + e.Message + "; verify the store, then rebuild it with `recorder sessions index --all`",
                http.Request.Path);
        }

        return Results.Json(AuditedSessionSearch.Answer(search, caseId, reason));
    }
}
