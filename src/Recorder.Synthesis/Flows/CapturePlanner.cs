using System.Globalization;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Synthesis.Output;
using Recorder.Synthesis.Packets;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Flows;

/// <summary>
/// Decides every flow of a capture before it is written: sizes (Zipf-like, plus one elephant), kinds,
/// endpoints and timing, and computes the exact file size the plan will produce. For a byte
/// target it searches the packet count, then sizes the elephant to the packet.
/// </summary>
internal static class CapturePlanner
{
    private const ulong SaltKey = 0x0123_4567_89AB_CDEFUL;
    private const ulong SaltOrdinary = 0x0F10_5EED_0000_0000UL;
    private const long SpreadTiming = -2;

    private static readonly NeedleTemplate[] NeedleTemplates =
    [
        new("tcp4-https", FlowKind.TcpTls, false, 443, 1000),
        new("udp4-dns", FlowKind.UdpDns, false, 53, 2),
        new("tcp6-https", FlowKind.TcpTls, true, 443, 500),
        new("icmp4-echo", FlowKind.IcmpEcho, false, 0, 20),
        new("tcp4-http", FlowKind.TcpHttp, false, 80, 12),
        new("udp6-quic", FlowKind.UdpQuic, true, 443, 200),
        new("tcp4-ssh", FlowKind.TcpSsh, false, 22, 300),
        new("icmp6-echo", FlowKind.IcmpEcho, true, 0, 20),
        new("tcp4-syn-rst", FlowKind.TcpSyn, false, 3389, 2),
    ];

    public static CapturePlan Create(SynthesisOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new SynthesisOptionsException(problems);
        }

        var plan = Choose(options);
        if (options.OutOfOrderPackets * 10L > plan.Packets)
        {
            throw new SynthesisOptionsException(string.Create(CultureInfo.InvariantCulture,
                $"OutOfOrderPackets ({options.OutOfOrderPackets}) must be at most a tenth of the {plan.Packets} packets the targets give"));
        }

        return plan;
    }

    private static CapturePlan Choose(SynthesisOptions options)
    {
        if (options.TargetBytes is not { } targetBytes)
        {
            return Build(options, options.TargetPackets ?? SynthesisOptions.DefaultPackets);
        }

        if (options.TargetPackets is { } limit)
        {
            var byPackets = Build(options, limit);
            if (byPackets.FileBytes <= targetBytes)
            {
                return byPackets;
            }
        }

        return BuildForBytes(options, targetBytes);
    }

    public static string KindName(FlowKind kind) => kind switch
    {
        FlowKind.TcpTls => "tls",
        FlowKind.TcpHttp => "http",
        FlowKind.TcpSsh => "ssh",
        FlowKind.TcpShort => "tcp-short",
        FlowKind.TcpSyn => "syn-rst",
        FlowKind.UdpDns => "dns",
        FlowKind.UdpQuic => "quic",
        FlowKind.IcmpEcho => "icmp-echo",
        FlowKind.UdpFragments => "udp-fragments",
        FlowKind.Arp => "arp",
        FlowKind.Lldp => "lldp",
        FlowKind.TruncatedIp => "truncated-ip",
        _ => "garbage-ip",
    };

    private static CapturePlan BuildForBytes(SynthesisOptions options, long target)
    {
        var packets = Math.Max(SynthesisOptions.MinimumPackets, target / 900);
        var plan = Build(options, packets);
        for (var iteration = 0; iteration < 12; iteration++)
        {
            var error = plan.FileBytes - target;
            if (Math.Abs(error) <= target / 400)
            {
                break;
            }

            var next = Math.Max(SynthesisOptions.MinimumPackets, (long)((UInt128)(ulong)packets * (ulong)target / (ulong)plan.FileBytes));
            if (next == packets)
            {
                next += error < 0 ? 1 : -1;
            }

            packets = next;
            plan = Build(options, packets);
        }

        return SizeElephant(options, plan, target);
    }

    /// <summary>Resizes the elephant so the file has at least <paramref name="target"/> bytes and at most one record more.</summary>
    private static CapturePlan SizeElephant(SynthesisOptions options, CapturePlan plan, long target)
    {
        var elephantIndex = plan.Tracked.Single(t => t.Role == TrackedRole.Elephant).FlowIndex;
        ref var elephant = ref plan.Flows[elephantIndex];
        var others = plan.FileBytes - FlowBytes(elephant, options.Format);
        var need = target - others;

        // Packets before the close do not depend on the flow's length: sum them once, in order.
        var open = elephant;
        open.Count = int.MaxValue;
        var closeBytes = 3L * CaptureEncoder.RecordLength(options.Format, FlowShapes.LinkHeaderLength(elephant) + 20 + 32);
        long prefix = 0;
        var count = 0;
        while (true)
        {
            var candidate = count + 3;
            if (candidate >= FlowShapes.MinimumPackets(elephant.Kind) && prefix + closeBytes >= need)
            {
                break;
            }

            if (candidate >= int.MaxValue - 8)
            {
                throw new SynthesisOptionsException("TargetBytes is too large for one elephant flow; raise Flows or ElephantShare");
            }

            prefix += CaptureEncoder.RecordLength(options.Format, FlowShapes.FrameLength(open, FlowShapes.Shape(open, count)));
            count++;
        }

        var packets = plan.Packets - elephant.Count + count + 3;
        elephant.Count = count + 3;
        PrepareFlow(ref elephant, Duration(options), SpreadTiming, -1);
        return new CapturePlan
        {
            Flows = plan.Flows,
            Tracked = plan.Tracked,
            LinkTypes = plan.LinkTypes,
            InterfaceOf = plan.InterfaceOf,
            Packets = packets,
            FileBytes = others + prefix + closeBytes,
            OrdinaryFlows = plan.OrdinaryFlows,
            VlanServer = plan.VlanServer,
        };
    }

    private static long Duration(SynthesisOptions options) => options.Duration.Ticks * 100;

    private static CapturePlan Build(SynthesisOptions options, long packets)
    {
        var duration = Duration(options);
        var multiLink = options.MultipleLinkTypes;
        var needleCounts = new int[options.Needles];
        long fixedPackets = 0;
        for (var i = 0; i < options.Needles; i++)
        {
            var template = NeedleTemplates[i % NeedleTemplates.Length];
            var wanted = (int)Math.Clamp(packets / 100, FlowShapes.MinimumPackets(template.Kind), template.Packets);
            needleCounts[i] = Math.Min(wanted, FlowShapes.MaximumPackets(template.Kind));
            fixedPackets += needleCounts[i];
        }

        var anomalies = options.IncludeAnomalies ? AnomalyPlans() : [];
        fixedPackets += anomalies.Sum(a => a.Count);
        var elephantTarget = Math.Max(FlowShapes.MinimumPackets(FlowKind.TcpTls), (long)(options.ElephantShare * packets));
        var ordinaryFlows = options.Flows ?? (int)Math.Clamp(packets / 25, 8, 100_000);
        var budget = packets - fixedPackets - elephantTarget;
        if (budget < ordinaryFlows)
        {
            var needed = fixedPackets + elephantTarget + ordinaryFlows;
            throw new SynthesisOptionsException(string.Create(CultureInfo.InvariantCulture,
                $"{packets} packets cannot hold {ordinaryFlows} flows, {options.Needles} needles ({fixedPackets} packets with the anomalies) and the elephant: ask for at least {needed} packets, or fewer flows or needles"));
        }

        var sizes = ZipfSizes(budget, ordinaryFlows, Math.Max(1, elephantTarget / 2));
        var elephantCount = packets - fixedPackets - sizes.Sum();
        if (elephantCount < FlowShapes.MinimumPackets(FlowKind.TcpTls) || elephantCount <= sizes.Max())
        {
            throw new SynthesisOptionsException(string.Create(CultureInfo.InvariantCulture,
                $"{packets} packets leave the elephant flow {elephantCount} packets, not more than the largest ordinary flow: ask for more packets or fewer flows"));
        }

        var flows = new Flow[1 + options.Needles + anomalies.Length + ordinaryFlows];
        var tracked = new List<TrackedFlow>();
        var index = 0;

        // The elephant: TLS on 443, on its own addresses.
        var elephantIndex = index++;
        flows[elephantIndex] = NewFlow(options.Seed, elephantIndex, FlowKind.TcpTls, checked((int)elephantCount), false,
            AddressPlan.ElephantClient, AddressPlan.ElephantServer, 443);
        flows[elephantIndex].ClientPort = EphemeralPort(flows[elephantIndex].Key);

        for (var i = 0; i < options.Needles; i++)
        {
            var template = NeedleTemplates[i % NeedleTemplates.Length];
            var round = i / NeedleTemplates.Length;
            var name = round == 0 ? template.Name : string.Create(CultureInfo.InvariantCulture, $"{template.Name}-{round + 1}");
            var flowIndex = index++;
            ref var needle = ref flows[flowIndex];
            needle = NewFlow(options.Seed, flowIndex, template.Kind, needleCounts[i], template.IPv6,
                AddressPlan.NeedleClient(i, template.IPv6), AddressPlan.NeedleServer(i, template.IPv6), template.ServerPort);
            needle.ClientPort = template.Kind == FlowKind.IcmpEcho ? (ushort)(0x2000 + i) : EphemeralPort(needle.Key);
            needle.Link = multiLink ? (LinkKind)(i % 3) : LinkKind.Ethernet;
            needle.TruthSlot = tracked.Count;
            tracked.Add(new TrackedFlow(name, KindName(template.Kind), flowIndex, TrackedRole.Needle));
        }

        flows[elephantIndex].TruthSlot = tracked.Count;
        tracked.Add(new TrackedFlow("elephant", KindName(FlowKind.TcpTls), elephantIndex, TrackedRole.Elephant));

        for (var i = 0; i < anomalies.Length; i++)
        {
            var anomaly = anomalies[i];
            var flowIndex = index++;
            ref var flow = ref flows[flowIndex];
            flow = NewFlow(options.Seed, flowIndex, anomaly.Kind, anomaly.Count, anomaly.IPv6, anomaly.Client, anomaly.Server, anomaly.ServerPort);
            flow.ClientPort = anomaly.ClientPort;
            flow.HopByHop = anomaly.HopByHop;
            flow.CorruptPacket = anomaly.CorruptPacket;
            flow.TruthSlot = tracked.Count;
            tracked.Add(new TrackedFlow(anomaly.Name, anomaly.Description, flowIndex, TrackedRole.Anomaly));
        }

        var firstOrdinary = index;
        UInt128? vlanServer = null;
        var chooser = new OrdinaryFlowChooser(options);
        for (var r = 0; r < ordinaryFlows; r++)
        {
            var flowIndex = index++;
            flows[flowIndex] = chooser.Next(options.Seed, flowIndex, sizes[r], KeyOf(options.Seed, flowIndex));
            if (vlanServer is null && flows[flowIndex].Vlan != 0)
            {
                vlanServer = flows[flowIndex].Server;
            }
        }

        for (var i = 0; i < flows.Length; i++)
        {
            ref var flow = ref flows[i];
            var anomalyOrder = i - (1 + options.Needles);
            if (i >= 1 + options.Needles && i < firstOrdinary)
            {
                // Anomalies at fixed points spread through the capture, a millisecond apart inside each.
                var start = duration * (anomalyOrder + 1) / (anomalies.Length + 1);
                PrepareFlow(ref flow, duration, 30_000, start);
            }
            else
            {
                PrepareFlow(ref flow, duration, i == elephantIndex ? SpreadTiming : -1, -1);
            }
        }

        var interfaceOf = new[] { 0, multiLink ? 1 : -1, multiLink ? 2 : -1 };
        int[] linkTypes = multiLink ? [LinkTypes.Ethernet, LinkTypes.Raw, LinkTypes.LinuxSll] : [LinkTypes.Ethernet];
        var fileBytes = (long)CaptureEncoder.FileHeader(options.Format, options.TimestampResolution, linkTypes).Length;
        foreach (var flow in flows)
        {
            fileBytes += FlowBytes(flow, options.Format);
        }

        return new CapturePlan
        {
            Flows = flows,
            Tracked = tracked,
            LinkTypes = linkTypes,
            InterfaceOf = interfaceOf,
            Packets = packets,
            FileBytes = fileBytes,
            OrdinaryFlows = ordinaryFlows,
            VlanServer = vlanServer,
        };
    }

    /// <summary>
    /// Timing and starting TCP/IP state. A <paramref name="rtt"/> of -1 draws the timing (-2: spread the
    /// flow over the capture, as the elephant is); a <paramref name="start"/> of -1 draws the start.
    /// </summary>
    private static void PrepareFlow(ref Flow flow, long duration, long rtt, long start)
    {
        if (rtt == SpreadTiming)
        {
            FlowTiming.PlanSpread(ref flow, duration);
        }
        else if (rtt < 0)
        {
            FlowTiming.Plan(ref flow, duration);
        }
        else
        {
            FlowTiming.PlanWith(ref flow, duration, rtt, 1_000_000, start);
        }

        PacketBuilder.InitializeState(ref flow);
        flow.Emitted = 0;
        flow.Pending = FlowShapes.Shape(flow, 0);
    }

    public static long FlowBytes(in Flow flow, CaptureFileFormat format)
    {
        long bytes = 0;
        for (var k = 0; k < flow.Count; k++)
        {
            bytes += CaptureEncoder.RecordLength(format, FlowShapes.FrameLength(flow, FlowShapes.Shape(flow, k)));
        }

        return bytes;
    }

    /// <summary>
    /// Packets per ordinary flow: flow <c>r</c> gets a share of the budget proportional to
    /// <c>1/(r+1)</c> (Zipf, exponent 1), at least one packet, at most <paramref name="cap"/>.
    /// </summary>
    private static int[] ZipfSizes(long budget, int flows, long cap)
    {
        var weights = new ulong[flows];
        UInt128 total = 0;
        for (var r = 0; r < flows; r++)
        {
            weights[r] = (1UL << 32) / (ulong)(r + 1);
            total += weights[r];
        }

        var sizes = new int[flows];
        for (var r = 0; r < flows; r++)
        {
            var share = (long)((UInt128)(ulong)budget * weights[r] / total);
            sizes[r] = (int)Math.Clamp(share, 1, Math.Min(cap, int.MaxValue));
        }

        return sizes;
    }

    internal static ulong KeyOf(ulong seed, int flowIndex) =>
        SeededRandom.Mix(seed ^ SeededRandom.Mix(unchecked((ulong)flowIndex + SaltKey)));

    internal static ushort EphemeralPort(ulong key) => (ushort)(32768 + (int)CounterHash.Below(SeededRandom.Mix(key ^ 0xE9), 28232));

    internal static Flow NewFlow(ulong seed, int index, FlowKind kind, int count, bool ipv6, UInt128 client, UInt128 server, ushort serverPort) => new()
    {
        Key = KeyOf(seed, index),
        Kind = kind,
        Count = count,
        IPv6 = ipv6,
        Client = client,
        Server = server,
        ServerPort = serverPort,
        TruthSlot = -1,
        CorruptPacket = -1,
        Link = LinkKind.Ethernet,
    };

    private static AnomalyPlan[] AnomalyPlans() =>
    [
        new("bad-tcp-checksum", "an HTTP exchange over TCP whose response segment (the flow's fifth packet) carries a wrong TCP checksum",
            FlowKind.TcpHttp, 8, false, AddressPlan.AnomalyTcpClient, 40123, AddressPlan.AnomalyTcpServer, 8081, false, 4),
        new("ipv4-fragments", "one 2008-byte UDP datagram sent as a first IPv4 fragment (more-fragments set, with the UDP header) and a later fragment (offset 1480, no transport header)",
            FlowKind.UdpFragments, 2, false, AddressPlan.AnomalyFragmentClient, 40500, AddressPlan.AnomalyFragmentServer, 2049, false, -1),
        new("arp", "an ARP request (broadcast) for 192.168.100.254 and its reply",
            FlowKind.Arp, 2, false, AddressPlan.AnomalyArpAsker, 0, AddressPlan.AnomalyArpTarget, 0, false, -1),
        new("non-ip-ethertype", "an LLDP frame (EtherType 0x88cc): no IP layer",
            FlowKind.Lldp, 1, false, AddressPlan.AnomalyArpTarget + 1, 0, AddressPlan.AnomalyArpTarget + 1, 0, false, -1),
        new("truncated-ip-header", "EtherType IPv4 followed by only 12 bytes of IPv4 header (the frame is 26 bytes on the wire)",
            FlowKind.TruncatedIp, 1, false, AddressPlan.AnomalyArpAsker, 0, AddressPlan.AnomalyArpTarget, 0, false, -1),
        new("garbage-ip-header", "EtherType IPv4 followed by 32 bytes that are not an IPv4 header: version 0, header length 60, protocol 253",
            FlowKind.GarbageIp, 1, false, AddressPlan.AnomalyArpAsker, 0, AddressPlan.AnomalyArpTarget, 0, false, -1),
        new("ipv6-hop-by-hop", "an IPv6 TCP SYN and its RST/ACK, each with a hop-by-hop options header (PadN) between the IPv6 header and TCP",
            FlowKind.TcpSyn, 2, true, AddressPlan.AnomalyHopByHopClient, 40777, AddressPlan.AnomalyHopByHopServer, 7, true, -1),
    ];

    private sealed record NeedleTemplate(string Name, FlowKind Kind, bool IPv6, ushort ServerPort, int Packets);

    private sealed record AnomalyPlan(
        string Name,
        string Description,
        FlowKind Kind,
        int Count,
        bool IPv6,
        UInt128 Client,
        ushort ClientPort,
        UInt128 Server,
        ushort ServerPort,
        bool HopByHop,
        int CorruptPacket);

    /// <summary>Kinds, endpoints and link of the ordinary flows, drawn in flow order from one seeded sequence.</summary>
    private sealed class OrdinaryFlowChooser
    {
        private static readonly ushort[] SynPorts = [443, 80, 22, 3389, 445, 23, 8080];
        private static readonly ushort[] ShortPorts = [445, 3389, 5432, 25, 6379, 8000];

        private readonly SeededRandom _random;
        private readonly ulong _ipv6Threshold;
        private readonly ulong _vlanThreshold;
        private readonly bool _multiLink;
        private ulong _vlanCredit = 1UL << 31;
        private readonly ulong[] _clients4 = ZipfTable(AddressPlan.OrdinaryClients4);
        private readonly ulong[] _servers4 = ZipfTable(AddressPlan.OrdinaryServers4);
        private readonly ulong[] _clients6 = ZipfTable(AddressPlan.OrdinaryClients6);
        private readonly ulong[] _servers6 = ZipfTable(AddressPlan.OrdinaryServers6);
        private readonly ushort[] _ports4 = new ushort[AddressPlan.OrdinaryClients4];
        private readonly ushort[] _ports6 = new ushort[AddressPlan.OrdinaryClients6];
        private readonly ushort[] _portsVlan = new ushort[AddressPlan.VlanClients];

        public OrdinaryFlowChooser(SynthesisOptions options)
        {
            _random = new SeededRandom(options.Seed ^ SaltOrdinary);
            _ipv6Threshold = Threshold(options.IPv6Share);
            _vlanThreshold = Threshold(options.VlanShare);
            _multiLink = options.MultipleLinkTypes;
        }

        public Flow Next(ulong seed, int index, int count, ulong key)
        {
            var link = LinkKind.Ethernet;
            if (_multiLink)
            {
                var u = _random.NextUInt64(100);
                link = u < 60 ? LinkKind.Ethernet : u < 80 ? LinkKind.Raw : LinkKind.LinuxSll;
            }

            var ipv6 = _random.NextUInt32() < _ipv6Threshold;
            // VLAN tags go to an exact share of the eligible flows, evenly spread, so small captures get some too.
            var vlan = false;
            if (!ipv6 && link == LinkKind.Ethernet && _vlanThreshold > 0)
            {
                _vlanCredit += _vlanThreshold;
                if (_vlanCredit >= 1UL << 32)
                {
                    _vlanCredit -= 1UL << 32;
                    vlan = true;
                }
            }
            var (kind, serverPort) = vlan ? VlanKind(count) : Kind(count);
            UInt128 client;
            UInt128 server;
            ushort[] ports;
            ulong clientIndex;
            ushort vlanId = 0;
            if (vlan)
            {
                clientIndex = _random.NextUInt64(AddressPlan.VlanClients);
                var serverIndex = _random.NextUInt64(AddressPlan.VlanServers);
                client = AddressPlan.VlanClient(clientIndex);
                server = AddressPlan.VlanServer(serverIndex);
                vlanId = (ushort)(100 + (serverIndex % 3));
                ports = _portsVlan;
            }
            else if (ipv6)
            {
                clientIndex = Pick(_clients6);
                client = AddressPlan.OrdinaryClient6(clientIndex);
                server = kind == FlowKind.UdpDns ? AddressPlan.Resolver6 : AddressPlan.OrdinaryServer6(Pick(_servers6));
                ports = _ports6;
            }
            else
            {
                clientIndex = Pick(_clients4);
                client = AddressPlan.OrdinaryClient4(clientIndex);
                server = kind == FlowKind.UdpDns
                    ? (_random.NextUInt64(10) < 7 ? AddressPlan.Resolver4A : AddressPlan.Resolver4B)
                    : AddressPlan.OrdinaryServer4(Pick(_servers4));
                ports = _ports4;
            }

            // Per-client ephemeral ports advance like Linux's: 5-tuples of one client stay distinct.
            ref var counter = ref ports[clientIndex];
            counter = unchecked((ushort)(counter + 1 + (ushort)_random.NextUInt64(3)));
            var flow = NewFlow(seed, index, kind, count, ipv6, client, server, serverPort);
            flow.Key = key;
            flow.Link = link;
            flow.Vlan = vlanId;
            flow.ClientPort = kind == FlowKind.IcmpEcho ? (ushort)(0x1000 + (counter % 0xE000)) : (ushort)(32768 + (counter % 28232));
            return flow;
        }

        private (FlowKind Kind, ushort ServerPort) Kind(int n)
        {
            var u = _random.NextUInt64(100);
            var kind = n switch
            {
                1 => u < 40 ? FlowKind.UdpDns : u < 70 ? FlowKind.TcpSyn : FlowKind.IcmpEcho,
                2 => u < 45 ? FlowKind.UdpDns : u < 65 ? FlowKind.TcpSyn : u < 85 ? FlowKind.IcmpEcho : FlowKind.UdpQuic,
                < 8 => u < 30 ? FlowKind.UdpDns : u < 45 ? FlowKind.IcmpEcho : u < 65 ? FlowKind.UdpQuic : FlowKind.TcpShort,
                8 => u < 30 ? FlowKind.TcpHttp : u < 45 ? FlowKind.TcpSsh : u < 65 ? FlowKind.UdpDns : u < 80 ? FlowKind.UdpQuic : FlowKind.IcmpEcho,
                <= 40 => u < 40 ? FlowKind.TcpTls : u < 55 ? FlowKind.TcpHttp : u < 60 ? FlowKind.TcpSsh : u < 75 ? FlowKind.UdpQuic : u < 90 ? FlowKind.UdpDns : FlowKind.IcmpEcho,
                _ => u < 55 ? FlowKind.TcpTls : u < 70 ? FlowKind.TcpHttp : u < 75 ? FlowKind.TcpSsh : u < 93 ? FlowKind.UdpQuic : n <= 4000 ? FlowKind.IcmpEcho : FlowKind.TcpTls,
            };
            var v = _random.NextUInt64(100);
            ushort port = kind switch
            {
                FlowKind.TcpTls => v < 92 ? (ushort)443 : (ushort)993,
                FlowKind.TcpHttp => v < 85 ? (ushort)80 : (ushort)8080,
                FlowKind.TcpSsh => 22,
                FlowKind.TcpShort => ShortPorts[v % (ulong)ShortPorts.Length],
                FlowKind.TcpSyn => v < 70 ? SynPorts[v % (ulong)SynPorts.Length] : (ushort)(1024 + _random.NextUInt64(48_000)),
                FlowKind.UdpDns => 53,
                FlowKind.UdpQuic => 443,
                _ => 0,
            };
            return (kind, port);
        }

        /// <summary>VLAN-tagged flows are TCP on ports no query names, so BPF (which does not look inside a tag) and Recorder agree.</summary>
        private static (FlowKind Kind, ushort ServerPort) VlanKind(int n) => n switch
        {
            <= 2 => (FlowKind.TcpSyn, 3306),
            < 8 => (FlowKind.TcpShort, 5432),
            8 => (FlowKind.TcpHttp, 8080),
            _ => (FlowKind.TcpTls, 8443),
        };

        private ulong Pick(ulong[] cumulative)
        {
            var u = _random.NextUInt64(cumulative[^1]);
            var low = 0;
            var high = cumulative.Length - 1;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (cumulative[middle] <= u)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return (ulong)low;
        }

        /// <summary>Cumulative Zipf weights (exponent 1) in integers: the most popular address first.</summary>
        private static ulong[] ZipfTable(int size)
        {
            var table = new ulong[size];
            ulong total = 0;
            for (var i = 0; i < size; i++)
            {
                total += (1UL << 32) / (ulong)(i + 1);
                table[i] = total;
            }

            return table;
        }

        private static ulong Threshold(double share) => (ulong)(share * 4294967296.0);
    }
}
