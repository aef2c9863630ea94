namespace Recorder.Core.Packets;

/// <summary>
/// What <see cref="PacketDecoder"/> found in one packet: the network kind, the IP protocol (after
/// any IPv6 extension headers), both addresses and, for the first fragment of TCP, UDP, SCTP and
/// UDP-Lite, both ports.
/// </summary>
public struct DecodedPacket
{
    /// <summary>The network layer found.</summary>
    public NetworkKind Kind;

    /// <summary>The IP protocol number (0 for ARP and undecoded packets).</summary>
    public byte Protocol;

    /// <summary>Whether <see cref="SourcePort"/> and <see cref="DestinationPort"/> are meaningful.</summary>
    public bool HasPorts;

    /// <summary>True for an IP fragment other than the first (no transport header, as in BPF).</summary>
    public bool IsLaterFragment;

    /// <summary>Source port.</summary>
    public ushort SourcePort;

    /// <summary>Destination port.</summary>
    public ushort DestinationPort;

    /// <summary>Source address (IPv4 v4-mapped, see <see cref="IpAddress128"/>).</summary>
    public UInt128 Source;

    /// <summary>Destination address.</summary>
    public UInt128 Destination;

    /// <summary>The direction-free flow this packet belongs to.</summary>
    public readonly FlowKey ToFlowKey() => FlowKey.From(this);
}
