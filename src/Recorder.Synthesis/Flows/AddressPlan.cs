using Recorder.Core.Packets;

namespace Recorder.Synthesis.Flows;

/// <summary>
/// Where every kind of flow gets its addresses. The blocks never overlap, which is what makes the
/// truth exact: a needle's addresses, the elephant's, the VLAN flows' and the anomalies' are used
/// by nothing else. All are documentation or benchmarking ranges (RFC 5737, RFC 2544, RFC 3849)
/// or private ones (RFC 1918).
/// </summary>
internal static class AddressPlan
{
    public const int OrdinaryClients4 = 4_000;
    public const int OrdinaryServers4 = 20_000;
    public const int OrdinaryClients6 = 800;
    public const int OrdinaryServers6 = 4_000;
    public const int VlanClients = 200;
    public const int VlanServers = 20;

    public static readonly UInt128 Resolver4A = V4(10, 1, 0, 2);
    public static readonly UInt128 Resolver4B = V4(10, 1, 0, 3);
    public static readonly UInt128 Resolver6 = V6(0x2001_0db8_00ff_0000UL, 0x35);
    public static readonly UInt128 ElephantClient = V4(192, 0, 2, 250);
    public static readonly UInt128 ElephantServer = V4(203, 0, 113, 250);

    public static readonly UInt128 AnomalyTcpClient = V4(192, 168, 100, 10);
    public static readonly UInt128 AnomalyTcpServer = V4(192, 168, 100, 20);
    public static readonly UInt128 AnomalyFragmentClient = V4(192, 168, 100, 30);
    public static readonly UInt128 AnomalyFragmentServer = V4(192, 168, 100, 40);
    public static readonly UInt128 AnomalyArpAsker = V4(192, 168, 100, 1);
    public static readonly UInt128 AnomalyArpTarget = V4(192, 168, 100, 254);
    public static readonly UInt128 AnomalyHopByHopClient = V6(0x2001_0db8_0bad_0000UL, 1);
    public static readonly UInt128 AnomalyHopByHopServer = V6(0x2001_0db8_0bad_0000UL, 2);

    /// <summary>Written in the address fields of the garbage IPv4 header: 222.173.190.239, queried by nothing.</summary>
    public static readonly UInt128 Garbage = V4(222, 173, 190, 239);

    public static UInt128 V4(byte a, byte b, byte c, byte d) =>
        IpAddress128.V4MappedPrefix | (((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d);

    public static UInt128 V6(ulong high, ulong low) => new(high, low);

    public static uint Low32(UInt128 address) => (uint)(address & uint.MaxValue);

    /// <summary>10.1.1.1 upward, 250 hosts per /24.</summary>
    public static UInt128 OrdinaryClient4(ulong index) =>
        V4(10, 1, (byte)(1 + (index / 250)), (byte)(1 + (index % 250)));

    /// <summary>198.18.0.1 upward (RFC 2544 benchmarking range).</summary>
    public static UInt128 OrdinaryServer4(ulong index) => IpAddress128.V4MappedPrefix | (0xC612_0001U + (uint)index);

    /// <summary>2001:db8:1::1 upward.</summary>
    public static UInt128 OrdinaryClient6(ulong index) => V6(0x2001_0db8_0001_0000UL, 1 + index);

    /// <summary>2001:db8:ff::100 upward.</summary>
    public static UInt128 OrdinaryServer6(ulong index) => V6(0x2001_0db8_00ff_0000UL, 0x100 + index);

    /// <summary>10.77.0.1 upward: the clients of VLAN-tagged flows.</summary>
    public static UInt128 VlanClient(ulong index) => V4(10, 77, (byte)(index / 250), (byte)(1 + (index % 250)));

    /// <summary>172.16.0.1 upward: the servers of VLAN-tagged flows.</summary>
    public static UInt128 VlanServer(ulong index) => V4(172, 16, 0, (byte)(1 + index));

    public static UInt128 NeedleClient(int index, bool ipv6) =>
        ipv6 ? V6(0x2001_0db8_dead_0000UL, 10 + (ulong)index) : V4(192, 0, 2, (byte)(10 + index));

    public static UInt128 NeedleServer(int index, bool ipv6) =>
        ipv6 ? V6(0x2001_0db8_beef_0000UL, 10 + (ulong)index) : V4(203, 0, 113, (byte)(10 + index));

    public static bool IsV4(UInt128 address) => (address >> 32) == (IpAddress128.V4MappedPrefix >> 32);

    public static string Format(UInt128 address) => IpAddress128.Format(address, IsV4(address));
}
