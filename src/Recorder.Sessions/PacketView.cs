using System.Buffers.Binary;
using Recorder.Core.Packets;

namespace Recorder.Sessions;

/// <summary>
/// The layers of one frame the session table needs: VLAN, addresses, protocol, TCP/UDP header
/// fields and the transport payload (cut to the IP length, so Ethernet padding is never payload).
/// Parsing never throws; a frame that is not IP is reported as such.
/// </summary>
internal ref struct PacketView
{
    public NetworkKind Kind;
    public byte Protocol;
    public ushort Vlan;
    public bool IsLaterFragment;
    public bool HasPorts;
    public ushort SourcePort;
    public ushort DestinationPort;
    public UInt128 Source;
    public UInt128 Destination;
    public uint Sequence;
    public uint Acknowledgement;
    public byte TcpFlags;
    public ReadOnlySpan<byte> Payload;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld = 0x9100;

    /// <summary>Parses a frame; false when no IPv4/IPv6 header was found.</summary>
    public static bool TryParse(int linkType, ReadOnlySpan<byte> frame, out PacketView view)
    {
        view = default;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                return frame.Length >= 14 && view.ParseEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), frame[14..]);
            case LinkTypes.Raw:
            case LinkTypes.RawBsd:
            case LinkTypes.RawOpenBsd:
                return view.ParseByVersion(frame);
            case LinkTypes.IPv4:
            case LinkTypes.IPv6:
                return view.ParseByVersion(frame);
            case LinkTypes.Null:
            case LinkTypes.Loop:
                return frame.Length >= 4 && view.ParseByVersion(frame[4..]);
            case LinkTypes.LinuxSll:
                return frame.Length >= 16 && view.ParseEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..]);
            case LinkTypes.LinuxSll2:
                return frame.Length >= 20 && view.ParseEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..]);
            default:
                return false;
        }
    }

    private bool ParseEtherType(ushort etherType, ReadOnlySpan<byte> payload)
    {
        // 802.1Q and QinQ: the outermost tag's VLAN id is the session's VLAN (Zeek's "vlan");
        // a bounded loop so stacked tags cannot make this spin.
        var tagged = false;
        for (var depth = 0; depth < 8; depth++)
        {
            switch (etherType)
            {
                case EtherTypeIPv4:
                case EtherTypeIPv6:
                    return ParseByVersion(payload);
                case EtherTypeVlan:
                case EtherTypeQinQ:
                case EtherTypeQinQOld:
                    if (payload.Length < 4)
                    {
                        return false;
                    }

                    if (!tagged)
                    {
                        Vlan = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload) & 0x0FFF);
                        tagged = true;
                    }

                    etherType = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
                    payload = payload[4..];
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private bool ParseByVersion(ReadOnlySpan<byte> ip)
    {
        if (ip.IsEmpty)
        {
            return false;
        }

        return (ip[0] >> 4) switch
        {
            4 => ParseIPv4(ip),
            6 => ParseIPv6(ip),
            _ => false,
        };
    }

    private bool ParseIPv4(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20)
        {
            return false;
        }

        var headerLength = (ip[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (headerLength < 20)
        {
            return false;
        }

        // Captures with TSO show total length 0; then the frame is the datagram.
        if (totalLength >= headerLength && totalLength < ip.Length)
        {
            ip = ip[..totalLength];
        }

        Kind = NetworkKind.IPv4;
        Protocol = ip[9];
        Source = IpAddress128.FromIPv4(ip.Slice(12, 4));
        Destination = IpAddress128.FromIPv4(ip.Slice(16, 4));
        IsLaterFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0;
        if (!IsLaterFragment && ip.Length >= headerLength)
        {
            ParseTransport(ip[headerLength..]);
        }

        return true;
    }

    private bool ParseIPv6(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 40)
        {
            return false;
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (payloadLength != 0 && 40 + payloadLength < ip.Length)
        {
            ip = ip[..(40 + payloadLength)];
        }

        Kind = NetworkKind.IPv6;
        Source = IpAddress128.FromIPv6(ip.Slice(8, 16));
        Destination = IpAddress128.FromIPv6(ip.Slice(24, 16));
        var next = ip[6];
        var offset = 40;
        for (var headers = 0; headers < 8; headers++)
        {
            if (next is 0 or 43 or 60 or 51 or 44 && ip.Length < offset + 8)
            {
                Protocol = next;
                return true;
            }

            switch (next)
            {
                case 0:
                case 43:
                case 60:
                    var length = (ip[offset + 1] + 1) * 8;
                    next = ip[offset];
                    offset += length;
                    continue;
                case 51:
                    var ahLength = (ip[offset + 1] + 2) * 4;
                    next = ip[offset];
                    offset += ahLength;
                    continue;
                case 44:
                    var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[(offset + 2)..]) >> 3;
                    next = ip[offset];
                    offset += 8;
                    if (fragmentOffset != 0)
                    {
                        IsLaterFragment = true;
                        Protocol = next;
                        return true;
                    }

                    continue;
                default:
                    break;
            }

            break;
        }

        Protocol = next;
        if (offset <= ip.Length)
        {
            ParseTransport(ip[offset..]);
        }

        return true;
    }

    private void ParseTransport(ReadOnlySpan<byte> transport)
    {
        switch (Protocol)
        {
            case Protocols.Tcp:
                if (transport.Length < 20)
                {
                    return;
                }

                var dataOffset = (transport[12] >> 4) * 4;
                HasPorts = true;
                SourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
                DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
                Sequence = BinaryPrimitives.ReadUInt32BigEndian(transport[4..]);
                Acknowledgement = BinaryPrimitives.ReadUInt32BigEndian(transport[8..]);
                TcpFlags = transport[13];
                Payload = dataOffset >= 20 && dataOffset <= transport.Length ? transport[dataOffset..] : default;
                return;
            case Protocols.Udp:
            case Protocols.UdpLite:
                if (transport.Length < 8)
                {
                    return;
                }

                HasPorts = true;
                SourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
                DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
                var udpLength = BinaryPrimitives.ReadUInt16BigEndian(transport[4..]);
                Payload = Protocol == Protocols.Udp && udpLength >= 8 && udpLength <= transport.Length
                    ? transport[8..udpLength]
                    : transport[8..];
                return;
            case Protocols.Sctp:
                if (transport.Length >= 4)
                {
                    HasPorts = true;
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
                }

                return;
            default:
                Payload = transport;
                return;
        }
    }
}
