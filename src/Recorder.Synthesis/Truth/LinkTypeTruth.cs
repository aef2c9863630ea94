namespace Recorder.Synthesis.Truth;

/// <summary>Packets written on one interface.</summary>
public sealed record LinkTypeTruth
{
    /// <summary>Interface index in the file (0 for classic pcap).</summary>
    public int InterfaceIndex { get; init; }

    /// <summary>The LINKTYPE_ value.</summary>
    public int LinkType { get; init; }

    /// <summary>Packets written on the interface.</summary>
    public long Packets { get; init; }

    /// <summary>Sum of their captured frame lengths.</summary>
    public long Bytes { get; init; }
}
