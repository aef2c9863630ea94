using System.Buffers.Binary;
using CsCheck;
using Recorder.Core.Formats;

namespace Recorder.Core.Tests.Formats;

/// <summary>
/// Hostile headers and timestamps: every file either reads with exact times or fails with a
/// <see cref="CaptureFormatException"/> naming the file and the record's offset; nothing overflows
/// into an unnamed <see cref="OverflowException"/>.
/// </summary>
public sealed class CaptureFileReaderBadInputTests
{
    private const string FileName = "hostile.pcapng";

    /// <summary>The offset of the enhanced packet block in <see cref="Pcapng"/>'s output: after the SHB (28) and the IDB (20 + options).</summary>
    private static long PacketOffset(byte[] file) => file.Length - 36;

    [Theory]
    [InlineData((byte)0x80, 1UL << 40, 0L)] // 2^-0 s per tick: 2^40 s is far past 2262
    [InlineData((byte)0, 10_000_000_000UL, 0L)] // 10^-0: ten billion seconds
    [InlineData(TimestampResolution.Microseconds, ulong.MaxValue, 0L)] // the pcapng default resolution, largest tick count
    [InlineData(TimestampResolution.Nanoseconds, 1UL, long.MaxValue)] // if_tsoffset alone overflows
    [InlineData(TimestampResolution.Nanoseconds, 0UL, -10_000_000_000L)] // before 1677
    public void Read_TimestampOutOfRange_FailsNamingFileAndOffset(byte resolution, ulong ticks, long tsOffset)
    {
        var file = Pcapng(resolution, tsOffset, ticks);

        var e = Assert.Throws<CaptureFormatException>(() => ReadAll(file));

        Assert.Equal(FileName, e.File);
        Assert.Equal(PacketOffset(file), e.Offset);
        Assert.Contains($"{FileName}: offset {PacketOffset(file)}: timestamp out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AnyResolutionTicksAndOffset_GivesTheExactTimeOrANamedFormatError()
    {
        var resolutions = Gen.OneOf(Gen.Byte[0, 19], Gen.Byte[0x80, 0x80 + 63]);
        var offsets = Gen.OneOf(Gen.Long, Gen.Long[-4_000_000_000L, 4_000_000_000L]);
        var ticks = Gen.OneOf(Gen.ULong, Gen.ULong[0, 1UL << 34]);
        Gen.Select(resolutions, ticks, offsets).Sample((resolution, tick, offset) =>
        {
            var file = Pcapng(resolution, offset, tick);
            var exact = Exact(tick, resolution, offset);
            if (exact >= long.MinValue && exact <= long.MaxValue)
            {
                Assert.Equal((long)exact, Assert.Single(ReadAll(file)));
            }
            else
            {
                var e = Assert.Throws<CaptureFormatException>(() => ReadAll(file));
                Assert.Equal(PacketOffset(file), e.Offset);
            }
        }, iter: 300);
    }

    [Theory]
    [InlineData(0x00000001u, 1, null)]
    [InlineData(0x04000001u, 1, null)] // libpcap's LT_FCS_DATALINK_EXT flag (bit 26): reserved in the pcap spec, ignored
    [InlineData(0x0FFF0069u, 105, null)] // every reserved bit set
    [InlineData(0x30000001u, 1, 2)] // F set, one 16-bit word of FCS
    [InlineData(0x50000001u, 1, 4)] // F set, two words: a 32-bit Ethernet CRC
    [InlineData(0xE0000001u, 1, null)] // FCS bits without F mean nothing
    public void Read_PcapLinkFieldUpperBits_AreReadNotRefused(uint field, int linkType, int? fcsLength)
    {
        var file = new byte[24 + 16 + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(file, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), field);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), 1_700_000_000);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(32), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(36), 4);

        using var reader = CaptureFileReader.Open(new MemoryStream(file), "fcs.pcap");
        Assert.True(reader.TryRead(out var packet));

        Assert.Equal(linkType, packet.Interface.LinkType);
        Assert.Equal(fcsLength, packet.Interface.FcsLength);
    }

    private static Int128 Exact(ulong ticks, byte resolution, long offsetSeconds)
    {
        // The definition, computed independently: ticks * 10^9 / (10^n or 2^n), truncated, plus the offset.
        var divisor = (resolution & 0x80) != 0 ? (Int128)1 << (resolution & 0x7F) : Int128.Parse("1" + new string('0', resolution), System.Globalization.CultureInfo.InvariantCulture);
        return ((Int128)ticks * 1_000_000_000 / divisor) + ((Int128)offsetSeconds * 1_000_000_000);
    }

    private static List<long> ReadAll(byte[] file)
    {
        using var reader = CaptureFileReader.Open(new MemoryStream(file), FileName);
        var times = new List<long>();
        while (reader.TryRead(out var packet))
        {
            times.Add(packet.TimestampNanoseconds);
        }

        return times;
    }

    /// <summary>A little-endian pcapng file: a section header, one Ethernet interface with if_tsresol and if_tsoffset, one 4-byte packet.</summary>
    private static byte[] Pcapng(byte resolution, long tsOffset, ulong ticks)
    {
        using var output = new MemoryStream();
        void U32(uint value) => output.Write(BitConverter.GetBytes(value));
        void U16(ushort value) => output.Write(BitConverter.GetBytes(value));

        U32(0x0A0D0D0A); U32(28); U32(0x1A2B3C4D); U16(1); U16(0); output.Write(BitConverter.GetBytes(-1L)); U32(28);

        U32(1); U32(20 + 8 + 12 + 4); U16(1); U16(0); U32(0);
        U16(9); U16(1); output.Write([resolution, 0, 0, 0]);
        U16(14); U16(8); output.Write(BitConverter.GetBytes(tsOffset));
        U32(0);
        U32(20 + 8 + 12 + 4);

        U32(6); U32(36); U32(0); U32((uint)(ticks >> 32)); U32(unchecked((uint)ticks)); U32(4); U32(4); U32(0xDEADBEEF); U32(36);
        return output.ToArray();
    }
}
