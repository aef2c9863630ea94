using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

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

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (InvalidUtf8At(bytes) is { } badByte)
        {
            return (null, Problems.InvalidField("(body)", $"not valid UTF-8 at byte {badByte + 1} (RFC 8259 section 8.1)", request.Path));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : string.Empty;
            return (null, Problems.InvalidField("(body)", "not valid JSON" + where + ": " + FirstSentence(e.Message), request.Path));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.InvalidField("(body)", "must be a JSON object", request.Path));
            }

            // Checked before any field is read: JsonObject would throw on a duplicate name or an
            // escaped lone surrogate only when the field is first touched, deep in an endpoint.
            var errors = new List<FieldError>();
            JsonTextCheck.Check(document.RootElement, string.Empty, errors);
            return errors.Count > 0
                ? (null, Problems.InvalidFields(errors, request.Path))
                : (JsonObject.Create(document.RootElement.Clone()), null);
        }
    }

    /// <summary>The offset of the first byte that is not part of well-formed UTF-8; null when all are.</summary>
    private static int? InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    /// <summary>A field error for every member of <paramref name="body"/> not in <paramref name="allowed"/>, named with <paramref name="prefix"/>.</summary>
    public static IEnumerable<FieldError> UnknownFields(JsonObject body, IReadOnlyCollection<string> allowed, string prefix = "") =>
        body.Where(member => !allowed.Contains(member.Key, StringComparer.Ordinal))
            .Select(member => new FieldError(prefix + member.Key, $"unknown field (allowed: {string.Join(", ", allowed)})"));

    /// <summary>The node's text when it is a JSON string; null when it is absent or anything else.</summary>
    public static string? StringOrNull(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static IResult TooLarge(long limit, PathString path) =>
        Problems.Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"the body is larger than {limit} bytes", path);

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
