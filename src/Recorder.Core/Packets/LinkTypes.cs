namespace Recorder.Core.Packets;

/// <summary>
/// The LINKTYPE_ values of the tcpdump.org registry that Recorder decodes for indexing. Every other
/// link type is stored and returned byte for byte too; it is just not decoded (see
/// <see cref="PacketDecoder"/>).
/// </summary>
public static class LinkTypes
{
    /// <summary>BSD loopback, family in host byte order.</summary>
    public const int Null = 0;

    /// <summary>Ethernet.</summary>
    public const int Ethernet = 1;

    /// <summary>PPP, possibly with HDLC-like address/control bytes.</summary>
    public const int Ppp = 9;

    /// <summary>Raw IP (the BSD value 12; 14 on OpenBSD).</summary>
    public const int RawBsd = 12;

    /// <summary>Raw IP on OpenBSD.</summary>
    public const int RawOpenBsd = 14;

    /// <summary>PPP in HDLC framing.</summary>
    public const int PppHdlc = 50;

    /// <summary>PPP over Ethernet sessions.</summary>
    public const int PppEther = 51;

    /// <summary>Raw IP, version in the first nibble.</summary>
    public const int Raw = 101;

    /// <summary>Cisco HDLC.</summary>
    public const int CiscoHdlc = 104;

    /// <summary>OpenBSD loopback, family in network byte order.</summary>
    public const int Loop = 108;

    /// <summary>Linux cooked capture v1.</summary>
    public const int LinuxSll = 113;

    /// <summary>Raw IPv4.</summary>
    public const int IPv4 = 228;

    /// <summary>Raw IPv6.</summary>
    public const int IPv6 = 229;

    /// <summary>Linux cooked capture v2.</summary>
    public const int LinuxSll2 = 276;

    /// <summary>A short name for well-known link types, else the number.</summary>
    public static string Name(int linkType) => linkType switch
    {
        Null => "NULL",
        Ethernet => "EN10MB",
        Ppp => "PPP",
        RawBsd or RawOpenBsd or Raw => "RAW",
        PppHdlc => "PPP_HDLC",
        PppEther => "PPP_ETHER",
        CiscoHdlc => "C_HDLC",
        Loop => "LOOP",
        105 => "IEEE802_11",
        LinuxSll => "LINUX_SLL",
        127 => "IEEE802_11_RADIOTAP",
        IPv4 => "IPV4",
        IPv6 => "IPV6",
        LinuxSll2 => "LINUX_SLL2",
        _ => linkType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
