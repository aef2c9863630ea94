using Recorder.Core.Packets;

namespace Recorder.Core.Indexing;

/// <summary>
/// The order of a segment's flows in its index: by kind, protocol, ports flag, then the first
/// endpoint (address, port) and the second. Any total order would do; this one lets spilled runs of
/// a segment being written be merged by key (see <see cref="SegmentIndexBuilder"/>).
/// </summary>
public sealed class FlowKeyOrder : IComparer<FlowKey>
{
    /// <summary>The one instance.</summary>
    public static readonly FlowKeyOrder Instance = new();

    private FlowKeyOrder()
    {
    }

    /// <inheritdoc />
    public int Compare(FlowKey x, FlowKey y) => CompareKeys(in x, in y);

    /// <summary>Negative, zero or positive as <paramref name="x"/> sorts before, with or after <paramref name="y"/>.</summary>
    public static int CompareKeys(in FlowKey x, in FlowKey y)
    {
        var order = ((byte)x.Kind).CompareTo((byte)y.Kind);
        if (order == 0)
        {
            order = x.Protocol.CompareTo(y.Protocol);
        }

        if (order == 0)
        {
            order = x.HasPorts.CompareTo(y.HasPorts);
        }

        if (order == 0)
        {
            order = x.AddressA.CompareTo(y.AddressA);
        }

        if (order == 0)
        {
            order = x.PortA.CompareTo(y.PortA);
        }

        if (order == 0)
        {
            order = x.AddressB.CompareTo(y.AddressB);
        }

        return order != 0 ? order : x.PortB.CompareTo(y.PortB);
    }
}
