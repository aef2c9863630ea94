using System.Buffers.Binary;
using Recorder.Core.Packets;

namespace Recorder.Synthesis.Tests.Support;

/// <summary>A test-side look at the transport segment of a frame (Ethernet, VLAN, Linux cooked, raw IP).</summary>
public sealed record TransportView(string Source, string Destination, byte Protocol, byte[] Segment)
{
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(Segment);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(Segment.AsSpan(2));

    /// <summary>TCP: sequence, acknowledgment, flags and payload.</summary>
    public (uint Seq, uint Ack, byte Flags, byte[] Payload) Tcp
    {
        get
        {
            var headerLength = (Segment[12] >> 4) * 4;
            return (BinaryPrimitives.ReadUInt32BigEndian(Segment.AsSpan(4)), BinaryPrimitives.ReadUInt32BigEndian(Segment.AsSpan(8)),
                Segment[13], Segment[headerLength..]);
        }
    }

    public byte[] UdpPayload => Segment[8..];

    public static TransportView? Parse(int linkType, ReadOnlySpan<byte> frame)
    {
        ushort etherType;
        int offset;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                offset = 14;
                if (etherType == 0x8100)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
                    offset = 18;
                }

                break;
            case LinkTypes.LinuxSll:
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                offset = 16;
                break;
            case LinkTypes.Raw:
                etherType = frame[0] >> 4 == 6 ? (ushort)0x86DD : (ushort)0x0800;
                offset = 0;
                break;
            default:
                return null;
        }

        var ip = frame[offset..];
        if (etherType == 0x0800 && ip.Length >= 20 && ip[0] >> 4 == 4)
        {
            var flags = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            if ((flags & 0x3FFF) != 0)
            {
                return null; // a fragment
            }

            var headerLength = (ip[0] & 0x0F) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            return new TransportView(new System.Net.IPAddress(ip.Slice(12, 4)).ToString(), new System.Net.IPAddress(ip.Slice(16, 4)).ToString(),
                ip[9], ip[headerLength..total].ToArray());
        }

        if (etherType == 0x86DD && ip.Length >= 40)
        {
            var next = ip[6];
            var at = 40;
            while (next == 0)
            {
                next = ip[at];
                at += (ip[at + 1] + 1) * 8;
            }

            return new TransportView(new System.Net.IPAddress(ip.Slice(8, 16)).ToString(), new System.Net.IPAddress(ip.Slice(24, 16)).ToString(),
                next, ip[at..(40 + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]))].ToArray());
        }

        return null;
    }
}
