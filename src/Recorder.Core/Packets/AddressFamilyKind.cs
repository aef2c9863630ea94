namespace Recorder.Core.Packets;

/// <summary>What the network layer of a packet is, as far as the index is concerned. Persisted: append only.</summary>
public enum NetworkKind : byte
{
    /// <summary>Not decoded: an unknown link type, a non-IP EtherType, or too short.</summary>
    Other = 0,

    /// <summary>IPv4.</summary>
    IPv4 = 4,

    /// <summary>IPv6.</summary>
    IPv6 = 6,

    /// <summary>ARP or RARP for IPv4 over Ethernet-like hardware (BPF's <c>host</c> matches these).</summary>
    Arp = 8,
}
