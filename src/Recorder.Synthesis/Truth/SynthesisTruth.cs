using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Recorder.Core.Time;

namespace Recorder.Synthesis.Truth;

/// <summary>
/// Ground truth of one synthesized capture, computed by the generator from what it generated (it
/// never decodes its own output): totals, link types, timestamps, every needle, the elephant, the
/// aggregate queries with their exact packet counts, and where the anomalies are.
/// Byte counts are sums of captured frame lengths; record headers are in <see cref="FileBytes"/> only.
/// </summary>
public sealed record SynthesisTruth
{
    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();
    private static readonly JsonTypeInfo<SynthesisTruth> JsonType = (JsonTypeInfo<SynthesisTruth>)JsonOptions.GetTypeInfo(typeof(SynthesisTruth));

    /// <summary>Always <c>Recorder.Synthesis</c>.</summary>
    public string Generator { get; init; } = "Recorder.Synthesis";

    /// <summary>The generator version that wrote the file (<see cref="TrafficSynthesizer.GeneratorVersion"/>).</summary>
    public int GeneratorVersion { get; init; }

    /// <summary>The options the file was generated with: with the version, enough to make it again.</summary>
    public required SynthesisOptions Options { get; init; }

    /// <summary><c>pcap</c> or <c>pcapng</c>.</summary>
    public required string Format { get; init; }

    /// <summary><c>microseconds</c> or <c>nanoseconds</c>.</summary>
    public required string TimestampResolution { get; init; }

    /// <summary>Packets written.</summary>
    public long Packets { get; init; }

    /// <summary>Sum of the captured frame lengths (every frame is captured whole: captured length = original length).</summary>
    public long FrameBytes { get; init; }

    /// <summary>Exact length of the file, headers included.</summary>
    public long FileBytes { get; init; }

    /// <summary>The LINKTYPE_ of each interface, in interface order.</summary>
    public required IReadOnlyList<int> LinkTypes { get; init; }

    /// <summary>Packets and bytes per interface.</summary>
    public required IReadOnlyList<LinkTypeTruth> Interfaces { get; init; }

    /// <summary>Earliest timestamp written, RFC 3339 with nine fractional digits.</summary>
    public required string FirstTimestamp { get; init; }

    /// <summary>Latest timestamp written.</summary>
    public required string LastTimestamp { get; init; }

    /// <summary>True when no timestamp is earlier than the one before it in the file.</summary>
    public bool TimestampsNonDecreasing { get; init; }

    /// <summary>Zero-based file positions of the packets whose timestamp is earlier than the previous packet's.</summary>
    public required IReadOnlyList<long> OutOfOrderPackets { get; init; }

    /// <summary>All flows generated: ordinary, needles, elephant and anomaly flows.</summary>
    public int Flows { get; init; }

    /// <summary>Packets carried over IPv6.</summary>
    [JsonPropertyName("ipv6Packets")]
    public long IPv6Packets { get; init; }

    /// <summary>Packets with an 802.1Q tag.</summary>
    public long VlanPackets { get; init; }

    /// <summary>The needle flows.</summary>
    public required IReadOnlyList<FlowTruth> Needles { get; init; }

    /// <summary>The single largest flow (TCP, port 443) on its own addresses.</summary>
    public required FlowTruth Elephant { get; init; }

    /// <summary>Aggregate queries and their exact counts.</summary>
    public required IReadOnlyList<QueryTruth> Queries { get; init; }

    /// <summary>The deliberate anomalies (empty when they were not asked for).</summary>
    public required IReadOnlyList<AnomalyTruth> Anomalies { get; init; }

    /// <summary>Indented JSON with camelCase names; <see cref="FromJson"/> reads it back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonType);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not a synthesis truth document.</exception>
    public static SynthesisTruth FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, JsonType)
            ?? throw new JsonException("synthesis truth: the document is null");
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            RespectRequiredConstructorParameters = true,
            // Source-generated metadata (SynthesisTruthJsonContext), not reflection: the native CLI
            // (Native AOT) has no reflection-based serialization. Names, enums and timestamps are
            // still shaped by these options, so the JSON is the same as before.
            TypeInfoResolver = SynthesisTruthJsonContext.Default,
        };
        options.Converters.Add(new JsonStringEnumConverter<SynthesisTimestampResolution>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<Recorder.Core.Formats.CaptureFileFormat>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new TimestampJsonConverter());
        options.MakeReadOnly();
        return options;
    }

    private sealed class TimestampJsonConverter : JsonConverter<Timestamp>
    {
        public override Timestamp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            if (!TimestampParser.TryParse(text, out var value, out var error))
            {
                throw new JsonException($"'{text}' is not a timestamp: {error}");
            }

            return value;
        }

        public override void Write(Utf8JsonWriter writer, Timestamp value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}

/// <summary>Serialization metadata for <see cref="SynthesisTruth"/>, generated at compile time.</summary>
[JsonSerializable(typeof(SynthesisTruth))]
internal sealed partial class SynthesisTruthJsonContext : JsonSerializerContext;
