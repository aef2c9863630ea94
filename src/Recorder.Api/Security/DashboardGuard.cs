using Microsoft.AspNetCore.Http;
using Recorder.Api.Hosting;

namespace Recorder.Api.Security;

/// <summary>
/// Keeps the Hangfire dashboard a window, not a control panel. Its commands (requeue, delete,
/// trigger) act on jobs directly in the job storage: a "Requeue" of a finished query would run the
/// extraction again with no <c>query.submitted</c> entry, no reason and no case. Every change to a
/// query goes through the API, which ledgers it; so every dashboard POST except the statistics
/// poll is refused here with 403, and the refusal is ledgered under the signed-in user. The
/// dashboard is also opened read-only (no buttons), which this guard does not rely on.
/// The one POST let through must carry a form, since Hangfire reads it as one.
/// </summary>
public sealed class DashboardGuard(RequestDelegate next, ServiceRuntime runtime)
{
    /// <summary>The dashboard's path.</summary>
    public const string Path = "/hangfire";

    private const string JobDetailsPath = Path + "/jobs/details";

    /// <summary>Dashboard POSTs that only read (the live counters the pages poll).</summary>
    private static readonly string[] ReadOnlyPosts = [Path + "/stats"];

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.Path.StartsWithSegments(JobDetailsPath, StringComparison.Ordinal, out var jobId) && !IsJobId(jobId))
        {
            // Both job storages number jobs; anything else would reach the storage's id parser and fail there (a 500).
            var message = $"no job with id '{Core.Text.UserText.Escape(jobId.Value?.TrimStart('/') ?? string.Empty, 64)}' (job ids are numbers)";
            await Problems.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "(path): " + message, request.Path,
                [new FieldError("(path)", message)]).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!request.Path.StartsWithSegments(Path, StringComparison.Ordinal) || !HttpMethods.IsPost(request.Method)
            || request.Path.StartsWithSegments(DashboardLogin.LogoutPath, StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!ReadOnlyPosts.Any(p => request.Path.Equals(p, StringComparison.Ordinal)))
        {
            var why = "the jobs dashboard is read-only: jobs are changed through the API (DELETE /api/queries/{id}, POST /api/queries), which ledgers each change";
            BadRequestExceptionHandler.RecordRefusal(context, runtime, StatusCodes.Status403Forbidden, why);
            await Problems.Forbidden(why, request.Path).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var message = $"a form (application/x-www-form-urlencoded) is expected, not {request.ContentType ?? "no content type"}";
            BadRequestExceptionHandler.RecordRefusal(context, runtime, StatusCodes.Status415UnsupportedMediaType, "Content-Type: " + message);
            await Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                "Content-Type: " + message, request.Path, [new FieldError("Content-Type", message)]).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool IsJobId(PathString rest)
    {
        var id = rest.Value?.TrimStart('/') ?? string.Empty;
        return id.Length is > 0 and <= 18 && id.All(char.IsAsciiDigit);
    }
}
