namespace Recorder.Synthesis.Flows;

/// <summary>Why a flow is followed individually in the truth.</summary>
internal enum TrackedRole : byte
{
    Needle,
    Elephant,
    Anomaly,
}

/// <summary>A flow the truth reports on its own: a needle, the elephant or an anomaly.</summary>
/// <param name="Name">Needle name, <c>elephant</c>, or the anomaly kind.</param>
/// <param name="Description">Application kind (needles, elephant) or what is odd (anomalies).</param>
/// <param name="FlowIndex">Index in <see cref="CapturePlan.Flows"/>.</param>
/// <param name="Role">Needle, elephant or anomaly.</param>
internal sealed record TrackedFlow(string Name, string Description, int FlowIndex, TrackedRole Role);

/// <summary>Everything decided before the first byte is written.</summary>
internal sealed class CapturePlan
{
    public required Flow[] Flows { get; init; }

    /// <summary>Needles in order, then the elephant, then the anomalies.</summary>
    public required IReadOnlyList<TrackedFlow> Tracked { get; init; }

    /// <summary>LINKTYPE_ of each interface, indexed by <see cref="LinkKind"/>'s position in the file.</summary>
    public required IReadOnlyList<int> LinkTypes { get; init; }

    /// <summary>Interface index of each <see cref="LinkKind"/> (-1 when absent).</summary>
    public required int[] InterfaceOf { get; init; }

    public required long Packets { get; init; }

    public required long FileBytes { get; init; }

    public required int OrdinaryFlows { get; init; }

    /// <summary>The server of the first VLAN-tagged flow, when there is one.</summary>
    public required UInt128? VlanServer { get; init; }
}
