namespace Recorder.Synthesis.Truth;

/// <summary>
/// One flow the synthesizer generated on addresses no other flow uses (a needle or the elephant), so
/// <see cref="Bpf"/> (and <see cref="Query"/>) select exactly its packets.
/// </summary>
public sealed record FlowTruth
{
    /// <summary>Stable name, e.g. <c>tcp4-https</c> or <c>elephant</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Application kind: tls, http, ssh, dns, quic, icmp-echo or syn-rst.</summary>
    public required string Kind { get; init; }

    /// <summary>Transport protocol: tcp, udp, icmp or icmp6.</summary>
    public required string Protocol { get; init; }

    /// <summary>4 or 6.</summary>
    public int IpVersion { get; init; }

    /// <summary>Client address (the side that opened the flow).</summary>
    public required string Client { get; init; }

    /// <summary>Client port (TCP/UDP) or ICMP echo identifier.</summary>
    public int ClientPort { get; init; }

    /// <summary>Server address.</summary>
    public required string Server { get; init; }

    /// <summary>Server port (0 for ICMP).</summary>
    public int ServerPort { get; init; }

    /// <summary>The LINKTYPE_ of the interface the flow was written on.</summary>
    public int LinkType { get; init; }

    /// <summary>Packets in the flow.</summary>
    public long Packets { get; init; }

    /// <summary>Sum of the captured frame lengths of the flow's packets.</summary>
    public long Bytes { get; init; }

    /// <summary>Earliest timestamp of the flow, RFC 3339 with nine fractional digits.</summary>
    public required string FirstTimestamp { get; init; }

    /// <summary>Latest timestamp of the flow.</summary>
    public required string LastTimestamp { get; init; }

    /// <summary>The libpcap filter selecting exactly this flow, e.g. <c>host 192.0.2.10 and port 443</c>.</summary>
    public required string Bpf { get; init; }

    /// <summary>The same selection as structured fields.</summary>
    public required SynthesisQuery Query { get; init; }
}
