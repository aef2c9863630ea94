using System.Buffers.Binary;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// An LLDP frame (IEEE 802.1AB): the non-IP frame of the anomalies. Chassis id (MAC), port id
/// (interface name), TTL, system name and end TLVs, padded to Ethernet's 60-byte minimum.
/// </summary>
internal static class LldpFrame
{
    /// <summary>Bytes after the Ethernet header.</summary>
    public const int Length = 46;

    public static ReadOnlySpan<byte> Destination => [0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E];

    public static void Write(Span<byte> destination, ReadOnlySpan<byte> switchMac)
    {
        var p = destination[..Length];
        p.Clear();
        var at = 0;
        at += Tlv(p[at..], 1, [0x04, switchMac[0], switchMac[1], switchMac[2], switchMac[3], switchMac[4], switchMac[5]]);
        at += Tlv(p[at..], 2, "\u0005ge-0/0/1"u8);
        at += Tlv(p[at..], 3, [0x00, 0x78]);
        at += Tlv(p[at..], 5, "core-sw1"u8);
        Tlv(p[at..], 0, []);
    }

    private static int Tlv(Span<byte> destination, int type, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)((type << 9) | value.Length));
        value.CopyTo(destination[2..]);
        return 2 + value.Length;
    }
}
