using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Recorder.Core.Packets;

/// <summary>
/// Addresses as 128-bit big-endian numbers: IPv6 as is, IPv4 as the v4-mapped form
/// <c>::ffff:a.b.c.d</c>. Numeric order equals byte order, so a CIDR block is one contiguous range
/// both in memory and in the index's sorted keys.
/// </summary>
public static class IpAddress128
{
    /// <summary>The prefix that maps an IPv4 address into the 128-bit space.</summary>
    public static readonly UInt128 V4MappedPrefix = new(0, 0x0000_FFFF_0000_0000UL);

    /// <summary>Maps an IPv4 address (network byte order) into the 128-bit space.</summary>
    public static UInt128 FromIPv4(ReadOnlySpan<byte> fourBytes) =>
        V4MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(fourBytes);

    /// <summary>Reads a 16-byte IPv6 address.</summary>
    public static UInt128 FromIPv6(ReadOnlySpan<byte> sixteenBytes) =>
        BinaryPrimitives.ReadUInt128BigEndian(sixteenBytes);

    /// <summary>Converts a BCL address.</summary>
    public static UInt128 From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes[..4], out _);
            return FromIPv4(bytes[..4]);
        }

        address.TryWriteBytes(bytes, out _);
        return FromIPv6(bytes);
    }

    /// <summary>Writes the 16 big-endian bytes.</summary>
    public static void Write(UInt128 value, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt128BigEndian(destination, value);

    /// <summary>Text form; IPv4 shown dotted when <paramref name="isV4"/>.</summary>
    public static string Format(UInt128 value, bool isV4)
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(value, bytes);
        return isV4 ? new IPAddress(bytes[12..]).ToString() : new IPAddress(bytes).ToString();
    }
}
