using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Recorder.Core.Json;

/// <summary>One reason a JSON document cannot be read as intended, and where (a dotted member path).</summary>
/// <param name="Path">Where: <c>filter.from</c>, <c>sinks[1]</c>, or the document's own name for the whole.</param>
/// <param name="Message">What is wrong.</param>
public sealed record JsonProblem(string Path, string Message);

/// <summary>
/// Reads JSON from outside (request bodies, package files, segment manifests) without trusting it.
/// <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/> checks
/// only the syntax and defers the rest to the first read of a member, deep in a caller, where it
/// throws what no caller expects: <see cref="ArgumentException"/> for a member name given twice
/// (RFC 8259 §4 leaves its meaning open, and readers disagree on which value wins: the ledger could
/// record one while another is used), <see cref="InvalidOperationException"/> for bytes that are not
/// UTF-8 (RFC 8259 §8.1) or an escape that makes an unpaired surrogate. Here every such fault is
/// found once, up front, and named with its path.
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// Parses <paramref name="utf8"/>: the document, or every problem found (none when the document is
    /// returned). <paramref name="documentName"/> names the whole in problems (e.g. <c>(body)</c>).
    /// </summary>
    public static (JsonNode? Node, IReadOnlyList<JsonProblem> Problems) TryParse(ReadOnlyMemory<byte> utf8, string documentName)
    {
        ArgumentNullException.ThrowIfNull(documentName);
        if (!Utf8.IsValid(utf8.Span))
        {
            return (null, [new JsonProblem(documentName, $"not valid UTF-8 at byte {InvalidUtf8At(utf8.Span) + 1} (RFC 8259 section 8.1)")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : string.Empty;
            return (null, [new JsonProblem(documentName, "not valid JSON" + where + ": " + FirstSentence(e.Message))]);
        }

        using (document)
        {
            var problems = new List<JsonProblem>();
            Check(document.RootElement, string.Empty, documentName, problems);
            if (problems.Count > 0)
            {
                return (null, problems);
            }

            // The checked document becomes the node (no second parse); a clone outlives the document.
            var root = document.RootElement.Clone();
            JsonNode? node = root.ValueKind switch
            {
                JsonValueKind.Object => JsonObject.Create(root),
                JsonValueKind.Array => JsonArray.Create(root),
                JsonValueKind.Null => null,
                _ => JsonValue.Create(root),
            };
            return (node, problems);
        }
    }

    /// <summary>Parses <paramref name="utf8"/>; throws <see cref="FormatException"/> naming the first problem.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, string documentName = "(document)")
    {
        var (node, problems) = TryParse(utf8.ToArray(), documentName);
        return problems.Count == 0 ? node : throw new FormatException($"{problems[0].Path}: {problems[0].Message}");
    }

    /// <summary>The node's text when it is a JSON string; null when it is absent or anything else.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The node's value when it is a JSON number that is a 64-bit integer; null otherwise.</summary>
    public static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    private static void Check(JsonElement element, string path, string documentName, List<JsonProblem> problems)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    if (!TryRead(() => member.Name, out var name))
                    {
                        problems.Add(new JsonProblem(Field(path, "(name)"), "a member name holds an unpaired surrogate escape: not valid Unicode"));
                        continue;
                    }

                    var field = Field(path, name);
                    if (!names.Add(name))
                    {
                        problems.Add(new JsonProblem(field, "appears more than once in the object"));
                    }

                    Check(member.Value, field, documentName, problems);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, string.Create(CultureInfo.InvariantCulture, $"{(path.Length == 0 ? documentName : path)}[{index++}]"), documentName, problems);
                }

                break;
            case JsonValueKind.String:
                if (!TryRead(element.GetString, out _))
                {
                    problems.Add(new JsonProblem(path.Length == 0 ? documentName : path, "holds an unpaired surrogate escape: not valid Unicode"));
                }

                break;
            default:
                break;
        }
    }

    private static string Field(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static bool TryRead(Func<string?> read, out string value)
    {
        try
        {
            value = read() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json's way of saying the escapes decode to invalid UTF-16.
            value = string.Empty;
            return false;
        }
    }

    /// <summary>The offset of the first byte that is not part of well-formed UTF-8 (only asked once the whole is known not to be).</summary>
    private static int InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length && Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
