namespace Recorder.Synthesis.Flows;

/// <summary>What a packet carries above the transport header.</summary>
internal enum Payload : byte
{
    None,
    Opaque,
    TlsClientHello,
    TlsServerHello,
    TlsClientFinished,
    TlsRecord,
    HttpRequest,
    HttpResponseHead,
    HttpBody,
    SshBanner,
    SshData,
    DnsQuery,
    DnsResponse,
    QuicLong,
    QuicShort,
    IcmpEcho,
    FragmentFirst,
    FragmentLater,
    ArpRequest,
    ArpReply,
    Lldp,
    TruncatedIp,
    GarbageIp,
}

/// <summary>
/// The shape of one packet: a pure function of the flow's plan and the packet's index, so a
/// capture's exact size is known before it is written.
/// </summary>
internal readonly record struct PacketShape(
    bool FromServer,
    byte TcpFlags,
    byte TcpHeaderLength,
    int PayloadLength,
    bool Answers,
    Payload Payload,
    int Exchange);

/// <summary>TCP header flag bits (RFC 9293 §3.1).</summary>
internal static class TcpFlags
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;
}
