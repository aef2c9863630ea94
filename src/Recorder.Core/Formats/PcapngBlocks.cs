using System.Buffers.Binary;
using System.Text;

namespace Recorder.Core.Formats;

/// <summary>
/// Encodes the pcapng blocks Recorder writes, always little-endian: section header, interface
/// description and enhanced packet blocks (draft-ietf-opsawg-pcapng §4.1, §4.2, §4.3).
/// </summary>
public static class PcapngBlocks
{
    /// <summary>Bytes an enhanced packet block adds around the packet data, before padding.</summary>
    public const int EnhancedPacketOverhead = 32;

    /// <summary>The size of the enhanced packet block for <paramref name="capturedLength"/> bytes of data.</summary>
    public static int EnhancedPacketSize(int capturedLength) => EnhancedPacketOverhead + ((capturedLength + 3) & ~3);

    /// <summary>A section header block with an <c>shb_userappl</c> option naming the writer.</summary>
    public static byte[] SectionHeader(string userApplication, string? comment = null)
    {
        using var body = new MemoryStream();
        Span<byte> fixedPart = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[4..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[8..], -1); // section length unknown
        body.Write(fixedPart);
        if (comment is not null)
        {
            WriteOption(body, 1, Encoding.UTF8.GetBytes(comment));
        }

        WriteOption(body, 4, Encoding.UTF8.GetBytes(userApplication));
        WriteEndOfOptions(body);
        return Frame(0x0A0D0D0A, body.ToArray());
    }

    /// <summary>An interface description block carrying the interface's resolution, offset and names.</summary>
    public static byte[] InterfaceDescription(CaptureInterface captureInterface, uint snapLength)
    {
        ArgumentNullException.ThrowIfNull(captureInterface);
        using var body = new MemoryStream();
        Span<byte> fixedPart = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, checked((ushort)captureInterface.LinkType));
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], snapLength);
        body.Write(fixedPart);
        if (captureInterface.Name is not null)
        {
            WriteOption(body, 2, Encoding.UTF8.GetBytes(captureInterface.Name));
        }

        if (captureInterface.Description is not null)
        {
            WriteOption(body, 3, Encoding.UTF8.GetBytes(captureInterface.Description));
        }

        if (captureInterface.TimestampResolution != TimestampResolution.Microseconds)
        {
            WriteOption(body, 9, [captureInterface.TimestampResolution]);
        }

        if (captureInterface.TimestampOffsetSeconds != 0)
        {
            var value = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(value, captureInterface.TimestampOffsetSeconds);
            WriteOption(body, 14, value);
        }

        WriteEndOfOptions(body);
        return Frame(1, body.ToArray());
    }

    /// <summary>Writes an enhanced packet block (no options) into <paramref name="destination"/>; returns its size.</summary>
    public static int WriteEnhancedPacket(Span<byte> destination, uint interfaceId, ulong ticks, uint originalLength, ReadOnlySpan<byte> data)
    {
        var total = EnhancedPacketSize(data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, 6);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)(ticks >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], unchecked((uint)ticks));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], originalLength);
        data.CopyTo(destination[28..]);
        var padEnd = total - 4;
        destination[(28 + data.Length)..padEnd].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination[padEnd..], (uint)total);
        return total;
    }

    private static void WriteOption(Stream body, ushort code, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, code);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], checked((ushort)value.Length));
        body.Write(header);
        body.Write(value);
        var pad = ((value.Length + 3) & ~3) - value.Length;
        for (var i = 0; i < pad; i++)
        {
            body.WriteByte(0);
        }
    }

    private static void WriteEndOfOptions(Stream body)
    {
        Span<byte> end = stackalloc byte[4];
        body.Write(end);
    }

    /// <summary>The Decryption Secrets Block's secrets type for a TLS key log in NSS format ("TLSK").</summary>
    public const uint TlsKeyLogSecrets = 0x544c534b;

    /// <summary>
    /// A Decryption Secrets Block (block type 0x0A, draft-ietf-opsawg-pcapng §4.7): the secrets'
    /// type, their length and the secrets padded to 32 bits, so that a reader (Wireshark, tshark)
    /// decrypts the packets after it with no further step.
    /// </summary>
    public static byte[] DecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets)
    {
        var body = new byte[8 + ((secrets.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, secretsType);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)secrets.Length);
        secrets.CopyTo(body.AsSpan(8));
        return Frame(0x0000000A, body);
    }

    private static byte[] Frame(uint type, byte[] body)
    {
        var total = 12 + body.Length;
        var block = new byte[total];
        BinaryPrimitives.WriteUInt32LittleEndian(block, type);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), (uint)total);
        body.CopyTo(block, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(total - 4), (uint)total);
        return block;
    }
}
