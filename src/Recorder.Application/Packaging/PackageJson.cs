using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recorder.Application.Packaging;

/// <summary>
/// Reads values out of a package's JSON without trusting their kind: <c>GetValue&lt;T&gt;</c> on a
/// node of another kind throws, and every JSON file of a package may have been edited.
/// </summary>
internal static class PackageJson
{
    /// <summary>The node's text when it is a JSON string; null otherwise.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The node's value when it is a JSON number that is a 64-bit integer; null otherwise.</summary>
    public static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;
}
