using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Core.Store;
using Recorder.Core.Text;
using Recorder.Core.Time;

namespace Recorder.Api.Cases;

/// <summary>
/// Incidents: the query history grouped by case (<c>GET /api/cases</c>), one case with its queries,
/// packages and notes (<c>GET /api/cases/{case}</c>), and adding a note (<c>POST …/notes</c>,
/// ledgered as <c>case.note-added</c>; notes are never changed or removed). Investigators see only
/// the cases of their own queries, and only their own queries in them.
/// </summary>
public static class CaseEndpoints
{
    /// <summary>The longest note accepted, in characters.</summary>
    public const int MaxNote = 4000;

    private const int MaxPageSize = 200;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/cases").WithTags("Cases");
        group.MapGet("/", List)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<Hosting.CaseListResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Cases with their queries' counts and times (search: case, query id, address, port or user; user; from; to; sort; page; pageSize)");
        group.MapGet("/{case}", Show)
            .RequirePermission(Permission.QueriesReadOwn, Permission.QueriesReadAll)
            .Produces<Hosting.CaseDetailResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One case: its queries (state, who, when, reason, result hash), the packages built from it and its notes");
        group.MapPost("/{case}/notes", AddNote)
            .RequirePermission(Permission.QueriesSubmit, Permission.PackagesBuild)
            .ReadsJsonBody<Hosting.CaseNoteRequest>()
            .Produces<Hosting.CaseNoteResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Add a note to a case: {\"text\"}; append-only and ledgered (case.note-added)");
    }

    private static IResult List(HttpContext http, ServiceRuntime runtime, string? search, string? user, string? from, string? to, string? sort, int? page, int? pageSize)
    {
        var errors = new List<FieldError>();
        var (fromBound, fromError) = CaseHistory.Bound(from);
        var (toBound, toError) = CaseHistory.Bound(to);
        if (fromError is not null)
        {
            errors.Add(new FieldError("from", fromError));
        }

        if (toError is not null)
        {
            errors.Add(new FieldError("to", toError));
        }

        var sortKey = string.IsNullOrEmpty(sort) ? "-latest" : sort;
        if (!CaseHistory.SortKeys.Contains(sortKey.StartsWith('-') ? sortKey[1..] : sortKey))
        {
            errors.Add(new FieldError("sort", $"one of {string.Join(", ", CaseHistory.SortKeys)} (a leading '-' sorts descending)"));
        }

        if (page is < 1)
        {
            errors.Add(new FieldError("page", "1 or more"));
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors.Add(new FieldError("pageSize", $"1 to {MaxPageSize}"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var caller = http.Caller();
        var cases = CaseHistory.Find(runtime.Queries.Summaries.All(), Visible(caller),
            new CaseSearch(Blank(search), Blank(user), fromBound, toBound, sortKey));
        var size = pageSize ?? 25;
        var number = page ?? 1;
        var shown = cases.Skip((number - 1) * size).Take(size).Select(c => (JsonNode)CaseJson(c, runtime.CaseNotes.Count(c.Case))).ToArray();
        return Results.Json(new JsonObject
        {
            ["total"] = cases.Count,
            ["page"] = number,
            ["pageSize"] = size,
            ["pages"] = Math.Max(1, (cases.Count + size - 1) / size),
            ["sort"] = sortKey,
            ["cases"] = new JsonArray(shown),
        });
    }

    private static IResult Show(HttpContext http, ServiceRuntime runtime, string @case)
    {
        var (found, problem) = Find(http, runtime, @case);
        if (problem is not null)
        {
            return problem;
        }

        var packages = runtime.Packages.List()
            .Where(p => p["case"]?.GetValue<string>() == found!.Case)
            .Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p["id"]?.DeepClone(),
                ["title"] = p["title"]?.DeepClone(),
                ["builtBy"] = p["builtBy"]?.DeepClone(),
                ["builtAt"] = p["builtAt"]?.DeepClone(),
                ["queries"] = p["queries"]?.DeepClone(),
                ["sha256"] = p["sha256"]?.DeepClone(),
                ["packageSeq"] = p["packageSeq"]?.DeepClone(),
                ["partial"] = p["partial"]?.DeepClone(),
                ["links"] = new JsonObject { ["self"] = "/api/packages/" + p["id"], ["zip"] = "/api/packages/" + p["id"] + "/zip" },
            }).ToArray();
        var json = CaseJson(found!, null);
        json["queries"] = new JsonArray(found!.Queries.Select(q => (JsonNode)QueryJson(q)).ToArray());
        json["packages"] = new JsonArray(packages);
        json["notes"] = new JsonArray(runtime.CaseNotes.Read(found.Case).Select(n => (JsonNode)NoteJson(n)).ToArray());
        return Results.Json(json);
    }

    private static async Task<IResult> AddNote(HttpContext http, ServiceRuntime runtime, string @case)
    {
        var (found, problem) = Find(http, runtime, @case);
        if (problem is not null)
        {
            return problem;
        }

        var (body, bodyProblem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var errors = RequestBody.UnknownFields(body!, ["text"]).ToList();
        var text = RequestBody.StringOrNull(body!["text"])?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxNote)
        {
            errors.Add(new FieldError("text", $"1 to {MaxNote} characters"));
        }
        else if (UserText.Problem(text, allowLineBreaks: true) is { } unsafeText)
        {
            errors.Add(new FieldError("text", $"{unsafeText}: no control characters (other than line breaks) or bidirectional overrides"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var caller = http.Caller();
        var id = QueryRepository.NewId();
        var sha256 = CaseNote.Hash(text!);

        // The ledger entry comes first and holds the text itself: the file of notes only repeats it for display.
        var seq = runtime.Ledger.Record(caller.Name, LedgerActions.CaseNoteAdded, new JsonObject { ["noteId"] = id },
            new Dictionary<string, string> { ["note"] = sha256 },
            new JsonObject { ["text"] = text, ["role"] = caller.User.Role, ["node"] = runtime.NodeName },
            found!.Case, "note on the case");
        var note = new CaseNote(id, found.Case, caller.Name, caller.User.Role, Timestamp.Now(runtime.Clock).ToString(), text!, sha256, seq);
        runtime.CaseNotes.Append(note);
        return Results.Json(NoteJson(note), statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The case named in the URL, with the queries the caller may see; 404 when there is none (or none visible).</summary>
    private static (CaseSummary? Case, IResult? Problem) Find(HttpContext http, ServiceRuntime runtime, string raw)
    {
        // Kestrel leaves %2F encoded in a path segment: a '/' in a case number arrives as "%2F".
        var candidates = raw.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            ? [raw, raw.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)]
            : new[] { raw };
        var visible = Visible(http.Caller());
        var summaries = runtime.Queries.Summaries.All();
        foreach (var candidate in candidates)
        {
            var queries = summaries.Where(s => s.Case == candidate && visible(s)).ToList();
            if (queries.Count > 0)
            {
                return (new CaseSummary(candidate, queries), null);
            }
        }

        return (null, Problems.NotFound($"no case '{(raw.Length > 64 ? raw[..64] : raw)}' among the queries you may see", http.Request.Path));
    }

    private static Func<QuerySummary, bool> Visible(Caller caller) =>
        caller.Has(Permission.QueriesReadAll) ? _ => true : s => s.Owner == caller.Name;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static JsonObject CaseJson(CaseSummary found, int? notes)
    {
        var escaped = Uri.EscapeDataString(found.Case);
        var json = new JsonObject
        {
            ["case"] = found.Case,
            ["queries"] = found.Queries.Count,
            ["owners"] = new JsonArray(found.Queries.Select(q => q.Owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(o => (JsonNode)o).ToArray()),
            ["firstSubmittedAt"] = found.First,
            ["lastSubmittedAt"] = found.Latest,
            ["states"] = new JsonObject(found.Queries.GroupBy(q => q.State).OrderBy(g => g.Key)
                .Select(g => KeyValuePair.Create(g.Key.ToString().ToLowerInvariant(), (JsonNode?)g.Count()))),
            ["packets"] = found.Queries.Sum(q => q.Packets),
            ["links"] = new JsonObject { ["self"] = "/api/cases/" + escaped, ["page"] = "/ui/cases/" + escaped },
        };
        if (notes is { } count)
        {
            json["notes"] = count;
        }

        return json;
    }

    private static JsonObject QueryJson(QuerySummary q) => new()
    {
        ["id"] = q.Id,
        ["state"] = q.State.ToString().ToLowerInvariant(),
        ["owner"] = q.Owner,
        ["submittedAt"] = q.SubmittedAt,
        ["finishedAt"] = q.FinishedAt,
        ["reason"] = q.Reason,
        ["description"] = q.Description,
        ["hosts"] = new JsonArray(q.Hosts.Select(h => (JsonNode)h).ToArray()),
        ["ports"] = new JsonArray(q.Ports.Select(p => (JsonNode)p).ToArray()),
        ["packets"] = q.Packets,
        ["resultSha256"] = q.ResultSha256,
        ["partial"] = q.Partial,
        ["submittedSeq"] = q.SubmittedSeq,
        ["completedSeq"] = q.CompletedSeq,
        ["links"] = new JsonObject { ["self"] = "/api/queries/" + q.Id, ["page"] = "/ui/queries/" + q.Id },
    };

    private static JsonObject NoteJson(CaseNote note) => new()
    {
        ["id"] = note.Id,
        ["case"] = note.Case,
        ["author"] = note.Author,
        ["authorRole"] = note.AuthorRole,
        ["at"] = note.At,
        ["text"] = note.Text,
        ["sha256"] = note.Sha256,
        ["ledgerSeq"] = note.LedgerSeq,
    };
}
