using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Time;

namespace Recorder.Application.Packaging;

/// <summary>
/// One object of a manifest being parsed, with its path (<c>evidence[0]</c>), so that every field
/// missing or of the wrong kind is a <see cref="FormatException"/> naming where it is, as
/// <see cref="ManifestFacts"/> does for verification.
/// </summary>
/// <param name="Json">The object.</param>
/// <param name="Where">Its path inside the manifest.</param>
internal sealed record ManifestReader(JsonObject Json, string Where)
{
    /// <summary>A required string.</summary>
    public string Text(string name) => StrictJson.Text(Json[name]) ?? throw Fault(name, "a string");

    /// <summary>A string or null (the member must be present).</summary>
    public string? TextOrNull(string name) => IsNull(name) ? null : Text(name);

    /// <summary>A required 64-bit integer.</summary>
    public long Integer(string name) => StrictJson.Integer(Json[name]) ?? throw Fault(name, "an integer");

    /// <summary>A required boolean.</summary>
    public bool Boolean(string name) => Json[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? value.GetValueKind() == JsonValueKind.True
        : throw Fault(name, "true or false");

    /// <summary>A required RFC 3339 UTC time with nine fractional digits.</summary>
    public Timestamp Time(string name) => TimestampParser.TryParse(Text(name), out var value, out var error)
        ? value
        : throw new FormatException($"{Where}.{name}: {error}");

    /// <summary>A time or null (the member must be present).</summary>
    public Timestamp? TimeOrNull(string name) => IsNull(name) ? null : Time(name);

    /// <summary>A required object.</summary>
    public ManifestReader Object(string name) => Json[name] is JsonObject item ? new ManifestReader(item, $"{Where}.{name}") : throw Fault(name, "an object");

    /// <summary>A required array of objects.</summary>
    public IEnumerable<ManifestReader> Objects(string name) => Array(name).Select((item, i) =>
        item is JsonObject o ? new ManifestReader(o, $"{Where}.{name}[{i}]") : throw new FormatException($"{Where}.{name}[{i}] is not an object"));

    /// <summary>A required array of integers.</summary>
    public IEnumerable<long> Integers(string name) => Array(name).Select((item, i) =>
        StrictJson.Integer(item) ?? throw new FormatException($"{Where}.{name}[{i}] is not an integer"));

    private JsonArray Array(string name) => Json[name] as JsonArray ?? throw Fault(name, "an array");

    // A null the format allows is written as a member whose value is null, never left out: the
    // canonical bytes of a manifest must have one spelling only.
    private bool IsNull(string name) => Json.TryGetPropertyValue(name, out var node)
        ? node is null
        : throw Fault(name, "present (null when there is no value)");

    private FormatException Fault(string name, string kind) => new($"{Where}.{name} is missing or not {kind}");
}
