using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Recorder.Api.Hosting;

/// <summary>
/// Gives a body to every 4xx answer that would otherwise be only a status code: routing's own 404,
/// 405 and 415 (a body that is not <c>application/json</c> for <c>POST /api/queries</c>), and
/// Hangfire's bare status codes. The body is an RFC 9457 problem naming what is at fault; when the
/// request named a user, the refusal is ledgered. Runs as ASP.NET Core's status-code-pages handler,
/// which only acts on responses that have not started and carry no body.
/// </summary>
internal static class EmptyStatusProblems
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (status is < 400 or >= 500)
        {
            return;
        }

        var (type, title, field, message) = status switch
        {
            StatusCodes.Status404NotFound => ("not-found", "Not found", "(path)", "no endpoint answers this path"),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed", "(method)", $"{http.Request.Method} is not allowed here"),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type", "Content-Type",
                $"{http.Request.ContentType ?? "no content type"} is not accepted here (see docs/api.md)"),
            StatusCodes.Status413PayloadTooLarge => ("body-too-large", "Request body too large", "(body)", "the body is too large"),
            StatusCodes.Status401Unauthorized => ("unauthorized", "Unauthorized", "Authorization", "authentication is required"),
            StatusCodes.Status403Forbidden => ("forbidden", "Forbidden", "(path)", "you may not do this"),
            _ => ("invalid-request", "The request is invalid", "(request)", "the request was refused"),
        };
        var runtime = http.RequestServices.GetRequiredService<ServiceRuntime>();
        BadRequestExceptionHandler.RecordRefusal(http, runtime, status, $"{field}: {message}");
        await Problems.Problem(status, type, title, $"{field}: {message}", http.Request.Path, [new FieldError(field, message)])
            .ExecuteAsync(http).ConfigureAwait(false);
    }
}
