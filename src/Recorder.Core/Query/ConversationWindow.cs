using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Core.Time;

namespace Recorder.Core.Query;

/// <summary>
/// One conversation a query extracts: its flow (canonical 5-tuple, both directions) and the capture
/// times of its first and last packet, inclusive. Packets of the same flow outside the window (an
/// earlier or later conversation reusing the ports) are not part of it.
/// </summary>
/// <param name="Flow">The conversation's flow.</param>
/// <param name="FirstNanoseconds">Its first packet, Unix nanoseconds.</param>
/// <param name="LastNanoseconds">Its last packet, Unix nanoseconds.</param>
/// <param name="Label">Where it came from (e.g. a session's <c>segment:id</c>), for descriptions.</param>
public readonly record struct ConversationWindow(FlowKey Flow, long FirstNanoseconds, long LastNanoseconds, string Label)
{
    /// <summary>The canonical JSON description used in ledger entries and manifests.</summary>
    public JsonObject ToJson() => new()
    {
        ["session"] = Label,
        ["protocol"] = Protocols.Name(Flow.Protocol),
        ["a"] = IpAddress128.Format(Flow.AddressA, Flow.Kind == NetworkKind.IPv4),
        ["aPort"] = Flow.HasPorts ? Flow.PortA : null,
        ["b"] = IpAddress128.Format(Flow.AddressB, Flow.Kind == NetworkKind.IPv4),
        ["bPort"] = Flow.HasPorts ? Flow.PortB : null,
        ["first"] = new Timestamp(FirstNanoseconds).ToString(),
        ["last"] = new Timestamp(LastNanoseconds).ToString(),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Label} ({Flow}, [{new Timestamp(FirstNanoseconds)}, {new Timestamp(LastNanoseconds)}])";
}
