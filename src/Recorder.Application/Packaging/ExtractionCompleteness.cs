using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Ledger.Entries;

namespace Recorder.Application.Packaging;

/// <summary>One segment an extraction left out, as its ledger entry names it.</summary>
/// <param name="Segment">The segment id.</param>
/// <param name="Reason">Why it could not be read.</param>
internal sealed record LeftOutSegment(long Segment, string Reason);

/// <summary>
/// Whether an extraction is the complete answer to its query, read from its
/// <c>extraction.written</c> entry: <c>partial</c>, <c>segmentsLeftOut</c> (the CLI writes it at the
/// top level, the service both there and in <c>run</c>) and <c>cancelledBy</c> for a stopped query.
/// </summary>
/// <param name="Partial">The extraction is not the complete answer.</param>
/// <param name="Stopped">The query was stopped before it finished.</param>
/// <param name="LeftOut">Segments left out, by id.</param>
internal sealed record ExtractionCompleteness(bool Partial, bool Stopped, IReadOnlyList<LeftOutSegment> LeftOut)
{
    /// <summary>Reads the completeness of <paramref name="extraction"/>.</summary>
    public static ExtractionCompleteness Of(LedgerEntry extraction)
    {
        var details = extraction.Details;
        var leftOut = (details["segmentsLeftOut"] ?? details["run"]?["segmentsLeftOut"]) is JsonArray items
            ? items.Select(i => new LeftOutSegment(i?["segment"]?.GetValue<long>() ?? 0, i?["reason"]?.GetValue<string>() ?? "no reason recorded")).ToList()
            : [];
        var partial = IsTrue(details["partial"]) || leftOut.Count > 0;
        var stopped = partial && (leftOut.Count == 0 || details["cancelledBy"] is JsonValue);
        return new ExtractionCompleteness(partial, stopped, leftOut);
    }

    /// <summary>Why the extraction is partial, in one clause.</summary>
    public string Why() => (LeftOut.Count > 0, Stopped) switch
    {
        (true, true) => "segments that may hold matching packets could not be read, and the query was stopped before it finished",
        (true, false) => "segments that may hold matching packets could not be read",
        _ => "the query was stopped before it finished; the file holds what it had written",
    };

    /// <summary>One line per segment left out.</summary>
    public IReadOnlyList<string> LeftOutLines() => LeftOut.Select(s => $"segment {s.Segment}: {s.Reason}").ToList();

    /// <summary><see cref="Why"/> followed by every segment left out.</summary>
    public string Describe() => LeftOut.Count == 0 ? Why() : $"{Why()}: {string.Join("; ", LeftOutLines())}";

    /// <summary>The segments left out as the package manifest lists them.</summary>
    public JsonArray LeftOutJson() =>
        new(LeftOut.Select(s => (JsonNode)new JsonObject { ["segment"] = s.Segment, ["reason"] = s.Reason }).ToArray());

    private static bool IsTrue(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;
}
