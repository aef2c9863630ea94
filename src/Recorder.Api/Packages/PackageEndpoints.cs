using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Api.Serving;
using Recorder.Application.Packaging;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Core.Text;
using Recorder.Core.Time;
using Recorder.Reporting.Templates;

namespace Recorder.Api.Packages;

/// <summary>
/// Evidence packages through the API (the <c>legal</c> role): <c>POST /api/packages</c> builds one
/// from finished queries (and file extractions of their case) exactly as <c>recorder package</c> does, with the authenticated user as the
/// builder in the ledger; <c>GET</c> lists them, shows one, and downloads its zip (each download a
/// ledger entry with the zip's SHA-256).
/// </summary>
public static class PackageEndpoints
{
    private const int MaxQueries = 100;
    private const int MaxFileExtractions = 100;
    private const int MaxTitle = 200;
    private const int MaxReason = 1000;
    private const long MaxReportBytes = 256L * 1024 * 1024;

    // One package at a time: building copies and hashes every evidence file and renders the report.
    private static readonly SemaphoreSlim Building = new(1, 1);

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/packages").WithTags("Packages");
        group.MapPost("/", Build)
            .RequirePermission(Permission.PackagesBuild)
            .ReadsJsonBody<PackageRequestBody>()
            .Produces<PackageResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Build an evidence package from finished queries of one case, and file extractions of that case: " +
                "{\"queries\": [ids], \"fileExtractions\": [ids], \"title\", \"reason\"}; 201 with its hashes");
        group.MapGet("/", List).RequirePermission(Permission.PackagesBuild).Produces<PackageListResponse>().WithSummary("Packages built through the service, newest first");
        group.MapGet("/{id}", Show).RequirePermission(Permission.PackagesBuild)
            .Produces<PackageResponse>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One package: who built it, for which queries, its hashes and ledger entries");
        group.MapGet("/{id}/zip", Download).RequirePermission(Permission.PackagesBuild)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/zip").ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The package as a zip (the download is ledgered)");
        group.MapGet("/{id}/report", Report).RequirePermission(Permission.ReportsBuild, Permission.PackagesBuild)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The package's report.pdf alone, checked against the SHA-256 the ledger recorded when it was built (the read is ledgered)");
    }

    private static async Task<IResult> Build(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var (request, errors) = Parse(body!, runtime);
        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var conflicts = request!.Queries
            .Where(q => q.State is not (QueryState.Succeeded or QueryState.Cancelled) || q.Result is null)
            .Select(q => $"query {q.Id} is {q.State.ToString().ToLowerInvariant()}" + (q.State == QueryState.Failed ? " (a failed query has no extraction to package)" : " (wait until it ends)"))
            .ToList();
        if (conflicts.Count > 0)
        {
            return Problems.Conflict(string.Join("; ", conflicts), http.Request.Path);
        }

        var id = QueryRepository.NewId();
        var zip = runtime.Packages.ZipPath(id);
        Directory.CreateDirectory(runtime.Packages.Directory);
        await Building.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        PackageResult result;
        try
        {
            result = PackageBuilder.Build(runtime.Store, new PackageRequest
            {
                PackageId = Guid.Parse(id),
                QueryIds = request.Queries.Select(q => q.Id).ToList(),
                FileExtractionIds = request.FileExtractions,
                OutputPath = zip,
                Title = request.Title,
                Reason = request.Reason,
                Actor = runtime.Ledger.Actor(caller.Name),
                AllowPartial = request.AllowPartial,

                // The examiner is who answers for the package: named in the request, else the caller's display name.
                Examiner = request.Examiner ?? caller.User.DisplayName,
                Organisation = request.Organisation,
            });
        }
        catch (Exception e) when (e is PackageException or ReportTemplateException)
        {
            // A refusal can be an integrity finding (an extraction changed since it was ledgered): it is recorded.
            var subjects = new JsonObject { ["packageId"] = id, ["queryIds"] = new JsonArray(request.Queries.Select(q => (JsonNode)q.Id).ToArray()) };
            if (request.FileExtractions.Count > 0)
            {
                subjects["fileExtractionIds"] = new JsonArray(request.FileExtractions.Select(f => (JsonNode)f).ToArray());
            }

            runtime.Ledger.Record(caller.Name, LedgerActions.PackageRefused, subjects,
                null, new JsonObject { ["error"] = e.Message, ["node"] = runtime.NodeName }, request.Queries[0].Case, request.Reason ?? request.Queries[0].Reason);

            // A file extraction id that is not in the ledger or is of another case is bad input, named by its place in the request.
            return e is PackageException { FileExtractionId: { } bad }
                ? Problems.InvalidField($"fileExtractions[{request.FileExtractionFields[bad]}]", e.Message, http.Request.Path)
                : Problems.Conflict(e.Message, http.Request.Path);
        }
        finally
        {
            Building.Release();
        }

        var (sha256, bytes) = Hash(zip);

        // The zip as stored is recorded too (package.built precedes it and cannot name it): verify and
        // every later download are checked against this hash, not against the service's own record.
        runtime.Ledger.Record(caller.Name, LedgerActions.PackageStored, new JsonObject { ["packageId"] = id },
            new Dictionary<string, string> { ["package"] = sha256 },
            new JsonObject { ["file"] = runtime.Store.Layout.Relative(zip), ["bytes"] = bytes, ["node"] = runtime.NodeName },
            result.CaseId, request.Reason ?? request.Queries[0].Reason);
        var record = new JsonObject
        {
            ["id"] = id,
            ["case"] = result.CaseId,
            ["title"] = request.Title ?? $"Network evidence for case {result.CaseId}",
            ["reason"] = request.Reason ?? request.Queries[0].Reason,
            ["queries"] = new JsonArray(request.Queries.Select(q => (JsonNode)q.Id).ToArray()),
            ["fileExtractions"] = new JsonArray(request.FileExtractions.Select(f => (JsonNode)f).ToArray()),
            ["builtBy"] = caller.Name,
            ["examiner"] = request.Examiner ?? caller.User.DisplayName,
            ["organisation"] = request.Organisation,
            ["builtAt"] = Timestamp.Now(runtime.Clock).ToString(),
            ["node"] = runtime.NodeName,
            ["manifestSha256"] = result.ManifestSha256,
            ["reportSha256"] = result.ReportSha256,
            ["packageSeq"] = result.PackageSeq,
            ["reportSeq"] = result.ReportSeq,
            ["file"] = Path.GetFileName(zip),
            ["bytes"] = bytes,
            ["sha256"] = sha256,
            ["files"] = new JsonArray(result.Files.Select(f => (JsonNode)f).ToArray()),
            ["partial"] = request.Queries.Any(q => q.Result!.Partial),
        };
        runtime.Packages.Save(id, record);
        return Results.Json(WithLinks(record), statusCode: StatusCodes.Status201Created).WithLocation("/api/packages/" + id);
    }

    private static IResult List(ServiceRuntime runtime) =>
        Results.Json(new JsonObject { ["packages"] = new JsonArray(runtime.Packages.List().Select(r => (JsonNode)WithLinks(r)).ToArray()) });

    private static IResult Show(HttpContext http, ServiceRuntime runtime, string id) =>
        Find(runtime, id) is { } record ? Results.Json(WithLinks(record)) : NotFound(http, id);

    private static IResult Download(HttpContext http, ServiceRuntime runtime, string id)
    {
        if (Find(runtime, id) is not { } record || !File.Exists(runtime.Packages.ZipPath(record["id"]!.GetValue<string>())))
        {
            return NotFound(http, id);
        }

        var canonical = record["id"]!.GetValue<string>();
        var recorded = new RecordedFile(runtime.Packages.ZipPath(canonical), record["bytes"]!.GetValue<long>(), record["sha256"]!.GetValue<string>());
        var manifest = record["manifestSha256"]!.GetValue<string>();
        return new RecordedFileResult(recorded, "application/zip", $"evidence-package-{canonical}.zip", new ServeAudit(
            Refused: found => ReadRefused(http, runtime, record, LedgerActions.PackageReadRefused,
                $"package {canonical}: its zip {found.Describe(recorded)}: it changed since", found),
            Serving: () => RecordRead(http, runtime, record, LedgerActions.PackageRead,
                new Dictionary<string, string> { ["package"] = recorded.Sha256, ["manifest"] = manifest },
                new JsonObject { ["bytes"] = recorded.Bytes }),
            Altered: sent => RecordRead(http, runtime, record, LedgerActions.PackageReadRefused,
                new Dictionary<string, string> { ["sent"] = sent.Sha256 },
                new JsonObject
                {
                    ["error"] = $"package {canonical}: its zip changed while it was being sent (the {sent.Bytes} bytes read have SHA-256 {sent.Sha256}, " +
                        $"not {recorded.Sha256}); the download was cut off before its end",
                    ["bytesRead"] = sent.Bytes,
                    ["aborted"] = true,
                })));
    }

    private static IResult Report(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, pdf, problem) = CheckedReport(http, runtime, id);
        if (problem is not null)
        {
            return problem;
        }

        // Recorded before the first byte leaves, with the hash of what leaves.
        var canonical = record!["id"]!.GetValue<string>();
        RecordRead(http, runtime, record, LedgerActions.ReportRead,
            new Dictionary<string, string> { ["report"] = record["reportSha256"]!.GetValue<string>(), ["manifest"] = record["manifestSha256"]!.GetValue<string>() },
            new JsonObject { ["bytes"] = pdf!.Length });
        return Results.File(pdf, "application/pdf", $"evidence-report-{canonical}.pdf");
    }

    /// <summary>
    /// The package's record and its report.pdf, checked against the SHA-256 recorded when it was
    /// built; a 404, or a 409 (ledgered under the caller) when the report changed since.
    /// </summary>
    internal static (JsonObject? Record, byte[]? Pdf, IResult? Problem) CheckedReport(HttpContext http, ServiceRuntime runtime, string id)
    {
        if (Find(runtime, id) is not { } record || !File.Exists(runtime.Packages.ZipPath(record["id"]!.GetValue<string>())))
        {
            return (null, null, NotFound(http, id));
        }

        var canonical = record["id"]!.GetValue<string>();
        byte[] pdf;
        using (var zip = ZipFile.OpenRead(runtime.Packages.ZipPath(canonical)))
        {
            if (zip.GetEntry("report.pdf") is not { } entry || entry.Length > MaxReportBytes)
            {
                return (null, null, ReadRefused(http, runtime, record, LedgerActions.ReportReadRefused,
                    $"package {canonical}: its zip holds no report.pdf of at most {MaxReportBytes} bytes: it changed since it was built"));
            }

            using var stream = entry.Open();
            using var copy = new MemoryStream((int)entry.Length);
            stream.CopyTo(copy);
            pdf = copy.ToArray();
        }

        var sha256 = Hex.Lower(SHA256.HashData(pdf));
        var recorded = record["reportSha256"]!.GetValue<string>();
        if (sha256 != recorded)
        {
            return (null, null, ReadRefused(http, runtime, record, LedgerActions.ReportReadRefused,
                $"package {canonical}: its report.pdf has SHA-256 {sha256}, {recorded} when it was built: it changed since"));
        }

        return (record, pdf, null);
    }

    /// <summary>A read refused because the package changed since it was built: an integrity finding, ledgered under the reader; 409.</summary>
    private static IResult ReadRefused(HttpContext http, ServiceRuntime runtime, JsonObject record, string action, string error, ReadOutcome? found = null)
    {
        RecordRead(http, runtime, record, action, found is null ? null : new Dictionary<string, string> { ["found"] = found.Sha256 },
            new JsonObject { ["error"] = error });
        return Problems.Conflict(error, http.Request.Path);
    }

    /// <summary>A read of a package (or an attempt), ledgered under the caller with the package's case and reason.</summary>
    internal static void RecordRead(HttpContext http, ServiceRuntime runtime, JsonObject record, string action, Dictionary<string, string>? hashes, JsonObject details)
    {
        details["node"] = runtime.NodeName;
        runtime.Ledger.Record(http.Caller().Name, action, new JsonObject { ["packageId"] = record["id"]!.DeepClone() }, hashes, details,
            record["case"]!.GetValue<string>(), record["reason"]?.GetValue<string>());
    }

    internal static JsonObject? Find(ServiceRuntime runtime, string id) =>
        QueryRepository.TryParseId(id, out var canonical) ? runtime.Packages.Load(canonical) : null;

    internal static IResult NotFound(HttpContext http, string id) =>
        Problems.NotFound($"no package with id '{(id.Length > 64 ? id[..64] : id)}'", http.Request.Path);

    private static JsonObject WithLinks(JsonObject record)
    {
        var copy = record.DeepClone().AsObject();
        var self = "/api/packages/" + record["id"]!.GetValue<string>();
        copy["links"] = new JsonObject { ["self"] = self, ["zip"] = self + "/zip", ["report"] = self + "/report" };
        return copy;
    }

    private static (PackageBody? Body, List<FieldError> Errors) Parse(JsonObject body, ServiceRuntime runtime)
    {
        var errors = RequestBody.UnknownFields(body, ["queries", "fileExtractions", "title", "reason", "allowPartial", "examiner", "organisation"]).ToList();

        var queries = new List<QueryRecord>();
        if (body["queries"] is not JsonArray ids || ids.Count == 0 || ids.Count > MaxQueries)
        {
            errors.Add(new FieldError("queries", $"an array of 1 to {MaxQueries} query ids"));
        }
        else
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var text = RequestBody.StringOrNull(ids[i]);
                if (!QueryRepository.TryParseId(text, out var canonical))
                {
                    errors.Add(new FieldError($"queries[{i}]", "a query id (a UUID such as 0b9f…-…)"));
                }
                else if (runtime.Queries.Load(canonical) is not { } record)
                {
                    errors.Add(new FieldError($"queries[{i}]", $"no query with id {canonical}"));
                }
                else if (queries.All(q => q.Id != record.Id))
                {
                    queries.Add(record);
                }
            }

            if (queries.Select(q => q.Case).Distinct().Count() > 1)
            {
                errors.Add(new FieldError("queries", "a package holds one case; these queries belong to " +
                    string.Join(", ", queries.Select(q => $"{q.Id} (case {q.Case})"))));
            }
        }

        var fileExtractions = FileExtractions(body["fileExtractions"], errors);
        var title = Text(body, "title", MaxTitle, errors);
        var reason = Text(body, "reason", MaxReason, errors);
        var examiner = Text(body, "examiner", MaxTitle, errors);
        var organisation = Text(body, "organisation", MaxTitle, errors);
        var allowPartial = false;
        if (body["allowPartial"] is { } flag)
        {
            if (flag is JsonValue value && value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            {
                allowPartial = value.GetValue<bool>();
            }
            else
            {
                errors.Add(new FieldError("allowPartial", "must be true or false"));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new PackageBody(queries, title, reason, allowPartial, examiner, organisation, fileExtractions), errors);
    }

    /// <summary>
    /// <c>fileExtractions</c>: extraction ids (UUIDs) by their place in the request, the first place of
    /// an id named twice. Whether each is in the ledger and of the package's case is checked while
    /// building, by the same code as <c>recorder package --file-extraction</c>.
    /// </summary>
    private static Dictionary<string, int> FileExtractions(JsonNode? node, List<FieldError> errors)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        if (node is null)
        {
            return ids;
        }

        if (node is not JsonArray array || array.Count > MaxFileExtractions)
        {
            errors.Add(new FieldError("fileExtractions", $"an array of at most {MaxFileExtractions} file extraction ids"));
            return ids;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (!Guid.TryParseExact(RequestBody.StringOrNull(array[i]), "D", out var id))
            {
                errors.Add(new FieldError($"fileExtractions[{i}]", "a file extraction id (the extractionId POST /api/files/extract or recorder files extract answered)"));
                continue;
            }

            ids.TryAdd(id.ToString(), i);
        }

        return ids;
    }

    private static string? Text(JsonObject body, string field, int max, List<FieldError> errors)
    {
        switch (body[field])
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>().Trim();
                if (text.Length == 0 || text.Length > max)
                {
                    errors.Add(new FieldError(field, $"1 to {max} characters, no control characters"));
                    return null;
                }

                if (UserText.Problem(text) is { } unsafeText)
                {
                    errors.Add(new FieldError(field, $"{unsafeText}: no control characters or bidirectional overrides"));
                    return null;
                }

                return text;
            default:
                errors.Add(new FieldError(field, "a string"));
                return null;
        }
    }

    private static (string Sha256, long Bytes) Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return (Hex.Lower(SHA256.HashData(stream)), stream.Length);
    }

    private sealed record PackageBody(IReadOnlyList<QueryRecord> Queries, string? Title, string? Reason, bool AllowPartial, string? Examiner, string? Organisation,
        IReadOnlyDictionary<string, int> FileExtractionFields)
    {
        /// <summary>The file extraction ids, once each, in the order given.</summary>
        public IReadOnlyList<string> FileExtractions => [.. FileExtractionFields.OrderBy(f => f.Value).Select(f => f.Key)];
    }
}
