using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Recorder.Api.Hosting;

/// <summary>A problem with one field of a request.</summary>
/// <param name="Field">The field (a JSON path such as <c>filter.hosts[1]</c>, or a query parameter).</param>
/// <param name="Message">What is wrong.</param>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// RFC 9457 problem documents (<c>application/problem+json</c>): <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c>, <c>instance</c>, and for bad input the extension members
/// <c>field</c> (the first field at fault) and <c>errors</c> (every one, as <c>{field, message}</c>).
/// </summary>
public static class Problems
{
    /// <summary>The base of the problem type URIs.</summary>
    public const string TypeBase = "urn:recorder:problem:";

    /// <summary>400 with every field at fault.</summary>
    public static IResult InvalidFields(IReadOnlyList<FieldError> errors, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return Problem(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid",
            string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), instance, errors);
    }

    /// <summary>400 for one field.</summary>
    public static IResult InvalidField(string field, string message, string? instance = null) => InvalidFields([new FieldError(field, message)], instance);

    /// <summary>A problem document with the given status.</summary>
    public static IResult Problem(int status, string type, string title, string detail, string? instance = null, IReadOnlyList<FieldError>? errors = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (errors is { Count: > 0 })
        {
            extensions["field"] = errors[0].Field;
            extensions["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["field"] = e.Field, ["message"] = e.Message }).ToArray());
        }

        return Results.Problem(detail: detail, instance: instance, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);
    }

    /// <summary>404 for an id that names nothing.</summary>
    public static IResult NotFound(string what, string? instance = null) =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found", what, instance);

    /// <summary>403: the user may not do this.</summary>
    public static IResult Forbidden(string detail, string? instance = null, IReadOnlyList<FieldError>? errors = null) =>
        Problem(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", detail, instance, errors);

    /// <summary>409: the resource is not in a state that allows this.</summary>
    public static IResult Conflict(string detail, string? instance = null) =>
        Problem(StatusCodes.Status409Conflict, "conflict", "Conflict", detail, instance);
}
