using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Core.Time;

namespace Recorder.Core.Query;

/// <summary>
/// What to extract: hosts (address or CIDR), ports and protocols (each list is an OR, matching
/// source or destination), a time window <c>[From, To)</c>, and an optional libpcap filter
/// expression applied to the candidates. Different conditions combine with AND.
/// </summary>
public sealed record PacketQuery
{
    /// <summary>A query with no conditions: every packet.</summary>
    public static readonly PacketQuery All = new();

    /// <summary>Hosts (OR).</summary>
    public IReadOnlyList<IpNetwork> Hosts { get; init; } = [];

    /// <summary>Ports (OR).</summary>
    public IReadOnlyList<ushort> Ports { get; init; } = [];

    /// <summary>IP protocol numbers (OR).</summary>
    public IReadOnlyList<byte> Protocols { get; init; } = [];

    /// <summary>Inclusive start of the window, if any.</summary>
    public Timestamp? From { get; init; }

    /// <summary>Exclusive end of the window, if any.</summary>
    public Timestamp? To { get; init; }

    /// <summary>A libpcap filter expression, if any.</summary>
    public string? Bpf { get; init; }

    /// <summary>True when host, port or protocol conditions exist (the index can narrow the search).</summary>
    public bool HasFlowConditions => Hosts.Count > 0 || Ports.Count > 0 || Protocols.Count > 0;

    /// <summary>True when the timestamp falls in the window.</summary>
    public bool InWindow(long nanoseconds) =>
        (From is null || nanoseconds >= From.Value.UnixNanoseconds) && (To is null || nanoseconds < To.Value.UnixNanoseconds);

    /// <summary>True when the window overlaps <c>[first, last]</c>.</summary>
    public bool Overlaps(long firstNanoseconds, long lastNanoseconds) =>
        (From is null || lastNanoseconds >= From.Value.UnixNanoseconds) && (To is null || firstNanoseconds < To.Value.UnixNanoseconds);

    /// <summary>Exact check of the host, port and protocol conditions against a decoded packet.</summary>
    public bool MatchesFlowConditions(in DecodedPacket packet)
    {
        if (Hosts.Count > 0 && !AnyHost(packet.Kind, packet.Source, packet.Destination))
        {
            return false;
        }

        if (Ports.Count > 0 && !(packet.HasPorts && AnyPort(packet.SourcePort, packet.DestinationPort)))
        {
            return false;
        }

        if (Protocols.Count > 0 && !(packet.Kind is NetworkKind.IPv4 or NetworkKind.IPv6 && Contains(Protocols, packet.Protocol)))
        {
            return false;
        }

        return true;
    }

    /// <summary>The same check on a whole flow (every packet of a flow shares the answer).</summary>
    public bool MatchesFlow(in FlowKey flow)
    {
        if (Hosts.Count > 0 && !AnyHost(flow.Kind, flow.AddressA, flow.AddressB))
        {
            return false;
        }

        if (Ports.Count > 0 && !(flow.HasPorts && AnyPort(flow.PortA, flow.PortB)))
        {
            return false;
        }

        if (Protocols.Count > 0 && !(flow.Kind is NetworkKind.IPv4 or NetworkKind.IPv6 && Contains(Protocols, flow.Protocol)))
        {
            return false;
        }

        return true;
    }

    /// <summary>A canonical JSON description (for manifests, ledger entries and API answers).</summary>
    public JsonObject ToJson()
    {
        var hosts = new JsonArray();
        foreach (var host in Hosts)
        {
            hosts.Add((JsonNode)host.ToString());
        }

        var ports = new JsonArray();
        foreach (var port in Ports)
        {
            ports.Add((JsonNode)(int)port);
        }

        var protocols = new JsonArray();
        foreach (var protocol in Protocols)
        {
            protocols.Add((JsonNode)Packets.Protocols.Name(protocol));
        }

        return new JsonObject
        {
            ["hosts"] = hosts,
            ["ports"] = ports,
            ["protocols"] = protocols,
            ["from"] = From?.ToString(),
            ["to"] = To?.ToString(),
            ["bpf"] = Bpf,
        };
    }

    /// <summary>A one-line human description, e.g. <c>host 10.0.0.1 and port 443 and [from, to)</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Hosts.Count > 0)
        {
            parts.Add(Group("host", Hosts.Select(h => h.ToString())));
        }

        if (Ports.Count > 0)
        {
            parts.Add(Group("port", Ports.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        if (Protocols.Count > 0)
        {
            parts.Add(Group("proto", Protocols.Select(Packets.Protocols.Name)));
        }

        if (From is not null || To is not null)
        {
            parts.Add($"time in [{From?.ToString() ?? "-inf"}, {To?.ToString() ?? "+inf"})");
        }

        if (!string.IsNullOrEmpty(Bpf))
        {
            parts.Add($"bpf ({Bpf})");
        }

        return parts.Count == 0 ? "all packets" : string.Join(" and ", parts);
    }

    private static string Group(string name, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count == 1)
        {
            return $"{name} {list[0]}";
        }

        var builder = new StringBuilder("(");
        builder.AppendJoin(" or ", list.Select(v => $"{name} {v}"));
        return builder.Append(')').ToString();
    }

    private bool AnyHost(NetworkKind kind, UInt128 a, UInt128 b)
    {
        foreach (var host in Hosts)
        {
            if (host.Contains(kind, a) || host.Contains(kind, b))
            {
                return true;
            }
        }

        return false;
    }

    private bool AnyPort(ushort a, ushort b)
    {
        foreach (var port in Ports)
        {
            if (port == a || port == b)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<byte> values, byte value)
    {
        foreach (var v in values)
        {
            if (v == value)
            {
                return true;
            }
        }

        return false;
    }
}
