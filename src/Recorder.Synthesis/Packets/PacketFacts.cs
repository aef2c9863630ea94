namespace Recorder.Synthesis.Packets;

/// <summary>The network layer of a generated packet, as the generator knows it.</summary>
internal enum NetworkFact : byte
{
    /// <summary>No IP or ARP addresses (non-IP, truncated or garbage header).</summary>
    None,
    IPv4,
    IPv6,

    /// <summary>ARP: sender and target protocol addresses count as hosts (as BPF's <c>host</c> does).</summary>
    Arp,
}

/// <summary>
/// What the generator put into a packet: addresses, protocol and ports. Filled while building the
/// packet from the flow's plan, never by parsing the bytes.
/// </summary>
internal struct PacketFacts
{
    public NetworkFact Network;
    public byte Protocol;

    /// <summary>True for TCP and UDP, except on a later IPv4 fragment (which carries no transport header).</summary>
    public bool HasPorts;
    public ushort SourcePort;
    public ushort DestinationPort;
    public UInt128 Source;
    public UInt128 Destination;
}
