using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Core.Time;

namespace Recorder.Core.Query;

/// <summary>
/// What to extract: hosts (address or CIDR), ports and protocols (each list is an OR, matching
/// source or destination), a time window <c>[From, To)</c>, and an optional libpcap filter
/// expression applied to the candidates. Different conditions combine with AND. A query may also
/// name whole conversations (<see cref="Conversations"/>: a session's canonical 5-tuple and its first
/// and last packet time), as <c>recorder query --session</c> and <c>--sessions-of</c> do.
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

    /// <summary>
    /// Conversations (OR): a packet matches one when its flow is the conversation's and its time lies
    /// in the conversation's <c>[first, last]</c>. Whoever builds such a query also sets
    /// <see cref="Hosts"/>, <see cref="Ports"/> and <see cref="Protocols"/> to what every conversation
    /// shares (<see cref="ForConversations"/>), so the index narrows the search as for any query.
    /// </summary>
    public IReadOnlyList<ConversationWindow> Conversations
    {
        get => _conversations;
        init
        {
            _conversations = value;
            _conversationsByFlow = value.Count == 0 ? null : value.GroupBy(c => c.Flow).ToDictionary(g => g.Key, g => g.ToArray());
        }
    }

    /// <summary>Distinct hosts or ports of <see cref="ForConversations"/> above which they are not listed as conditions.</summary>
    public const int MaxNarrowingValues = 256;

    private readonly IReadOnlyList<ConversationWindow> _conversations = [];
    private readonly Dictionary<FlowKey, ConversationWindow[]>? _conversationsByFlow;

    /// <summary>True when host, port, protocol or conversation conditions exist (the index can narrow the search).</summary>
    public bool HasFlowConditions => Hosts.Count > 0 || Ports.Count > 0 || Protocols.Count > 0 || Conversations.Count > 0;

    /// <summary>
    /// A query for exactly the packets of <paramref name="conversations"/> (at least one): hosts, ports
    /// and protocols are the union of theirs (necessary conditions the index can use), the window runs
    /// from the first conversation's first packet to the last one's last packet, intersected with
    /// <paramref name="from"/>/<paramref name="to"/> when given, and <paramref name="bpf"/> applies on top.
    /// </summary>
    public static PacketQuery ForConversations(IReadOnlyList<ConversationWindow> conversations, Timestamp? from = null, Timestamp? to = null, string? bpf = null)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        if (conversations.Count == 0)
        {
            throw new ArgumentException("at least one conversation is needed (an empty list would select every packet)", nameof(conversations));
        }

        var first = conversations.Min(c => c.FirstNanoseconds);
        var last = conversations.Max(c => c.LastNanoseconds);
        var start = from is { } f && f.UnixNanoseconds > first ? f : new Timestamp(first);
        var end = to is { } t && t.UnixNanoseconds <= last ? t : new Timestamp(last + 1);
        var hosts = new SortedSet<(NetworkKind, UInt128)>();
        var ports = new SortedSet<ushort>();
        var allHavePorts = true;
        foreach (var c in conversations)
        {
            hosts.Add((c.Flow.Kind, c.Flow.AddressA));
            hosts.Add((c.Flow.Kind, c.Flow.AddressB));
            allHavePorts &= c.Flow.HasPorts;
            ports.Add(c.Flow.PortA);
            ports.Add(c.Flow.PortB);
        }

        // Hosts and ports only while few: every candidate flow is checked against each of them, and the
        // conversations' own check (a dictionary) is exact anyway. Protocols are never empty, so the
        // index always has a condition to narrow by.
        return new PacketQuery
        {
            Hosts = hosts.Count > MaxNarrowingValues ? [] : hosts.Select(h => h.Item1 == NetworkKind.IPv4 ? new IpNetwork(h.Item2, h.Item2, true, 32) : new IpNetwork(h.Item2, h.Item2, false, 128)).ToList(),
            Ports = allHavePorts && ports.Count <= MaxNarrowingValues ? ports.ToList() : [],
            Protocols = conversations.Select(c => c.Flow.Protocol).Distinct().Order().ToList(),
            From = start,
            To = end,
            Bpf = bpf,
            Conversations = conversations,
        };
    }

    /// <summary>True when the timestamp falls in the window.</summary>
    public bool InWindow(long nanoseconds) =>
        (From is null || nanoseconds >= From.Value.UnixNanoseconds) && (To is null || nanoseconds < To.Value.UnixNanoseconds);

    /// <summary>True when the window overlaps <c>[first, last]</c>.</summary>
    public bool Overlaps(long firstNanoseconds, long lastNanoseconds) =>
        (From is null || lastNanoseconds >= From.Value.UnixNanoseconds) && (To is null || firstNanoseconds < To.Value.UnixNanoseconds);

    /// <summary>
    /// Exact check of the host, port, protocol and conversation conditions against a decoded packet
    /// captured at <paramref name="nanoseconds"/>.
    /// </summary>
    public bool MatchesFlowConditions(in DecodedPacket packet, long nanoseconds)
    {
        if (!MatchesFlowConditions(packet))
        {
            return false;
        }

        if (_conversationsByFlow is null)
        {
            return true;
        }

        if (!_conversationsByFlow.TryGetValue(FlowKey.From(packet), out var windows))
        {
            return false;
        }

        foreach (var window in windows)
        {
            if (nanoseconds >= window.FirstNanoseconds && nanoseconds <= window.LastNanoseconds)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Exact check of the host, port and protocol conditions against a decoded packet (not the conversations' times).</summary>
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

        return _conversationsByFlow is null || _conversationsByFlow.ContainsKey(flow);
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

        var json = new JsonObject
        {
            ["hosts"] = hosts,
            ["ports"] = ports,
            ["protocols"] = protocols,
            ["from"] = From?.ToString(),
            ["to"] = To?.ToString(),
            ["bpf"] = Bpf,
        };
        if (Conversations.Count > 0)
        {
            json["conversations"] = new JsonArray(Conversations.Select(c => (JsonNode)c.ToJson()).ToArray());
        }

        return json;
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

        if (Conversations.Count > 0)
        {
            parts.Add(Conversations.Count == 1 ? $"conversation {Conversations[0]}" : $"one of {Conversations.Count} conversations");
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
