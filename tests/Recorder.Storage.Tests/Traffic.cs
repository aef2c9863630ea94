using Recorder.TestSupport;

namespace Recorder.Storage.Tests;

/// <summary>Small deterministic packet sequences with known hosts, ports and protocols.</summary>
internal static class Traffic
{
    public const long Start = 1_700_000_000_000_000_000L;

    /// <summary>A mix of TCP, UDP, ICMP, ARP and IPv6 packets between a handful of hosts, 1 ms apart plus a few ns.</summary>
    public static List<TestPacket> Mixed(int count, int seed = 1)
    {
        var packets = new List<TestPacket>(count);
        var state = unchecked((uint)seed * 2654435761u);
        uint Next()
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            return state;
        }

        string[] v4 = ["10.0.0.1", "10.0.0.2", "10.0.1.7", "192.168.5.9", "203.0.113.11"];
        string[] v6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::9"];
        ushort[] ports = [80, 443, 53, 8080, 41000];
        for (var i = 0; i < count; i++)
        {
            var kind = Next() % 10;
            var a = v4[Next() % v4.Length];
            var b = v4[Next() % v4.Length];
            var pa = ports[Next() % ports.Length];
            var pb = (ushort)(1024 + (Next() % 50));
            byte[] frame = kind switch
            {
                < 5 => Frames.Tcp(a, pb, b, pa, (int)(Next() % 300)),
                < 7 => Frames.Udp(a, pb, b, pa, (int)(Next() % 120)),
                7 => Frames.Icmp(a, b),
                8 => Frames.Arp(a, b),
                _ => Frames.Tcp(v6[Next() % v6.Length], pb, v6[Next() % v6.Length], pa, (int)(Next() % 200)),
            };
            var extra = Next() % 3 == 0 ? 40u : 0u;
            packets.Add(new TestPacket(1, Start + (i * 1_000_000L) + (Next() % 1000), (uint)frame.Length + extra, frame));
        }

        return packets;
    }
}
