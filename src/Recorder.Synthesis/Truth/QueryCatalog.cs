using Recorder.Core.Time;
using Recorder.Synthesis.Flows;

namespace Recorder.Synthesis.Truth;

/// <summary>
/// The aggregate queries every capture's truth answers. Each is chosen so that Recorder's semantics
/// and libpcap's agree on it: no query with host, port or protocol conditions reaches a VLAN-tagged
/// frame (BPF does not look inside a tag unless told to with <c>vlan</c>, as <c>vlan-host</c> does),
/// the IPv6 packets with a hop-by-hop header (BPF does not walk extension headers for ports or
/// protocols), or the garbage IPv4 header (BPF does not check the version).
/// </summary>
internal static class QueryCatalog
{
    public static IReadOnlyList<QueryTruth> Build(CapturePlan plan, SynthesisOptions options)
    {
        var start = options.Start.UnixNanoseconds;
        var duration = options.Duration.Ticks * 100;
        var top = AddressPlan.Format(AddressPlan.OrdinaryServer4(0));
        var resolver = AddressPlan.Format(AddressPlan.Resolver4A);
        var windowFrom = new Timestamp(start + (duration * 2 / 5) + 123_457);
        var windowTo = new Timestamp(windowFrom.UnixNanoseconds + (duration / 10) + 1_001);
        var comboFrom = new Timestamp(start + (duration * 3 / 10) + 999);
        var comboTo = new Timestamp(start + (duration * 9 / 20) + 999);
        var elephant = AddressPlan.Format(AddressPlan.ElephantServer);

        var queries = new List<QueryTruth>
        {
            Query("host-top-server", "the most popular IPv4 server of the ordinary flows", new SynthesisQuery { Hosts = [top], Bpf = $"host {top}" }),
            Query("port-443", "TLS over TCP and QUIC over UDP on port 443, needles and elephant included", new SynthesisQuery { Ports = [443], Bpf = "port 443" }),
            Query("proto-udp", "every UDP packet, the later IPv4 fragment included", new SynthesisQuery { Protocols = ["udp"], Bpf = "udp" }),
            Query("proto-icmp", "every ICMP (IPv4) packet", new SynthesisQuery { Protocols = ["icmp"], Bpf = "icmp" }),
            Query("proto-icmp6", "every ICMPv6 packet", new SynthesisQuery { Protocols = ["icmp6"], Bpf = "icmp6" }),
            Query("dns-resolver", "DNS between the clients and the main IPv4 resolver", new SynthesisQuery
            {
                Hosts = [resolver], Ports = [53], Protocols = ["udp"], Bpf = $"host {resolver} and udp port 53",
            }),
            Query("cidr-clients", "the 250 most active IPv4 clients, as one /24", new SynthesisQuery { Hosts = ["10.1.1.0/24"], Bpf = "net 10.1.1.0/24" }),
            Query("cidr-ipv6-servers", "the IPv6 servers and resolver, as one /48", new SynthesisQuery { Hosts = ["2001:db8:ff::/48"], Bpf = "net 2001:db8:ff::/48" }),
        };

        if (options.IncludeAnomalies)
        {
            queries.Add(Query("cidr-anomalies", "the anomalies' IPv4 block: bad checksum, fragments, ARP (BPF's net matches ARP too)",
                new SynthesisQuery { Hosts = ["192.168.100.0/24"], Bpf = "net 192.168.100.0/24" }));
        }

        queries.Add(Query("window", "every packet in a tenth of the capture, bounds with nanosecond digits",
            new SynthesisQuery { From = windowFrom.ToString(), To = windowTo.ToString() }));
        queries.Add(Query("host-port-window", "the elephant's server on port 443 in 15% of the capture that the elephant spans", new SynthesisQuery
        {
            Hosts = [elephant], Ports = [443], From = comboFrom.ToString(), To = comboTo.ToString(), Bpf = $"host {elephant} and port 443",
        }));

        if (plan.VlanServer is { } vlanServer)
        {
            var server = AddressPlan.Format(vlanServer);
            queries.Add(Query("vlan-host", "a server reached only through 802.1Q-tagged frames",
                new SynthesisQuery { Hosts = [server], Bpf = $"vlan and host {server}" }));
        }

        queries.Add(Query("all", "every packet", new SynthesisQuery()));
        return queries;
    }

    private static QueryTruth Query(string name, string description, SynthesisQuery query) =>
        new() { Name = name, Description = description, Query = query };
}
