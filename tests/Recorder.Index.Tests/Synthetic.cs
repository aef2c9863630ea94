using CsCheck;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;

namespace Recorder.Index.Tests;

/// <summary>Generators of flows, segments and queries over small address, port and protocol pools, so queries hit.</summary>
public static class Synthetic
{
    public const long BaseNanoseconds = 1_700_000_000_000_000_000;

    private static readonly ushort[] PortPool = [22, 53, 80, 443, 3389, 40000, 40001, 65535];
    private static readonly string[] V4Pool = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1", "10.0.1.200", "10.1.0.1", "192.0.2.1", "203.0.113.11"];
    private static readonly string[] V6Pool = ["2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8:0:1::1", "2001:db8:1::1", "fe80::1", "::ffff:10.0.0.1"];

    public static readonly Gen<FlowKey> Flow = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, V4Pool.Length - 1], Gen.Int[0, V4Pool.Length - 1], Gen.Int[0, PortPool.Length - 1], Gen.Int[0, PortPool.Length - 1], Gen.Bool)
            .Select((a, b, pa, pb, tcp) => Net.Ports(NetworkKind.IPv4, tcp ? Protocols.Tcp : Protocols.Udp, Net.V4(V4Pool[a]), PortPool[pa], Net.V4(V4Pool[b]), PortPool[pb]))),
        (3, Gen.Select(Gen.Int[0, V6Pool.Length - 1], Gen.Int[0, V6Pool.Length - 1], Gen.Int[0, PortPool.Length - 1], Gen.Int[0, PortPool.Length - 1])
            .Select((a, b, pa, pb) => Net.Ports(NetworkKind.IPv6, Protocols.Tcp, Net.V6(V6Pool[a]), PortPool[pa], Net.V6(V6Pool[b]), PortPool[pb]))),
        (1, Gen.Select(Gen.Int[0, V4Pool.Length - 1], Gen.Int[0, V4Pool.Length - 1]).Select((a, b) => Net.Icmp4(V4Pool[a], V4Pool[b]))),
        (1, Gen.Select(Gen.Int[0, V6Pool.Length - 1], Gen.Int[0, V6Pool.Length - 1]).Select((a, b) => Net.Icmp6(V6Pool[a], V6Pool[b]))),
        (1, Gen.Select(Gen.Int[0, V4Pool.Length - 1], Gen.Int[0, V4Pool.Length - 1]).Select((a, b) => Net.Arp(V4Pool[a], V4Pool[b]))),
        (1, Gen.Const(FlowKey.Other)));

    /// <summary>Packets: a flow, a time step (time may also step back a little) and a captured length.</summary>
    public static readonly Gen<(FlowKey Flow, long Step, int Length)[]> Packets =
        Gen.Select(Flow, Gen.Long[-1_000_000, 50_000_000_000], Gen.Int[0, 2000]).Array[0, 120];

    public static readonly Gen<IpNetwork> Host = Gen.OneOf(
        Gen.Int[0, V4Pool.Length - 1].Select(i => Net.Network(V4Pool[i])),
        Gen.Int[0, V6Pool.Length - 1].Select(i => Net.Network(V6Pool[i])),
        Gen.OneOf("10.0.0.0/30", "10.0.0.0/24", "10.0.0.0/16", "10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/24")
            .Select(Net.Network),
        Gen.OneOf("2001:db8::/126", "2001:db8::/64", "2001:db8::/32", "::/0", "::ffff:0:0/96", "fe80::/10")
            .Select(Net.Network));

    public static readonly Gen<PacketQuery> Query =
        Gen.Select(
            Host.Array[0, 3],
            Gen.Int[0, PortPool.Length - 1].Select(i => PortPool[i]).Array[0, 2],
            Gen.OneOf(Protocols.Icmp, Protocols.Tcp, Protocols.Udp, Protocols.Icmp6).Array[0, 2],
            Gen.Long[0, 2_000_000_000_000].Array[0, 2])
        .Select((hosts, ports, protocols, window) =>
        {
            var query = new PacketQuery { Hosts = hosts, Ports = ports, Protocols = protocols };
            if (!query.HasFlowConditions)
            {
                query = query with { Ports = [443] };
            }

            if (window.Length == 2)
            {
                var from = BaseNanoseconds + Math.Min(window[0], window[1]);
                var to = BaseNanoseconds + Math.Max(window[0], window[1]);
                query = query with { From = new Timestamp(from), To = new Timestamp(to) };
            }

            return query;
        });

    public static TestSegment Segment(long segmentId, (FlowKey Flow, long Step, int Length)[] packets)
    {
        var time = BaseNanoseconds;
        var list = new List<(FlowKey, long, int)>(packets.Length);
        foreach (var (flow, step, length) in packets)
        {
            time += step;
            list.Add((flow, time, length));
        }

        return TestSegment.Build(segmentId, list);
    }

    /// <summary>A deterministic segment for an id: the same id always gives the same data, in any process.</summary>
    public static TestSegment ForId(long segmentId, int packets = 400)
    {
        var random = new Random(unchecked((int)segmentId * 7919) + 17);
        var flows = new FlowKey[40];
        for (var i = 0; i < flows.Length; i++)
        {
            var a = random.Next(V4Pool.Length);
            var b = random.Next(V4Pool.Length);
            var pa = PortPool[random.Next(PortPool.Length)];
            var pb = PortPool[random.Next(PortPool.Length)];
            flows[i] = random.Next(6) switch
            {
                0 => Net.Tcp6(V6Pool[a % V6Pool.Length], pa, V6Pool[b % V6Pool.Length], pb),
                1 => Net.Udp4(V4Pool[a], pa, V4Pool[b], pb),
                2 => Net.Icmp4(V4Pool[a], V4Pool[b]),
                _ => Net.Tcp4(V4Pool[a], pa, V4Pool[b], pb),
            };
        }

        var time = BaseNanoseconds + (segmentId * 10_000_000_000_000);
        var list = new List<(FlowKey, long, int)>(packets);
        for (var i = 0; i < packets; i++)
        {
            // Squaring skews the choice towards the first flows: a few large flows, many small ones.
            var pick = random.NextDouble();
            time += random.Next(1, 5_000_000);
            list.Add((flows[(int)(pick * pick * flows.Length)], time, random.Next(40, 1600)));
        }

        return TestSegment.Build(segmentId, list);
    }
}
