using System.Buffers.Binary;

namespace Recorder.Core.Packets;

/// <summary>
/// Finds addresses, protocol and ports in a captured frame without allocating. It never throws on
/// malformed or truncated packets: what cannot be decoded is reported as <see cref="NetworkKind.Other"/>
/// (or without ports), and the packet is stored all the same.
/// </summary>
/// <remarks>
/// Semantics follow BPF's <c>host</c>, <c>port</c> and <c>ip proto</c> where they agree with what an
/// investigator means, and go further where BPF stops: 802.1Q/802.1ad tags, MPLS label stacks and
/// PPPoE sessions are looked through, and IPv6 extension headers are walked to find the transport
/// protocol. ARP and RARP addresses count as hosts, as they do for BPF's <c>host</c>. Ports exist only
/// on the first fragment of TCP, UDP, SCTP and UDP-Lite, as in BPF.
/// </remarks>
public static class PacketDecoder
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeRarp = 0x8035;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld = 0x9100;
    private const ushort EtherTypeMplsUnicast = 0x8847;
    private const ushort EtherTypeMplsMulticast = 0x8848;
    private const ushort EtherTypePppoeSession = 0x8864;

    /// <summary>Decodes one frame of the given link type.</summary>
    /// <returns>True when a network layer with addresses was found.</returns>
    public static bool TryDecode(int linkType, ReadOnlySpan<byte> frame, out DecodedPacket packet)
    {
        packet = default;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                return DecodeEthernet(frame, ref packet);
            case LinkTypes.Raw:
            case LinkTypes.RawBsd:
            case LinkTypes.RawOpenBsd:
                return DecodeByVersion(frame, ref packet);
            case LinkTypes.IPv4:
                return DecodeIPv4(frame, ref packet);
            case LinkTypes.IPv6:
                return DecodeIPv6(frame, ref packet);
            case LinkTypes.Null:
                return frame.Length >= 4 && DecodeBsdFamily(BinaryPrimitives.ReadUInt32LittleEndian(frame), BinaryPrimitives.ReadUInt32BigEndian(frame), frame[4..], ref packet);
            case LinkTypes.Loop:
                return frame.Length >= 4 && DecodeBsdFamily(BinaryPrimitives.ReadUInt32BigEndian(frame), BinaryPrimitives.ReadUInt32BigEndian(frame), frame[4..], ref packet);
            case LinkTypes.LinuxSll:
                return frame.Length >= 16 && DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..], ref packet);
            case LinkTypes.LinuxSll2:
                return frame.Length >= 20 && DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..], ref packet);
            case LinkTypes.Ppp:
            case LinkTypes.PppHdlc:
                return DecodePpp(frame, ref packet);
            case LinkTypes.PppEther:
                return frame.Length >= 6 && DecodePpp(frame[6..], ref packet);
            case LinkTypes.CiscoHdlc:
                return frame.Length >= 4 && DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[2..]), frame[4..], ref packet);
            default:
                return false;
        }
    }

    private static bool DecodeEthernet(ReadOnlySpan<byte> frame, ref DecodedPacket packet)
    {
        if (frame.Length < 14)
        {
            return false;
        }

        return DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), frame[14..], ref packet);
    }

    private static bool DecodeEtherType(ushort etherType, ReadOnlySpan<byte> payload, ref DecodedPacket packet)
    {
        // Bounded loop over stacked tags; a crafted frame cannot make this spin.
        for (var depth = 0; depth < 8; depth++)
        {
            switch (etherType)
            {
                case EtherTypeIPv4:
                    return DecodeIPv4(payload, ref packet);
                case EtherTypeIPv6:
                    return DecodeIPv6(payload, ref packet);
                case EtherTypeArp:
                case EtherTypeRarp:
                    return DecodeArp(payload, ref packet);
                case EtherTypeVlan:
                case EtherTypeQinQ:
                case EtherTypeQinQOld:
                    if (payload.Length < 4)
                    {
                        return false;
                    }

                    etherType = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
                    payload = payload[4..];
                    continue;
                case EtherTypeMplsUnicast:
                case EtherTypeMplsMulticast:
                    return DecodeMpls(payload, ref packet);
                case EtherTypePppoeSession:
                    return payload.Length >= 6 && DecodePppProtocol(payload[6..], ref packet);
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool DecodeMpls(ReadOnlySpan<byte> payload, ref DecodedPacket packet)
    {
        for (var labels = 0; labels < 16 && payload.Length >= 4; labels++)
        {
            var bottom = (payload[2] & 0x01) != 0;
            payload = payload[4..];
            if (bottom)
            {
                return DecodeByVersion(payload, ref packet);
            }
        }

        return false;
    }

    private static bool DecodePpp(ReadOnlySpan<byte> frame, ref DecodedPacket packet)
    {
        if (frame.Length >= 2 && frame[0] == 0xFF && frame[1] == 0x03)
        {
            frame = frame[2..];
        }

        return DecodePppProtocol(frame, ref packet);
    }

    private static bool DecodePppProtocol(ReadOnlySpan<byte> frame, ref DecodedPacket packet)
    {
        if (frame.Length < 2)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt16BigEndian(frame) switch
        {
            0x0021 => DecodeIPv4(frame[2..], ref packet),
            0x0057 => DecodeIPv6(frame[2..], ref packet),
            _ => false,
        };
    }

    private static bool DecodeBsdFamily(uint hostOrder, uint networkOrder, ReadOnlySpan<byte> payload, ref DecodedPacket packet)
    {
        // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
        static bool IsV4(uint family) => family == 2;
        static bool IsV6(uint family) => family is 24 or 28 or 30 or 10;
        if (IsV4(hostOrder) || IsV4(networkOrder))
        {
            return DecodeIPv4(payload, ref packet);
        }

        if (IsV6(hostOrder) || IsV6(networkOrder))
        {
            return DecodeIPv6(payload, ref packet);
        }

        return false;
    }

    private static bool DecodeByVersion(ReadOnlySpan<byte> payload, ref DecodedPacket packet)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        return (payload[0] >> 4) switch
        {
            4 => DecodeIPv4(payload, ref packet),
            6 => DecodeIPv6(payload, ref packet),
            _ => false,
        };
    }

    private static bool DecodeArp(ReadOnlySpan<byte> arp, ref DecodedPacket packet)
    {
        // BPF's "arp host" reads the sender and target protocol addresses at offsets 14 and 24,
        // which is where they are for 6-byte hardware and 4-byte protocol addresses.
        if (arp.Length < 28 || arp[4] != 6 || arp[5] != 4)
        {
            return false;
        }

        packet.Kind = NetworkKind.Arp;
        packet.Source = IpAddress128.FromIPv4(arp.Slice(14, 4));
        packet.Destination = IpAddress128.FromIPv4(arp.Slice(24, 4));
        return true;
    }

    private static bool DecodeIPv4(ReadOnlySpan<byte> ip, ref DecodedPacket packet)
    {
        if (ip.Length < 20 || (ip[0] >> 4) != 4)
        {
            return false;
        }

        var headerLength = (ip[0] & 0x0F) * 4;
        packet.Kind = NetworkKind.IPv4;
        packet.Protocol = ip[9];
        packet.Source = IpAddress128.FromIPv4(ip.Slice(12, 4));
        packet.Destination = IpAddress128.FromIPv4(ip.Slice(16, 4));
        var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF;
        packet.IsLaterFragment = fragmentOffset != 0;
        if (headerLength >= 20 && !packet.IsLaterFragment)
        {
            ReadPorts(ip, headerLength, ref packet);
        }

        return true;
    }

    private static bool DecodeIPv6(ReadOnlySpan<byte> ip, ref DecodedPacket packet)
    {
        if (ip.Length < 40 || (ip[0] >> 4) != 6)
        {
            return false;
        }

        packet.Kind = NetworkKind.IPv6;
        packet.Source = IpAddress128.FromIPv6(ip.Slice(8, 16));
        packet.Destination = IpAddress128.FromIPv6(ip.Slice(24, 16));
        var next = ip[6];
        var offset = 40;
        for (var headers = 0; headers < 8; headers++)
        {
            switch (next)
            {
                case 0:   // hop-by-hop options
                case 43:  // routing
                case 60:  // destination options
                    if (ip.Length < offset + 2)
                    {
                        packet.Protocol = next;
                        return true;
                    }

                    next = ip[offset];
                    offset += (ip[offset + 1] + 1) * 8;
                    continue;
                case 51:  // authentication header: length in 4-byte units, minus 2
                    if (ip.Length < offset + 2)
                    {
                        packet.Protocol = next;
                        return true;
                    }

                    next = ip[offset];
                    offset += (ip[offset + 1] + 2) * 4;
                    continue;
                case 44:  // fragment
                    if (ip.Length < offset + 8)
                    {
                        packet.Protocol = next;
                        return true;
                    }

                    var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[(offset + 2)..]) >> 3;
                    next = ip[offset];
                    offset += 8;
                    if (fragmentOffset != 0)
                    {
                        packet.IsLaterFragment = true;
                        packet.Protocol = next;
                        return true;
                    }

                    continue;
                default:
                    break;
            }

            break;
        }

        packet.Protocol = next;
        ReadPorts(ip, offset, ref packet);
        return true;
    }

    private static void ReadPorts(ReadOnlySpan<byte> ip, int transportOffset, ref DecodedPacket packet)
    {
        if (Protocols.HasPorts(packet.Protocol) && ip.Length >= transportOffset + 4)
        {
            packet.HasPorts = true;
            packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(ip[transportOffset..]);
            packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(ip[(transportOffset + 2)..]);
        }
    }
}
