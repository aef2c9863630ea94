using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Recorder.Api.Security;

namespace Recorder.Api.Hosting;

/// <summary>
/// The service's one boundary for exceptions that a request's own bytes cause while ASP.NET Core
/// decodes them: a parameter that does not bind (<c>?limit=abc</c>), a body over a server limit, a
/// form with too many fields or a broken multipart body, JSON a framework reader refused. Each is
/// the client's fault, so it becomes a 4xx RFC 9457 problem naming the field, and, when the caller
/// is known, a <c>request.refused</c> ledger entry. Anything else is a fault of Recorder and stays
/// a 500: hiding a bug behind a 400 would make it look like the investigator's mistake.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(ServiceRuntime runtime) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Classify(exception) is not { } problem)
        {
            return false;
        }

        RecordRefusal(httpContext, runtime, problem.Status, $"{problem.Field}: {problem.Message}");
        await Problems.Problem(problem.Status, problem.Type, problem.Title, $"{problem.Field}: {problem.Message}", httpContext.Request.Path,
            [new FieldError(problem.Field, problem.Message)]).ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ledgers a refusal when the request named a user (the request gate put the caller in the context).</summary>
    public static void RecordRefusal(HttpContext context, ServiceRuntime runtime, int status, string why)
    {
        if (context.Items[typeof(Caller)] is Caller caller)
        {
            RequestGate.Refused(context, runtime, caller.Name, caller.User.Role, status, why.Length > 500 ? why[..500] : why, null);
        }
    }

    /// <summary>The problem a request-decoding exception stands for; null for anything else.</summary>
    internal static RequestProblem? Classify(Exception exception) => exception switch
    {
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            new(bad.StatusCode, "body-too-large", "Request body too large", "(body)", bad.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status415UnsupportedMediaType =>
            new(bad.StatusCode, "unsupported-media-type", "Unsupported media type", "Content-Type", bad.Message),
        BadHttpRequestException bad => new(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest,
            "invalid-request", "The request is invalid", ParameterOf(bad.Message) ?? "(request)", bad.Message),
        JsonException json => new(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", "(body)", "not valid JSON: " + json.Message),
        InvalidDataException or IOException when ThrownDecodingTheRequest(exception) =>
            new(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", "(form)", "the form could not be read: " + exception.Message),
        InvalidOperationException when exception.TargetSite?.DeclaringType?.FullName?.Contains("FormFeature", StringComparison.Ordinal) == true =>
            new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "Content-Type",
                "a form (application/x-www-form-urlencoded) is expected: " + exception.Message),
        _ => null,
    };

    /// <summary>
    /// True when the exception came out of ASP.NET Core's own request readers (form, multipart,
    /// body): those only fail on what the client sent. The same exception types thrown by Recorder
    /// (a disk error, a corrupt file) are not the client's fault.
    /// </summary>
    private static bool ThrownDecodingTheRequest(Exception exception)
    {
        var type = exception.TargetSite?.DeclaringType;
        while (type?.DeclaringType is { } outer)
        {
            type = outer;
        }

        var ns = type?.Namespace ?? string.Empty;
        return ns.StartsWith("Microsoft.AspNetCore.WebUtilities", StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.AspNetCore.Http", StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.AspNetCore.Server", StringComparison.Ordinal);
    }

    /// <summary>The parameter a binding failure names: <c>Failed to bind parameter "int? limit" from "abc".</c> gives <c>limit</c>.</summary>
    private static string? ParameterOf(string message) =>
        BoundParameter().Match(message) is { Success: true } match ? match.Groups["name"].Value : null;

    [GeneratedRegex("parameter \"(?:[^\"]*\\s)?(?<name>[^\"\\s]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();
}

/// <summary>A 4xx answer to a request: status, problem type (after <see cref="Problems.TypeBase"/>), title, the field at fault and what is wrong with it.</summary>
internal sealed record RequestProblem(int Status, string Type, string Title, string Field, string Message);
