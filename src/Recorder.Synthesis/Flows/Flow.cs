namespace Recorder.Synthesis.Flows;

/// <summary>
/// One flow's plan and running state. The plan (kind, size, endpoints, timing) is fixed before
/// writing starts; the running state (next time, sequence numbers, IP ids) advances packet by packet.
/// Kept as a mutable struct in one array: a 100 000-flow capture holds about 16 MB of them.
/// </summary>
internal struct Flow
{
    /// <summary>Nanoseconds after the capture start at which the next packet is sent.</summary>
    public long Next;

    /// <summary>Per-flow key of the counter-based randomness.</summary>
    public ulong Key;

    /// <summary>Packets planned.</summary>
    public int Count;

    /// <summary>Packets written so far.</summary>
    public int Emitted;

    /// <summary>Index of the needle/elephant/anomaly this flow is tracked as in the truth, or -1.</summary>
    public int TruthSlot;

    /// <summary>The packet whose transport checksum is deliberately wrong, or -1.</summary>
    public int CorruptPacket;

    public FlowKind Kind;
    public LinkKind Link;
    public bool IPv6;
    public bool HopByHop;

    /// <summary>802.1Q VLAN id, 0 for untagged frames.</summary>
    public ushort Vlan;

    /// <summary>Client address as a 128-bit number (IPv4 v4-mapped).</summary>
    public UInt128 Client;

    /// <summary>Server address.</summary>
    public UInt128 Server;

    /// <summary>Client port, or the ICMP echo identifier.</summary>
    public ushort ClientPort;

    public ushort ServerPort;

    /// <summary>Mean gap between packets that do not answer the previous one, in ns.</summary>
    public long MeanGap;

    /// <summary>Round-trip time: the gap before a packet that answers the previous one, in ns.</summary>
    public long Rtt;

    public uint ClientSeq;
    public uint ServerSeq;
    public uint ClientTsBase;
    public uint ServerTsBase;
    public uint ClientTsLast;
    public uint ServerTsLast;
    public ushort ClientIpId;
    public ushort ServerIpId;
    public byte ClientTtl;
    public byte ServerTtl;

    /// <summary>The shape of packet <see cref="Emitted"/>, computed when its time was.</summary>
    public PacketShape Pending;

    /// <summary>Send time (absolute ns) of the last ICMP echo request, which the reply echoes.</summary>
    public long EchoTime;
}
