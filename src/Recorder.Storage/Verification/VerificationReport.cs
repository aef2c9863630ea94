using System.Text.Json.Nodes;

namespace Recorder.Storage.Verification;

/// <summary>One problem found by verification: where, what, and what was expected against what was found.</summary>
/// <param name="Subject">Where: <c>segment 12</c>, <c>index</c>, <c>ledger seq 40</c>, a file.</param>
/// <param name="Check">What was checked, e.g. <c>sha256</c>, <c>signature</c>, <c>chain</c>.</param>
/// <param name="Expected">What should be there.</param>
/// <param name="Found">What is there.</param>
public sealed record Finding(string Subject, string Check, string Expected, string Found)
{
    /// <summary>Segment id, when the finding concerns one.</summary>
    public long? SegmentId { get; init; }

    /// <summary>Ledger sequence number, when the finding concerns an entry.</summary>
    public long? Sequence { get; init; }

    /// <summary>JSON form.</summary>
    public JsonObject ToJson() => new()
    {
        ["subject"] = Subject,
        ["check"] = Check,
        ["expected"] = Expected,
        ["found"] = Found,
        ["segmentId"] = SegmentId,
        ["seq"] = Sequence,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Subject}: {Check}: expected {Expected}, found {Found}";
}

/// <summary>Everything a verification checked and every problem it found.</summary>
public sealed record VerificationReport
{
    /// <summary>Every finding (empty when all holds).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>Sealed segments checked.</summary>
    public int SegmentsChecked { get; init; }

    /// <summary>Packets re-read.</summary>
    public long PacketsChecked { get; init; }

    /// <summary>Bytes re-hashed.</summary>
    public long BytesHashed { get; init; }

    /// <summary>Indexed segments compared with their files.</summary>
    public int IndexEntriesChecked { get; init; }

    /// <summary>The sealed segments checked: those sealed when the verification started.</summary>
    public IReadOnlyList<long> SegmentIds { get; init; } = [];

    /// <summary>
    /// Segments of <see cref="SegmentIds"/> whose living writer had not yet recorded them (index and
    /// ledger entries on their way): their absence from the index or the ledger is not a finding.
    /// </summary>
    public IReadOnlySet<long> InFlightSegmentIds { get; init; } = new HashSet<long>();

    /// <summary>Other facts (ledger figures, live sessions) worth printing.</summary>
    public JsonObject Notes { get; init; } = [];

    /// <summary>
    /// The findings grouped by root cause, first cause first (see <see cref="StoreDiagnosis"/>); when
    /// not given, findings about one segment are grouped under the first of them.
    /// </summary>
    public IReadOnlyList<FindingCause> Causes
    {
        get => _causes ?? StoreDiagnosis.Explain(Findings);
        init => _causes = value;
    }

    private readonly IReadOnlyList<FindingCause>? _causes;

    /// <summary>True when there is no finding.</summary>
    public bool Passed => Findings.Count == 0;

    /// <summary>JSON form.</summary>
    public JsonObject ToJson() => new()
    {
        ["passed"] = Passed,
        ["segmentsChecked"] = SegmentsChecked,
        ["packetsChecked"] = PacketsChecked,
        ["bytesHashed"] = BytesHashed,
        ["indexEntriesChecked"] = IndexEntriesChecked,
        ["findings"] = new JsonArray(Findings.Select(f => (JsonNode)f.ToJson()).ToArray()),
        ["causes"] = new JsonArray(Causes.Select(c => (JsonNode)c.ToJson()).ToArray()),
        ["notes"] = Notes.DeepClone(),
    };
}
