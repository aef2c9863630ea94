using System.Globalization;
using Recorder.Core.Time;
using Recorder.Synthesis.Packets;

namespace Recorder.Synthesis.Truth;

/// <summary>
/// Evaluates a <see cref="SynthesisQuery"/> against what the generator knows it wrote (never against
/// the bytes). Hosts match either address, in the packet's family, ARP counting as IPv4; ports
/// match either port of TCP/UDP packets that carry a transport header; protocols match the IP
/// protocol of IPv4/IPv6 packets; the window is <c>[from, to)</c>.
/// </summary>
internal sealed class QueryMatcher
{
    private readonly (UInt128 First, UInt128 Last, bool IsV4)[] _hosts;
    private readonly ushort[] _ports;
    private readonly byte[] _protocols;
    private readonly long _from;
    private readonly long _to;

    public QueryMatcher(SynthesisQuery query)
    {
        _hosts = query.Hosts.Select(ParseHost).ToArray();
        _ports = query.Ports.Select(p => checked((ushort)p)).ToArray();
        _protocols = query.Protocols.Select(ProtocolNumber).ToArray();
        _from = query.From is null ? long.MinValue : TimestampParser.Parse(query.From).UnixNanoseconds;
        _to = query.To is null ? long.MaxValue : TimestampParser.Parse(query.To).UnixNanoseconds;
    }

    public bool Matches(in PacketFacts facts, long timestamp)
    {
        if (timestamp < _from || timestamp >= _to)
        {
            return false;
        }

        if (_hosts.Length > 0 && !MatchesHost(facts))
        {
            return false;
        }

        if (_ports.Length > 0)
        {
            if (!facts.HasPorts || Array.IndexOf(_ports, facts.SourcePort) < 0 && Array.IndexOf(_ports, facts.DestinationPort) < 0)
            {
                return false;
            }
        }

        if (_protocols.Length > 0)
        {
            if (facts.Network is not (NetworkFact.IPv4 or NetworkFact.IPv6) || Array.IndexOf(_protocols, facts.Protocol) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private bool MatchesHost(in PacketFacts facts)
    {
        if (facts.Network == NetworkFact.None)
        {
            return false;
        }

        var v4 = facts.Network is NetworkFact.IPv4 or NetworkFact.Arp;
        foreach (var (first, last, isV4) in _hosts)
        {
            if (isV4 == v4 && ((facts.Source >= first && facts.Source <= last) || (facts.Destination >= first && facts.Destination <= last)))
            {
                return true;
            }
        }

        return false;
    }

    private static (UInt128, UInt128, bool) ParseHost(string text)
    {
        var network = HostBlock.Parse(text);
        return (network.First, network.Last, network.IsIPv4);
    }

    internal static byte ProtocolNumber(string name) => name switch
    {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "icmp6" => 58,
        _ => byte.Parse(name, NumberStyles.None, CultureInfo.InvariantCulture),
    };
}
