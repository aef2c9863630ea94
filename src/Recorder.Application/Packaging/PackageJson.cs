using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Recorder.Application.Packaging;

/// <summary>
/// Reads a package's JSON without trusting it. <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
/// checks only the syntax and defers the rest to the first read, where it throws what no caller
/// expects: <see cref="ArgumentException"/> for a member name given twice,
/// <see cref="InvalidOperationException"/> for a string that is not valid UTF-8 or escapes a lone
/// surrogate, and <c>GetValue&lt;T&gt;</c> on a node of another kind throws too. <see cref="Parse"/>
/// reads the whole document once, so every such fault is a <see cref="FormatException"/> up front,
/// and <see cref="Text"/> and <see cref="Integer"/> take a value only when it is of that kind.
/// </summary>
internal static class PackageJson
{
    /// <summary>Parses and fully reads <paramref name="utf8"/>; throws <see cref="FormatException"/> for anything but well-formed JSON in UTF-8.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            // RFC 8259 §8.1: JSON text exchanged between systems is UTF-8.
            throw new FormatException("not UTF-8");
        }

        try
        {
            var node = JsonNode.Parse(utf8);
            ReadAll(node);
            return node;
        }
        catch (JsonException e)
        {
            throw new FormatException("not JSON: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException("a member name appears twice in one object: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException("a string is not valid Unicode: " + e.Message, e);
        }
    }

    /// <summary>The node's text when it is a JSON string; null otherwise.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The node's value when it is a JSON number that is a 64-bit integer; null otherwise.</summary>
    public static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    private static void ReadAll(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var member in o)
                {
                    ReadAll(member.Value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    ReadAll(item);
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
            default:
                break;
        }
    }
}
