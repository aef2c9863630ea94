namespace Recorder.Synthesis.Flows;

/// <summary>The conversation shapes the synthesizer knows.</summary>
internal enum FlowKind : byte
{
    /// <summary>TCP handshake, TLS ClientHello with SNI, ServerHello, request/response rounds of TLS records, FIN close.</summary>
    TcpTls,

    /// <summary>TCP handshake, HTTP/1.1 GET and 200 responses with exact Content-Length, FIN close.</summary>
    TcpHttp,

    /// <summary>TCP handshake, SSH banners, keystroke/echo/ACK triples, FIN close.</summary>
    TcpSsh,

    /// <summary>TCP handshake, a few request/response segments, then a client RST (3 to 7 packets).</summary>
    TcpShort,

    /// <summary>A SYN, answered (two packets) by RST/ACK or not at all (one packet).</summary>
    TcpSyn,

    /// <summary>DNS queries and responses over UDP port 53.</summary>
    UdpDns,

    /// <summary>QUIC-like UDP port 443: long-header Initial/Handshake packets, then short-header ones.</summary>
    UdpQuic,

    /// <summary>ICMP (or ICMPv6) echo requests and replies.</summary>
    IcmpEcho,

    /// <summary>Anomaly: one UDP datagram sent as a first and a later IPv4 fragment.</summary>
    UdpFragments,

    /// <summary>Anomaly: an ARP request (broadcast) and its reply.</summary>
    Arp,

    /// <summary>Anomaly: an LLDP frame (EtherType 0x88cc, not IP).</summary>
    Lldp,

    /// <summary>Anomaly: EtherType IPv4 followed by only 12 bytes of IPv4 header.</summary>
    TruncatedIp,

    /// <summary>Anomaly: EtherType IPv4 followed by bytes that are not an IPv4 header (version 0).</summary>
    GarbageIp,
}

/// <summary>How a flow's frames are framed at the link layer (one interface per kind).</summary>
internal enum LinkKind : byte
{
    /// <summary>LINKTYPE_ETHERNET (1).</summary>
    Ethernet,

    /// <summary>LINKTYPE_RAW (101): the IP header first.</summary>
    Raw,

    /// <summary>LINKTYPE_LINUX_SLL (113): Linux cooked capture v1.</summary>
    LinuxSll,
}
