using System.Buffers.Binary;
using Recorder.Core.Packets;
using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// Builds the bytes of one frame from a flow's plan and the packet's shape: link header (Ethernet,
/// Ethernet with an 802.1Q tag, Linux cooked, or none for raw IP), IPv4 or IPv6 header, TCP, UDP
/// or ICMP with valid checksums, and the application payload. Opaque payload bytes come from a
/// seeded pool, so building never allocates and the same plan gives the same bytes.
/// </summary>
internal sealed class PacketBuilder
{
    /// <summary>No frame is longer: 1514 bytes of Ethernet plus a 4-byte VLAN tag.</summary>
    public const int MaximumFrameLength = 1518;

    private const int PoolSize = 1 << 16;
    private const ulong SaltPool = 0x9001;
    private const ulong SaltIsn = 0x15A;
    private const ulong SaltLabel = 0xF10;

    private static ReadOnlySpan<byte> GatewayMac => [0x00, 0x00, 0x5E, 0x00, 0x01, 0x01];

    private readonly byte[] _pool = new byte[PoolSize];
    private readonly byte[] _datagram = new byte[FlowShapes.FragmentedDatagramLength];

    public PacketBuilder(ulong seed)
    {
        new SeededRandom(seed ^ 0x5EED_9001_0000_0001UL).NextBytes(_pool);
    }

    /// <summary>Sets the running TCP/IP state a flow starts with (sequence numbers, IP ids, TTLs).</summary>
    public static void InitializeState(ref Flow flow)
    {
        unchecked
        {
            var h1 = CounterHash.Of(flow.Key, 1, SaltIsn);
            var h2 = CounterHash.Of(flow.Key, 2, SaltIsn);
            var h3 = CounterHash.Of(flow.Key, 3, SaltIsn);
            flow.ClientSeq = (uint)h1;
            flow.ServerSeq = (uint)(h1 >> 32);
            flow.ClientTsBase = (uint)h2;
            flow.ServerTsBase = (uint)(h2 >> 32);
            flow.ClientTsLast = 0;
            flow.ServerTsLast = 0;
            flow.ClientIpId = (ushort)h3;
            flow.ServerIpId = (ushort)(h3 >> 16);
            flow.ClientTtl = (h3 >> 32) % 4 == 0 ? (byte)128 : (byte)64;
            var initialTtl = ((h3 >> 40) % 3) switch { 0 => 64, 1 => 128, _ => 255 };
            flow.ServerTtl = (byte)(initialTtl - 3 - (int)((h3 >> 48) % 20)); // a few hops away
        }
    }

    /// <summary>Writes the frame into <paramref name="frame"/>; returns its length.</summary>
    public int Build(ref Flow flow, int k, in PacketShape shape, long absoluteNs, Span<byte> frame, out PacketFacts facts)
    {
        facts = default;
        var length = FlowShapes.FrameLength(flow, shape);
        var frameSpan = frame[..length];
        switch (shape.Payload)
        {
            case Payload.ArpRequest:
            case Payload.ArpReply:
                BuildArp(flow, shape, frameSpan, ref facts);
                return length;
            case Payload.Lldp:
            {
                Span<byte> switchMac = stackalloc byte[6];
                WriteMac(AddressPlan.AnomalyArpTarget + 1, switchMac);
                LldpFrame.Destination.CopyTo(frameSpan);
                switchMac.CopyTo(frameSpan[6..]);
                BinaryPrimitives.WriteUInt16BigEndian(frameSpan[12..], 0x88CC);
                LldpFrame.Write(frameSpan[14..], switchMac);
                return length;
            }

            case Payload.TruncatedIp:
                BuildTruncatedIp(flow, frameSpan);
                return length;
            case Payload.GarbageIp:
                BuildGarbageIp(flow, frameSpan);
                return length;
            default:
                break;
        }

        var linkLength = FlowShapes.LinkHeaderLength(flow);
        var ip = frameSpan[linkLength..];
        var fromServer = shape.FromServer;
        var source = fromServer ? flow.Server : flow.Client;
        var destination = fromServer ? flow.Client : flow.Server;
        var protocol = FlowShapes.Protocol(flow);
        facts.Network = flow.IPv6 ? NetworkFact.IPv6 : NetworkFact.IPv4;
        facts.Protocol = protocol;
        facts.Source = source;
        facts.Destination = destination;

        if (shape.Payload is Payload.FragmentFirst or Payload.FragmentLater)
        {
            BuildFragment(ref flow, shape, ip, ref facts);
        }
        else
        {
            var networkLength = flow.IPv6 ? 40 + (flow.HopByHop ? 8 : 0) : 20;
            var segment = ip[networkLength..];
            ulong pseudo = PseudoHeaderSum(flow.IPv6, source, destination, protocol, segment.Length);
            switch (protocol)
            {
                case Protocols.Tcp:
                    BuildTcp(ref flow, k, shape, absoluteNs, segment, pseudo, ref facts);
                    break;
                case Protocols.Udp:
                    BuildUdp(flow, k, shape, segment, pseudo, ref facts);
                    break;
                default:
                    BuildIcmpEcho(ref flow, shape, absoluteNs, segment, flow.IPv6 ? pseudo : 0);
                    break;
            }

            if (flow.IPv6)
            {
                WriteIPv6Header(flow, fromServer, protocol, source, destination, ip);
            }
            else
            {
                ref var ipId = ref fromServer ? ref flow.ServerIpId : ref flow.ClientIpId;
                WriteIPv4Header(ip[..20], ip.Length, ipId, 0x4000, fromServer ? flow.ServerTtl : flow.ClientTtl, protocol, source, destination);
                ipId = unchecked((ushort)(ipId + 1));
            }
        }

        WriteLinkHeader(flow, fromServer, frameSpan, flow.IPv6 ? (ushort)0x86DD : (ushort)0x0800);
        return length;
    }

    private void BuildTcp(ref Flow flow, int k, in PacketShape shape, long absoluteNs, Span<byte> segment, ulong pseudo, ref PacketFacts facts)
    {
        var fromServer = shape.FromServer;
        var sourcePort = fromServer ? flow.ServerPort : flow.ClientPort;
        var destinationPort = fromServer ? flow.ClientPort : flow.ServerPort;
        facts.HasPorts = true;
        facts.SourcePort = sourcePort;
        facts.DestinationPort = destinationPort;

        var flags = shape.TcpFlags;
        var headerLength = shape.TcpHeaderLength;
        ref var ownSeq = ref fromServer ? ref flow.ServerSeq : ref flow.ClientSeq;
        var peerSeq = fromServer ? flow.ClientSeq : flow.ServerSeq;
        var seq = ownSeq;
        var ack = (flags & TcpFlags.Ack) != 0 ? peerSeq : 0;
        if (flow.Kind == FlowKind.TcpSyn && fromServer)
        {
            seq = 0; // RST answering a SYN: sequence zero, acknowledging the SYN (RFC 9293 §3.10.7.1)
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(segment[8..], ack);
        segment[12] = (byte)((headerLength / 4) << 4);
        segment[13] = flags;
        ushort window = (flags & TcpFlags.Rst) != 0 ? (ushort)0
            : (flags & TcpFlags.Syn) != 0 ? (flow.IPv6 ? (ushort)64800 : fromServer ? (ushort)65160 : (ushort)64240)
            : fromServer ? (ushort)509 : (ushort)501;
        BinaryPrimitives.WriteUInt16BigEndian(segment[14..], window);
        BinaryPrimitives.WriteUInt32BigEndian(segment[16..], 0); // checksum, urgent pointer

        if (headerLength > 20)
        {
            // RFC 7323 timestamps: a millisecond clock with a per-host offset, echoing the peer's last value.
            var tsval = unchecked((uint)(absoluteNs / 1_000_000) + (fromServer ? flow.ServerTsBase : flow.ClientTsBase));
            var tsecr = (flags & TcpFlags.Ack) != 0 ? (fromServer ? flow.ClientTsLast : flow.ServerTsLast) : 0;
            var options = segment[20..headerLength];
            if (headerLength == 40)
            {
                BinaryPrimitives.WriteUInt32BigEndian(options, 0x0204_0000U | (uint)(FlowShapes.Mss(flow) + 12)); // MSS
                options[4] = 4; // SACK permitted
                options[5] = 2;
                options[6] = 8;
                options[7] = 10;
                BinaryPrimitives.WriteUInt32BigEndian(options[8..], tsval);
                BinaryPrimitives.WriteUInt32BigEndian(options[12..], tsecr);
                options[16] = 1; // NOP
                options[17] = 3; // window scale 7
                options[18] = 3;
                options[19] = 7;
            }
            else
            {
                options[0] = 1;
                options[1] = 1;
                options[2] = 8;
                options[3] = 10;
                BinaryPrimitives.WriteUInt32BigEndian(options[4..], tsval);
                BinaryPrimitives.WriteUInt32BigEndian(options[8..], tsecr);
            }

            if (fromServer)
            {
                flow.ServerTsLast = tsval;
            }
            else
            {
                flow.ClientTsLast = tsval;
            }
        }

        var payload = segment[headerLength..];
        FillTcpPayload(flow, k, shape, payload);
        var checksum = InternetChecksum.Finish(InternetChecksum.Add(pseudo, segment));
        if (k == flow.CorruptPacket)
        {
            checksum ^= 0x5A5A; // the deliberate anomaly: any non-zero change makes the sum fail
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment[16..], checksum);
        unchecked
        {
            ownSeq += (uint)payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1U : 0U) + ((flags & TcpFlags.Fin) != 0 ? 1U : 0U);
        }
    }

    private void FillTcpPayload(in Flow flow, int k, in PacketShape shape, Span<byte> payload)
    {
        switch (shape.Payload)
        {
            case Payload.None:
                return;
            case Payload.TlsClientHello:
            {
                Span<byte> name = stackalloc byte[64];
                var writer = new AsciiWriter(name);
                HttpMessages.WriteHostName(ref writer, flow.Server);
                TlsMessages.WriteClientHello(payload, payload.Length, name[..writer.Length], Opaque(flow, k, 96));
                return;
            }

            case Payload.TlsServerHello:
                TlsMessages.WriteServerHello(payload, payload.Length, Opaque(flow, k, 96), Opaque(flow, k + 1, payload.Length));
                return;
            case Payload.TlsClientFinished:
                TlsMessages.WriteClientFinished(payload, payload.Length, Opaque(flow, k, payload.Length));
                return;
            case Payload.TlsRecord:
                TlsMessages.WriteRecord(payload, Opaque(flow, k, payload.Length));
                return;
            case Payload.HttpRequest:
                HttpMessages.WriteRequest(flow.Key, shape.Exchange, flow.Server, payload);
                return;
            case Payload.HttpResponseHead:
            {
                var head = HttpMessages.WriteResponseHead(RoundServerBytes(flow, k), payload);
                Opaque(flow, k, payload.Length - head).CopyTo(payload[head..]);
                return;
            }

            case Payload.SshBanner:
                (shape.FromServer ? FlowShapes.ServerSshBanner : FlowShapes.ClientSshBanner).CopyTo(payload);
                return;
            default:
                Opaque(flow, k, payload.Length).CopyTo(payload);
                return;
        }
    }

    /// <summary>Server payload bytes from packet <paramref name="k"/> to the end of its round: the HTTP response's size.</summary>
    private static long RoundServerBytes(in Flow flow, int k)
    {
        var dataEnd = flow.Count - 3;
        long total = 0;
        for (var i = k; i < dataEnd; i++)
        {
            var shape = FlowShapes.Shape(flow, i);
            if (i > k && shape.Payload == Payload.HttpRequest)
            {
                break;
            }

            if (shape.FromServer)
            {
                total += shape.PayloadLength;
            }
        }

        return total;
    }

    private void BuildUdp(in Flow flow, int k, in PacketShape shape, Span<byte> segment, ulong pseudo, ref PacketFacts facts)
    {
        var fromServer = shape.FromServer;
        var sourcePort = fromServer ? flow.ServerPort : flow.ClientPort;
        var destinationPort = fromServer ? flow.ClientPort : flow.ServerPort;
        facts.HasPorts = true;
        facts.SourcePort = sourcePort;
        facts.DestinationPort = destinationPort;
        var payload = segment[8..];
        switch (shape.Payload)
        {
            case Payload.DnsQuery:
            case Payload.DnsResponse:
                DnsMessages.Write(flow.Key, shape.Exchange, shape.Payload == Payload.DnsResponse, flow.IPv6, payload);
                break;
            case Payload.QuicLong:
            {
                var clientId = CounterHash.Of(flow.Key, 1, SaltLabel);
                var serverId = CounterHash.Of(flow.Key, 2, SaltLabel);
                QuicPackets.WriteLong(payload, k < 2, fromServer ? clientId : serverId, fromServer ? serverId : clientId, Opaque(flow, k, payload.Length));
                break;
            }

            case Payload.QuicShort:
                QuicPackets.WriteShort(payload, fromServer ? CounterHash.Of(flow.Key, 1, SaltLabel) : CounterHash.Of(flow.Key, 2, SaltLabel),
                    Opaque(flow, k, payload.Length));
                break;
            default:
                Opaque(flow, k, payload.Length).CopyTo(payload);
                break;
        }

        WriteUdpHeader(segment, sourcePort, destinationPort, pseudo);
    }

    private static void WriteUdpHeader(Span<byte> datagram, ushort sourcePort, ushort destinationPort, ulong pseudo)
    {
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[4..], (ushort)datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
        var checksum = InternetChecksum.Finish(InternetChecksum.Add(pseudo, datagram));
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum == 0 ? (ushort)0xFFFF : checksum); // RFC 768: 0 means "none"
    }

    private static void BuildIcmpEcho(ref Flow flow, in PacketShape shape, long absoluteNs, Span<byte> message, ulong pseudo)
    {
        var reply = shape.FromServer;
        message[0] = flow.IPv6 ? (reply ? (byte)129 : (byte)128) : (reply ? (byte)0 : (byte)8);
        message[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], flow.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], (ushort)(shape.Exchange + 1));
        if (!reply)
        {
            flow.EchoTime = absoluteNs;
        }

        // Linux ping's data: the request's send time as a 64-bit timeval, then 0x10, 0x11, ...
        var data = message[8..];
        var sent = flow.EchoTime;
        BinaryPrimitives.WriteInt64LittleEndian(data, sent / 1_000_000_000);
        BinaryPrimitives.WriteInt64LittleEndian(data[8..], sent % 1_000_000_000 / 1_000);
        for (var i = 16; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        var checksum = InternetChecksum.Finish(InternetChecksum.Add(pseudo, message));
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], checksum);
    }

    private void BuildFragment(ref Flow flow, in PacketShape shape, Span<byte> ip, ref PacketFacts facts)
    {
        // The whole datagram is rebuilt for each fragment: it is a pure function of the flow.
        var datagram = _datagram.AsSpan();
        Opaque(flow, 0, datagram.Length - 8).CopyTo(datagram[8..]);
        WriteUdpHeader(datagram, flow.ClientPort, flow.ServerPort,
            PseudoHeaderSum(false, flow.Client, flow.Server, Protocols.Udp, datagram.Length));
        var first = shape.Payload == Payload.FragmentFirst;
        var offset = first ? 0 : FlowShapes.FirstFragmentLength;
        datagram.Slice(offset, shape.PayloadLength).CopyTo(ip[20..]);
        ushort flagsAndOffset = first ? (ushort)0x2000 : (ushort)(offset / 8); // MF on the first, offset in 8-byte units
        WriteIPv4Header(ip[..20], 20 + shape.PayloadLength, flow.ClientIpId, flagsAndOffset, flow.ClientTtl, Protocols.Udp, flow.Client, flow.Server);
        facts.HasPorts = first;
        if (first)
        {
            facts.SourcePort = flow.ClientPort;
            facts.DestinationPort = flow.ServerPort;
        }
    }

    private static void BuildArp(in Flow flow, in PacketShape shape, Span<byte> frame, ref PacketFacts facts)
    {
        frame.Clear();
        var reply = shape.Payload == Payload.ArpReply;
        Span<byte> askerMac = stackalloc byte[6];
        Span<byte> targetMac = stackalloc byte[6];
        WriteMac(flow.Client, askerMac);
        WriteMac(flow.Server, targetMac);
        if (reply)
        {
            askerMac.CopyTo(frame);
        }
        else
        {
            frame[..6].Fill(0xFF);
        }

        (reply ? targetMac : askerMac).CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0806);
        var arp = frame[14..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);          // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // IPv4
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], reply ? (ushort)2 : (ushort)1);
        var sender = reply ? flow.Server : flow.Client;
        var target = reply ? flow.Client : flow.Server;
        (reply ? targetMac : askerMac).CopyTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], AddressPlan.Low32(sender));
        if (reply)
        {
            askerMac.CopyTo(arp[18..]);
        }

        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], AddressPlan.Low32(target));
        facts.Network = NetworkFact.Arp;
        facts.Source = sender;
        facts.Destination = target;
    }

    private static void BuildTruncatedIp(in Flow flow, Span<byte> frame)
    {
        // EtherType IPv4, then the first 12 bytes of a TCP/IPv4 header: the addresses are cut off.
        WriteMac(flow.Server, frame);
        WriteMac(flow.Client, frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        ReadOnlySpan<byte> header = [0x45, 0x00, 0x05, 0xDC, 0x1A, 0x2B, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00];
        header.CopyTo(frame[14..]);
    }

    private void BuildGarbageIp(in Flow flow, Span<byte> frame)
    {
        // EtherType IPv4, then 32 bytes that are no IPv4 header: version 0, a header length past the
        // frame, protocol 253 (experimental), and addresses no query selects.
        WriteMac(flow.Server, frame);
        WriteMac(flow.Client, frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        var bytes = frame[14..];
        Opaque(flow, 0, bytes.Length).CopyTo(bytes);
        bytes[0] = 0x0F;
        bytes[9] = 253;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], AddressPlan.Low32(AddressPlan.Garbage));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[16..], AddressPlan.Low32(AddressPlan.Garbage));
    }

    private static void WriteIPv4Header(Span<byte> header, int totalLength, ushort id, ushort flagsAndOffset, byte ttl, byte protocol, UInt128 source, UInt128 destination)
    {
        header[0] = 0x45;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], flagsAndOffset);
        header[8] = ttl;
        header[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], AddressPlan.Low32(source));
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], AddressPlan.Low32(destination));
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
    }

    private static void WriteIPv6Header(in Flow flow, bool fromServer, byte protocol, UInt128 source, UInt128 destination, Span<byte> ip)
    {
        var label = (uint)(CounterHash.Of(flow.Key, fromServer ? 1UL : 0UL, SaltLabel + 1) & 0xFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000U | label);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(ip.Length - 40));
        ip[6] = flow.HopByHop ? (byte)0 : protocol;
        ip[7] = fromServer ? flow.ServerTtl : flow.ClientTtl;
        BinaryPrimitives.WriteUInt128BigEndian(ip[8..], source);
        BinaryPrimitives.WriteUInt128BigEndian(ip[24..], destination);
        if (flow.HopByHop)
        {
            // Hop-by-hop options header (RFC 8200 §4.3): next header, length 0 (8 bytes), one PadN option.
            ReadOnlySpan<byte> padN = [0x01, 0x04, 0x00, 0x00, 0x00, 0x00];
            ip[40] = protocol;
            ip[41] = 0;
            padN.CopyTo(ip[42..]);
        }
    }

    private static void WriteLinkHeader(in Flow flow, bool fromServer, Span<byte> frame, ushort etherType)
    {
        Span<byte> clientMac = stackalloc byte[6];
        Span<byte> serverMac = stackalloc byte[6];
        WriteMac(flow.Client, clientMac);
        WriteServerSideMac(flow, serverMac);
        var sourceMac = fromServer ? serverMac : clientMac;
        switch (flow.Link)
        {
            case LinkKind.Ethernet:
                (fromServer ? clientMac : serverMac).CopyTo(frame);
                sourceMac.CopyTo(frame[6..]);
                if (flow.Vlan != 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x8100);
                    BinaryPrimitives.WriteUInt16BigEndian(frame[14..], flow.Vlan); // priority 0, VLAN id
                    BinaryPrimitives.WriteUInt16BigEndian(frame[16..], etherType);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
                }

                break;
            case LinkKind.LinuxSll:
                // Linux cooked capture v1, as captured on the client: its packets are outgoing (4), the server's to us (0).
                BinaryPrimitives.WriteUInt16BigEndian(frame, fromServer ? (ushort)0 : (ushort)4);
                BinaryPrimitives.WriteUInt16BigEndian(frame[2..], 1); // ARPHRD_ETHER
                BinaryPrimitives.WriteUInt16BigEndian(frame[4..], 6);
                sourceMac.CopyTo(frame[6..]);
                frame.Slice(12, 2).Clear();
                BinaryPrimitives.WriteUInt16BigEndian(frame[14..], etherType);
                break;
            default:
                break;
        }
    }

    private static ulong PseudoHeaderSum(bool ipv6, UInt128 source, UInt128 destination, byte protocol, int length)
    {
        ulong sum = 0;
        if (ipv6)
        {
            // RFC 8200 §8.1: both addresses, upper-layer length (32 bits), next header.
            for (var shift = 0; shift < 128; shift += 32)
            {
                sum = InternetChecksum.Add(sum, (uint)((source >> shift) & uint.MaxValue));
                sum = InternetChecksum.Add(sum, (uint)((destination >> shift) & uint.MaxValue));
            }

            sum = InternetChecksum.Add(sum, (uint)length);
            return InternetChecksum.Add(sum, (ushort)protocol);
        }

        // RFC 9293 §3.1 / RFC 768: both addresses, zero, protocol, length.
        sum = InternetChecksum.Add(sum, AddressPlan.Low32(source));
        sum = InternetChecksum.Add(sum, AddressPlan.Low32(destination));
        sum = InternetChecksum.Add(sum, (ushort)protocol);
        return InternetChecksum.Add(sum, (ushort)length);
    }

    /// <summary>Opaque bytes for packet <paramref name="k"/> of a flow: a window of the seeded pool.</summary>
    private ReadOnlySpan<byte> Opaque(in Flow flow, int k, int length)
    {
        var offset = (int)CounterHash.Below(CounterHash.Of(flow.Key, (ulong)k, SaltPool), (ulong)(PoolSize - length));
        return _pool.AsSpan(offset, length);
    }

    /// <summary>The MAC on the server's side: the server's own on the local segment (anomaly flows), else the gateway's.</summary>
    private static void WriteServerSideMac(in Flow flow, Span<byte> destination)
    {
        if (flow.Kind is FlowKind.UdpFragments or FlowKind.Arp || flow.CorruptPacket >= 0)
        {
            WriteMac(flow.Server, destination);
        }
        else
        {
            GatewayMac.CopyTo(destination);
        }
    }

    /// <summary>A locally administered unicast MAC derived from an address.</summary>
    private static void WriteMac(UInt128 address, Span<byte> destination)
    {
        unchecked
        {
            var h = SeededRandom.Mix((ulong)address ^ (ulong)(address >> 64) ^ 0x3AC0_FFEEUL);
            destination[0] = 0x02;
            destination[1] = (byte)(h >> 8);
            destination[2] = (byte)(h >> 16);
            destination[3] = (byte)(h >> 24);
            destination[4] = (byte)(h >> 32);
            destination[5] = (byte)(h >> 40);
        }
    }
}
