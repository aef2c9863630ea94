using Recorder.Core.Query;
using Recorder.Core.Time;

namespace Recorder.Synthesis.Truth;

/// <summary>
/// A selection of packets, described twice: as structured fields in the shape of Recorder's query
/// (hosts, ports and protocols each an OR list, matching source or destination; different fields
/// combine with AND; the window is <c>[From, To)</c>) and as the libpcap filter that selects the
/// same packets with <c>tcpdump -r FILE -w - 'BPF'</c>. A BPF filter cannot express time: the
/// window applies to tcpdump's output as well.
/// </summary>
public sealed record SynthesisQuery
{
    /// <summary>Addresses or CIDR blocks (OR).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>TCP/UDP ports (OR).</summary>
    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary>Protocol names: tcp, udp, icmp, icmp6 (OR).</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>Inclusive start of the window, RFC 3339 UTC with nine fractional digits, or null.</summary>
    public string? From { get; init; }

    /// <summary>Exclusive end of the window, RFC 3339 UTC with nine fractional digits, or null.</summary>
    public string? To { get; init; }

    /// <summary>The equivalent libpcap filter for the host, port and protocol fields ("" selects everything).</summary>
    public string Bpf { get; init; } = string.Empty;

    /// <summary>The same selection as Recorder's <see cref="PacketQuery"/> (without <see cref="Bpf"/>, which needs libpcap).</summary>
    /// <exception cref="FormatException">A field does not parse (only possible for hand-edited truth files).</exception>
    public PacketQuery ToPacketQuery() => new()
    {
        Hosts = Hosts.Select(HostBlock.Parse).ToList(),
        Ports = Ports.Select(p => checked((ushort)p)).ToList(),
        Protocols = Protocols.Select(QueryMatcher.ProtocolNumber).ToList(),
        From = From is null ? null : TimestampParser.Parse(From),
        To = To is null ? null : TimestampParser.Parse(To),
    };
}
