using System.Buffers.Binary;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;

namespace Recorder.Index.Format;

/// <summary>A decoded <c>flows</c> value: the flow without its positions, and where they are.</summary>
internal readonly record struct FlowHeader(
    FlowKey Key, long FirstNanoseconds, long LastNanoseconds, long Packets, long Bytes, byte Flags, int InlinePositionsOffset)
{
    public bool PositionsExternal => (Flags & FlowRecord.FlagPositionsExternal) != 0;

    public bool PositionsQuartered => (Flags & FlowRecord.FlagPositionsQuartered) != 0;
}

/// <summary>
/// The <c>flows</c> value (docs/index-format.md, "flows"): kind, flags, protocol, addresses in their
/// natural width, ports when the flow has them, times relative to the segment's first timestamp,
/// counts, then the positions inline, or nothing when they are in <c>positions</c>.
/// </summary>
internal static class FlowRecord
{
    public const byte FlagHasPorts = 0x01;
    public const byte FlagPositionsExternal = 0x02;
    public const byte FlagPositionsQuartered = 0x04;
    public const byte FlagMicroseconds = 0x08;
    private const byte KnownFlags = FlagHasPorts | FlagPositionsExternal | FlagPositionsQuartered | FlagMicroseconds;

    /// <summary>Bytes of each address of a flow of this kind.</summary>
    public static int AddressWidth(NetworkKind kind) => kind switch
    {
        NetworkKind.IPv4 or NetworkKind.Arp => 4,
        NetworkKind.IPv6 => 16,
        _ => 0,
    };

    /// <summary>Why the flow cannot be stored in this format, or null when it can.</summary>
    public static string? Validate(FlowEntry flow)
    {
        var key = flow.Key;
        switch (key.Kind)
        {
            case NetworkKind.Other:
                if (key != FlowKey.Other)
                {
                    return "a flow of kind Other must be FlowKey.Other";
                }

                break;
            case NetworkKind.IPv4:
            case NetworkKind.Arp:
                if (key.AddressA >> 32 != 0xFFFF || key.AddressB >> 32 != 0xFFFF)
                {
                    return "IPv4 and ARP addresses must be v4-mapped (IpAddress128.FromIPv4)";
                }

                break;
            case NetworkKind.IPv6:
                break;
            default:
                return $"unknown network kind {(byte)key.Kind}";
        }

        if (!key.HasPorts && (key.PortA != 0 || key.PortB != 0))
        {
            return "ports set on a flow without ports";
        }

        if (flow.Packets < 0 || flow.Bytes < 0)
        {
            return "negative packet or byte count";
        }

        if (flow.LastNanoseconds < flow.FirstNanoseconds)
        {
            return "last timestamp before first";
        }

        return null;
    }

    public static byte[] Encode(FlowEntry flow, long segmentFirstNanoseconds, ReadOnlySpan<byte> inlinePositions, byte positionFlags)
    {
        var key = flow.Key;
        var writer = new ByteWriter(48 + inlinePositions.Length);

        // Wrap-around arithmetic is exactly invertible, so no timestamp can fail to encode. Most
        // captures have microsecond timestamps: then both numbers are stored in microseconds.
        var offset = unchecked(flow.FirstNanoseconds - segmentFirstNanoseconds);
        var duration = unchecked((ulong)(flow.LastNanoseconds - flow.FirstNanoseconds));
        var microseconds = offset % 1000 == 0 && duration % 1000 == 0;
        var flags = (byte)(positionFlags | (key.HasPorts ? FlagHasPorts : 0) | (microseconds ? FlagMicroseconds : 0));
        writer.WriteByte((byte)key.Kind);
        writer.WriteByte(flags);
        writer.WriteByte(key.Protocol);
        WriteAddress(writer, key.Kind, key.AddressA);
        WriteAddress(writer, key.Kind, key.AddressB);
        if (key.HasPorts)
        {
            writer.WriteUInt16BigEndian(key.PortA);
            writer.WriteUInt16BigEndian(key.PortB);
        }

        writer.WriteSigned(microseconds ? offset / 1000 : offset);
        writer.WriteVarint(microseconds ? duration / 1000 : duration);
        writer.WriteCount(flow.Packets);
        writer.WriteCount(flow.Bytes);
        writer.WriteBytes(inlinePositions);
        return writer.ToArray();
    }

    /// <exception cref="FormatException">The value is not a version-1 flow record.</exception>
    public static FlowHeader Decode(ReadOnlySpan<byte> value, long segmentFirstNanoseconds)
    {
        var reader = new ByteReader(value);
        var kind = (NetworkKind)reader.ReadByte();
        var flags = reader.ReadByte();
        if ((flags & ~KnownFlags) != 0)
        {
            throw new FormatException($"unknown flow flags 0x{flags:x2}");
        }

        var protocol = reader.ReadByte();
        if (kind is not (NetworkKind.Other or NetworkKind.IPv4 or NetworkKind.IPv6 or NetworkKind.Arp))
        {
            throw new FormatException($"unknown network kind {(byte)kind}");
        }

        var a = ReadAddress(ref reader, kind);
        var b = ReadAddress(ref reader, kind);
        var hasPorts = (flags & FlagHasPorts) != 0;
        ushort portA = 0;
        ushort portB = 0;
        if (hasPorts)
        {
            portA = reader.ReadUInt16BigEndian();
            portB = reader.ReadUInt16BigEndian();
        }

        var scale = (flags & FlagMicroseconds) != 0 ? 1000 : 1;
        var first = unchecked(segmentFirstNanoseconds + (reader.ReadSigned() * scale));
        var last = unchecked(first + (long)(reader.ReadVarint() * (ulong)scale));
        var packets = reader.ReadCount();
        var bytes = reader.ReadCount();
        var key = new FlowKey(kind, protocol, hasPorts, a, portA, b, portB);
        if ((flags & FlagPositionsExternal) != 0)
        {
            reader.ExpectEnd("flow record");
        }

        return new FlowHeader(key, first, last, packets, bytes, flags, reader.Offset);
    }

    private static void WriteAddress(ByteWriter writer, NetworkKind kind, UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        writer.WriteBytes(bytes[(16 - AddressWidth(kind))..]);
    }

    private static UInt128 ReadAddress(ref ByteReader reader, NetworkKind kind)
    {
        var width = AddressWidth(kind);
        if (width == 0)
        {
            return 0;
        }

        var bytes = reader.ReadBytes(width);
        return width == 4 ? IpAddress128.FromIPv4(bytes) : IpAddress128.FromIPv6(bytes);
    }
}
