using Recorder.Core.Packets;
using Recorder.Synthesis.Packets;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Flows;

/// <summary>
/// The shape of packet <c>k</c> of a flow (direction, TCP flags, payload kind and length) as a pure
/// function of the flow's plan and <c>k</c>, and the resulting frame length.
/// </summary>
internal static class FlowShapes
{
    /// <summary>TCP payload per full segment over IPv4: 1460-byte MSS less 12 bytes of timestamp option.</summary>
    public const int Mss4 = 1448;

    /// <summary>TCP payload per full segment over IPv6: 1440-byte MSS less 12 bytes of timestamp option.</summary>
    public const int Mss6 = 1428;

    /// <summary>Packets per request/response round of the bulk TCP kinds.</summary>
    public const int RoundLength = 48;

    /// <summary>Length of the TLS ClientHello record (a browser's usual 517 bytes, padded by extension 21).</summary>
    public const int ClientHelloLength = 517;

    /// <summary>Length of the client's Finished flight: ChangeCipherSpec and one application-data record.</summary>
    public const int ClientFinishedLength = 64;

    /// <summary>Size of the UDP datagram (header included) sent as two IPv4 fragments.</summary>
    public const int FragmentedDatagramLength = 2008;

    /// <summary>Bytes of that datagram carried by the first fragment (a multiple of 8).</summary>
    public const int FirstFragmentLength = 1480;

    public const int GarbageIpLength = 32;
    public const int TruncatedIpLength = 12;

    private const ulong SaltShape = 0x5A4E;

    public static ReadOnlySpan<byte> ServerSshBanner => "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8;

    public static ReadOnlySpan<byte> ClientSshBanner => "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"u8;

    public static int MinimumPackets(FlowKind kind) => kind switch
    {
        FlowKind.TcpTls => 9,
        FlowKind.TcpHttp or FlowKind.TcpSsh => 8,
        FlowKind.TcpShort => 3,
        FlowKind.UdpQuic or FlowKind.UdpFragments or FlowKind.Arp => 2,
        _ => 1,
    };

    public static int MaximumPackets(FlowKind kind) => kind switch
    {
        FlowKind.TcpShort => 7,
        FlowKind.TcpSyn or FlowKind.UdpFragments or FlowKind.Arp => 2,
        FlowKind.UdpDns => 40,
        FlowKind.Lldp or FlowKind.TruncatedIp or FlowKind.GarbageIp => 1,
        _ => int.MaxValue,
    };

    public static byte Protocol(in Flow flow) => flow.Kind switch
    {
        FlowKind.TcpTls or FlowKind.TcpHttp or FlowKind.TcpSsh or FlowKind.TcpShort or FlowKind.TcpSyn => Protocols.Tcp,
        FlowKind.UdpDns or FlowKind.UdpQuic or FlowKind.UdpFragments => Protocols.Udp,
        FlowKind.IcmpEcho => flow.IPv6 ? Protocols.Icmp6 : Protocols.Icmp,
        _ => 0,
    };

    public static int Mss(in Flow flow) => flow.IPv6 ? Mss6 : Mss4;

    /// <summary>Where the TCP data phase starts (after handshake and application handshake).</summary>
    public static int DataStart(FlowKind kind) => kind switch
    {
        FlowKind.TcpTls => 6,
        FlowKind.TcpSsh => 5,
        _ => 3,
    };

    public static PacketShape Shape(in Flow flow, int k)
    {
        var h = CounterHash.Of(flow.Key, (ulong)k, SaltShape);
        switch (flow.Kind)
        {
            case FlowKind.TcpTls:
            case FlowKind.TcpHttp:
            case FlowKind.TcpSsh:
            case FlowKind.TcpShort:
            case FlowKind.TcpSyn:
                return TcpShape(flow, k, h);
            case FlowKind.UdpDns:
            {
                var response = (k & 1) == 1;
                return new PacketShape(response, 0, 0, DnsMessages.Length(flow.Key, k / 2, response, flow.IPv6),
                    response, response ? Payload.DnsResponse : Payload.DnsQuery, k / 2);
            }

            case FlowKind.UdpQuic:
                return QuicShape(k, h);
            case FlowKind.IcmpEcho:
                return new PacketShape((k & 1) == 1, 0, 0, 56, (k & 1) == 1, Payload.IcmpEcho, k / 2);
            case FlowKind.UdpFragments:
                return k == 0
                    ? new PacketShape(false, 0, 0, FirstFragmentLength, false, Payload.FragmentFirst, 0)
                    : new PacketShape(false, 0, 0, FragmentedDatagramLength - FirstFragmentLength, true, Payload.FragmentLater, 0);
            case FlowKind.Arp:
                return k == 0
                    ? new PacketShape(false, 0, 0, 28, false, Payload.ArpRequest, 0)
                    : new PacketShape(true, 0, 0, 28, true, Payload.ArpReply, 0);
            case FlowKind.Lldp:
                return new PacketShape(false, 0, 0, LldpFrame.Length, false, Payload.Lldp, 0);
            case FlowKind.TruncatedIp:
                return new PacketShape(false, 0, 0, TruncatedIpLength, false, Payload.TruncatedIp, 0);
            default:
                return new PacketShape(false, 0, 0, GarbageIpLength, false, Payload.GarbageIp, 0);
        }
    }

    /// <summary>The captured (and original) length of the frame.</summary>
    public static int FrameLength(in Flow flow, in PacketShape shape)
    {
        switch (shape.Payload)
        {
            case Payload.ArpRequest:
            case Payload.ArpReply:
                return 60; // 14 + 28, padded to Ethernet's minimum as received
            case Payload.Lldp:
            case Payload.TruncatedIp:
            case Payload.GarbageIp:
                return 14 + shape.PayloadLength;
            case Payload.FragmentFirst:
            case Payload.FragmentLater:
                return LinkHeaderLength(flow) + 20 + shape.PayloadLength;
            default:
                break;
        }

        var network = flow.IPv6 ? 40 + (flow.HopByHop ? 8 : 0) : 20;
        var transport = Protocol(flow) == Protocols.Tcp ? shape.TcpHeaderLength : 8;
        return LinkHeaderLength(flow) + network + transport + shape.PayloadLength;
    }

    public static int LinkHeaderLength(in Flow flow) => flow.Link switch
    {
        LinkKind.Ethernet => flow.Vlan != 0 ? 18 : 14,
        LinkKind.LinuxSll => 16,
        _ => 0,
    };

    private static PacketShape TcpShape(in Flow flow, int k, ulong h)
    {
        var n = flow.Count;
        const byte synHeader = 40;
        const byte header = 32;
        const byte bareHeader = 20;
        if (k == 0)
        {
            return new PacketShape(false, TcpFlags.Syn, synHeader, 0, false, Payload.None, 0);
        }

        if (flow.Kind == FlowKind.TcpSyn)
        {
            return new PacketShape(true, TcpFlags.Rst | TcpFlags.Ack, bareHeader, 0, true, Payload.None, 0);
        }

        if (k == 1)
        {
            return new PacketShape(true, TcpFlags.Syn | TcpFlags.Ack, synHeader, 0, true, Payload.None, 0);
        }

        if (k == 2)
        {
            return new PacketShape(false, TcpFlags.Ack, header, 0, false, Payload.None, 0);
        }

        const byte push = TcpFlags.Psh | TcpFlags.Ack;
        var mss = Mss(flow);
        if (flow.Kind == FlowKind.TcpShort)
        {
            if (k == n - 1)
            {
                return new PacketShape(false, TcpFlags.Rst | TcpFlags.Ack, bareHeader, 0, false, Payload.None, 0);
            }

            return ((k - 3) & 1) == 0
                ? new PacketShape(false, push, header, CounterHash.Between(h, 20, 400), false, Payload.Opaque, (k - 3) / 2)
                : new PacketShape(true, push, header, CounterHash.Between(h, 40, mss), true, Payload.Opaque, (k - 3) / 2);
        }

        if (k == n - 3)
        {
            return new PacketShape(false, TcpFlags.Fin | TcpFlags.Ack, header, 0, false, Payload.None, 0);
        }

        if (k == n - 2)
        {
            return new PacketShape(true, TcpFlags.Fin | TcpFlags.Ack, header, 0, true, Payload.None, 0);
        }

        if (k == n - 1)
        {
            return new PacketShape(false, TcpFlags.Ack, header, 0, false, Payload.None, 0);
        }

        switch (flow.Kind)
        {
            case FlowKind.TcpTls when k == 3:
                return new PacketShape(false, push, header, ClientHelloLength, false, Payload.TlsClientHello, 0);
            case FlowKind.TcpTls when k == 4:
                return new PacketShape(true, push, header, mss, true, Payload.TlsServerHello, 0);
            case FlowKind.TcpTls when k == 5:
                return new PacketShape(false, push, header, ClientFinishedLength, false, Payload.TlsClientFinished, 0);
            case FlowKind.TcpSsh when k == 3:
                return new PacketShape(true, push, header, ServerSshBanner.Length, true, Payload.SshBanner, 0);
            case FlowKind.TcpSsh when k == 4:
                return new PacketShape(false, push, header, ClientSshBanner.Length, false, Payload.SshBanner, 0);
            case FlowKind.TcpSsh:
            {
                var d = k - DataStart(FlowKind.TcpSsh);
                return (d % 3) switch
                {
                    0 => new PacketShape(false, push, header, 36 + (16 * (int)CounterHash.Below(h, 4)), false, Payload.SshData, d / 3),
                    1 => new PacketShape(true, push, header, 36 + (16 * (int)CounterHash.Below(h, 40)), true, Payload.SshData, d / 3),
                    _ => new PacketShape(false, TcpFlags.Ack, header, 0, false, Payload.None, d / 3),
                };
            }

            default:
                return BulkShape(flow, k, h, mss);
        }
    }

    /// <summary>Rounds of one request, then server segments acknowledged every second segment.</summary>
    private static PacketShape BulkShape(in Flow flow, int k, ulong h, int mss)
    {
        var d = k - DataStart(flow.Kind);
        var position = d % RoundLength;
        var exchange = d / RoundLength;
        var http = flow.Kind == FlowKind.TcpHttp;
        if (position == 0)
        {
            return http
                ? new PacketShape(false, TcpFlags.Psh | TcpFlags.Ack, 32,
                    HttpMessages.RequestLength(flow.Key, exchange, flow.Server), false, Payload.HttpRequest, exchange)
                : new PacketShape(false, TcpFlags.Psh | TcpFlags.Ack, 32,
                    5 + CounterHash.Between(h, 40, 700), false, Payload.TlsRecord, exchange);
        }

        if ((position - 1) % 3 < 2)
        {
            var first = position == 1;
            var payload = http ? (first ? Payload.HttpResponseHead : Payload.HttpBody) : Payload.TlsRecord;
            if (!first && CounterHash.Below(h, 12) == 0)
            {
                return new PacketShape(true, TcpFlags.Psh | TcpFlags.Ack, 32, CounterHash.Between(CounterHash.Part(h, 8), 100, mss - 1), false, payload, exchange);
            }

            return new PacketShape(true, TcpFlags.Ack, 32, mss, first, payload, exchange);
        }

        return new PacketShape(false, TcpFlags.Ack, 32, 0, false, Payload.None, exchange);
    }

    private static PacketShape QuicShape(int k, ulong h)
    {
        if (k == 0)
        {
            return new PacketShape(false, 0, 0, 1252, false, Payload.QuicLong, 0);
        }

        if (k == 1)
        {
            return new PacketShape(true, 0, 0, CounterHash.Between(h, 1200, 1252), true, Payload.QuicLong, 0);
        }

        var payload = k < 4 ? Payload.QuicLong : Payload.QuicShort;
        if ((k - 2) % 3 < 2)
        {
            var length = CounterHash.Below(h, 8) == 0 ? CounterHash.Between(CounterHash.Part(h, 8), 60, 1240) : 1252;
            return new PacketShape(true, 0, 0, length, false, payload, 0);
        }

        return new PacketShape(false, 0, 0, CounterHash.Between(h, 40, 60), false, payload, 0);
    }
}
