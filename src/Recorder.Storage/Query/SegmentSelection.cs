using System.Text.Json.Nodes;
using Recorder.Storage.Segments;

namespace Recorder.Storage.Query;

/// <summary>A sealed segment a query had to leave out, and why (it may hold matching packets).</summary>
/// <param name="SegmentId">The segment's id.</param>
/// <param name="Reason">What made it unusable, in words an examiner can act on.</param>
public sealed record SegmentLeftOut(long SegmentId, string Reason)
{
    /// <summary>JSON as the ledger, the CLI and the API carry it: <c>{"segment": id, "reason": text}</c>.</summary>
    public JsonObject ToJson() => new() { ["segment"] = SegmentId, ["reason"] = Reason };

    /// <summary>A JSON array of <paramref name="leftOut"/>, in segment order.</summary>
    public static JsonArray ToJson(IEnumerable<SegmentLeftOut> leftOut)
    {
        ArgumentNullException.ThrowIfNull(leftOut);
        return new JsonArray(leftOut.OrderBy(s => s.SegmentId).Select(s => (JsonNode)s.ToJson()).ToArray());
    }

    /// <inheritdoc />
    public override string ToString() => $"segment {SegmentId}: {Reason}";
}

/// <summary>
/// The sealed segments a query reads, fixed when it starts, and those it cannot read. A segment is
/// read only when its manifest verifies against the store key and chains to its predecessor and its
/// file is there at the sealed size; every other segment that might overlap the window is listed in
/// <see cref="LeftOut"/>, so an answer without it is never taken for a complete one.
/// </summary>
/// <param name="Segments">Verified segments overlapping the window, by id.</param>
/// <param name="LeftOut">Segments that may hold matches but cannot be read, by id.</param>
public sealed record SegmentSelection(IReadOnlyList<SealedSegment> Segments, IReadOnlyList<SegmentLeftOut> LeftOut)
{
    /// <summary>True when some segment was left out: an answer over this selection is partial.</summary>
    public bool Partial => LeftOut.Count > 0;
}
