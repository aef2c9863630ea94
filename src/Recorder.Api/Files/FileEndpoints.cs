using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Api.Users;
using Recorder.Application.Files;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Api.Files;

/// <summary>
/// <c>POST /api/files/extract</c>: the audited extraction of <c>recorder files extract</c> (the same
/// <see cref="FileExtraction"/>), its <c>files.extracted</c> entry recorded under the calling user,
/// the file and its sidecar kept in the store (<c>STORE/service/files/ID/</c>) so that
/// <c>POST /api/packages</c> can carry them (<c>fileExtractions</c>). It reads packet content that
/// belongs to no query of the caller, so it takes <c>results.read.all</c>, the permission that reads
/// every query's packets.
/// </summary>
public static class FileEndpoints
{
    private static readonly string[] TopFields = ["sha256", "case", "reason"];

    /// <summary>Maps the endpoint.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/api/files/extract", Extract).WithTags("Files")
            .RequirePermission(Permission.ResultsReadAll)
            .ReadsJsonBody<FileExtractRequest>()
            .Produces<FileExtractResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Extract a transferred file by its SHA-256 from the packets that carried it (audited: case and reason, ledgered as files.extracted), " +
                "kept in the store for an evidence package (POST /api/packages fileExtractions)");
    }

    /// <summary>Where the service keeps the outputs of file extraction <paramref name="extractionId"/>.</summary>
    internal static string Directory(StoreLayout layout, string extractionId) =>
        Path.Combine(UserDirectory.ServiceDirectory(layout), "files", extractionId);

    private static async Task<IResult> Extract(HttpContext http, ServiceRuntime runtime)
    {
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RequestBody.UnknownFields(body!, TopFields).ToList();
        var sha256 = RequestBody.StringOrNull(body!["sha256"])?.Trim();
        if (sha256 is null || sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
        {
            errors.Add(new FieldError("sha256", "a SHA-256: 64 hex digits"));
        }

        var caseId = QuerySubmission.Text(body!, "case", 200, errors);
        var reason = QuerySubmission.Text(body!, "reason", 4000, errors);
        if (errors.Count > 0 || caseId is null || reason is null)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var caller = http.Caller();
        var extractionId = Guid.NewGuid().ToString();
        var directory = Directory(runtime.Store.Layout, extractionId);
        ExtractedFile extracted;
        try
        {
            extracted = FileExtraction.Run(runtime.Store, new FileExtractionRequest(sha256!, caseId, reason, directory) { ExtractionId = extractionId },
                e => runtime.Ledger.Record(caller.Name, e), http.RequestAborted);
        }
        catch (FileExtractionException e)
        {
            DeleteIfEmpty(directory);
            return e.Failure == FileExtractionFailure.NotFound
                ? Problems.NotFound(e.Message, http.Request.Path)
                : Problems.Conflict(e.Message, http.Request.Path);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException or SessionIndexCorruptException)
        {
            // A damaged metadata or segment file: nothing is extracted (verify the store).
            DeleteIfEmpty(directory);
            return Problems.Problem(StatusCodes.Status409Conflict, "session-metadata-unreadable", "Session metadata or packets unreadable",
                "the file could not be extracted: " + e.Message + "; verify the store (recorder verify)", http.Request.Path);
        }

        var layout = runtime.Store.Layout;
        return Results.Json(extracted.ToJson(caseId, reason, layout.Relative(extracted.Path), layout.Relative(extracted.SidecarPath)));
    }

    /// <summary>An extraction that wrote nothing leaves no empty folder behind.</summary>
    private static void DeleteIfEmpty(string directory)
    {
        if (System.IO.Directory.Exists(directory) && !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            System.IO.Directory.Delete(directory);
        }
    }
}
