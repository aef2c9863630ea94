namespace Recorder.Synthesis.Truth;

/// <summary>An aggregate query over the capture and exactly how many packets it selects.</summary>
public sealed record QueryTruth
{
    /// <summary>A short stable name, e.g. <c>port-443</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the query is meant to exercise.</summary>
    public required string Description { get; init; }

    /// <summary>The selection.</summary>
    public required SynthesisQuery Query { get; init; }

    /// <summary>Packets selected.</summary>
    public long Packets { get; init; }

    /// <summary>Sum of the captured frame lengths of the packets selected (record headers excluded).</summary>
    public long Bytes { get; init; }
}
