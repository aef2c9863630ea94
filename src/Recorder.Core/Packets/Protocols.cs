using System.Globalization;

namespace Recorder.Core.Packets;

/// <summary>IP protocol numbers Recorder names (IANA "Assigned Internet Protocol Numbers").</summary>
public static class Protocols
{
    /// <summary>ICMP.</summary>
    public const byte Icmp = 1;

    /// <summary>TCP.</summary>
    public const byte Tcp = 6;

    /// <summary>UDP.</summary>
    public const byte Udp = 17;

    /// <summary>ICMPv6.</summary>
    public const byte Icmp6 = 58;

    /// <summary>SCTP.</summary>
    public const byte Sctp = 132;

    /// <summary>UDP-Lite.</summary>
    public const byte UdpLite = 136;

    /// <summary>Whether the protocol's header starts with 16-bit source and destination ports.</summary>
    public static bool HasPorts(byte protocol) => protocol is Tcp or Udp or Sctp or UdpLite;

    /// <summary>Lower-case name or number.</summary>
    public static string Name(byte protocol) => protocol switch
    {
        Icmp => "icmp",
        Tcp => "tcp",
        Udp => "udp",
        Icmp6 => "icmp6",
        Sctp => "sctp",
        UdpLite => "udplite",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };
}
