using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Recorder.Core.Json;

namespace Recorder.Api.Hosting;

/// <summary>
/// Reads a JSON object body with a hard size limit: a declared or actual size over the limit is
/// 413, anything that is not JSON or not an object is 400 naming the position. Reading the bytes
/// first (bounded) keeps the limit independent of the server in front (Kestrel or the test host).
/// </summary>
internal static class RequestBody
{
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > limit)
        {
            return (null, TooLarge(limit, request.Path));
        }

        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                $"the body must be application/json, not {type}", request.Path));
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, TooLarge(limit, request.Path));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit, request.Path));
        }

        if (buffer.Length == 0)
        {
            return (null, Problems.InvalidField("(body)", "a JSON object is required", request.Path));
        }

        var (body, errors) = ParseObject(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        return body is not null ? (body, null) : (null, Problems.InvalidFields(errors, request.Path));
    }

    /// <summary>
    /// Reads a request body as a JSON object, checking everything <see cref="JsonObject"/> would
    /// otherwise throw on later, when a field is first touched deep in an endpoint (a 500): bytes that
    /// are not UTF-8, a member name given twice, an escaped lone surrogate. Either the object, or the
    /// field errors (<c>(body)</c> for the document as a whole); never an exception.
    /// </summary>
    public static (JsonObject? Body, IReadOnlyList<FieldError> Errors) ParseObject(ReadOnlyMemory<byte> bytes)
    {
        var (node, problems) = StrictJson.TryParse(bytes, "(body)");
        if (problems.Count > 0)
        {
            return (null, problems.Select(p => new FieldError(p.Path, p.Message)).ToList());
        }

        return node is JsonObject body ? (body, []) : (null, [new FieldError("(body)", "must be a JSON object")]);
    }

    /// <summary>A field error for every member of <paramref name="body"/> not in <paramref name="allowed"/>, named with <paramref name="prefix"/>.</summary>
    public static IEnumerable<FieldError> UnknownFields(JsonObject body, IReadOnlyCollection<string> allowed, string prefix = "") =>
        body.Where(member => !allowed.Contains(member.Key, StringComparer.Ordinal))
            .Select(member => new FieldError(prefix + member.Key, $"unknown field (allowed: {string.Join(", ", allowed)})"));

    /// <summary>The node's text when it is a JSON string; null when it is absent or anything else.</summary>
    public static string? StringOrNull(JsonNode? node) => StrictJson.Text(node);

    private static IResult TooLarge(long limit, PathString path) =>
        Problems.Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"the body is larger than {limit} bytes", path);
}
