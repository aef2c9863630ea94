using System.Buffers.Binary;
using CsCheck;
using Recorder.Core.Formats;

namespace Recorder.Core.Tests.Formats;

public class CaptureRoundTripTests
{
    private static readonly Gen<(long Ts, byte[] Data, uint Extra)> PacketGen =
        Gen.Select(Gen.Long[0, 4_000_000_000L * 1_000_000_000L], Gen.Byte.Array[0, 300], Gen.UInt[0, 100]);

    [Fact]
    public void WriteThenRead_AnyPacketSequence_IsIdentical_Pcap()
    {
        PacketGen.Array[0, 40].Sample(packets =>
        {
            var read = RoundTrip(packets, CaptureFileFormat.Pcap);
            Assert.Equal(packets.Length, read.Count);
            for (var i = 0; i < packets.Length; i++)
            {
                Assert.Equal(packets[i].Ts, read[i].Ts);
                Assert.Equal(packets[i].Data, read[i].Data);
                Assert.Equal((uint)packets[i].Data.Length + packets[i].Extra, read[i].OriginalLength);
            }
        }, iter: 200);
    }

    [Fact]
    public void WriteThenRead_AnyPacketSequence_IsIdentical_Pcapng()
    {
        PacketGen.Array[0, 40].Sample(packets =>
        {
            var read = RoundTrip(packets, CaptureFileFormat.Pcapng);
            Assert.Equal(packets.Length, read.Count);
            for (var i = 0; i < packets.Length; i++)
            {
                Assert.Equal(packets[i].Ts, read[i].Ts);
                Assert.Equal(packets[i].Data, read[i].Data);
            }
        }, iter: 200);
    }

    [Fact]
    public void Read_BadMagic_FailsAtOffsetZero()
    {
        var e = Assert.Throws<CaptureFormatException>(() => Read(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.Equal(0, e.Offset);
        Assert.Contains("bad magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedLastRecord_FailsUnlessAccepted_AndSaysWhatWasCut()
    {
        var file = Write([(1_000_000_000L, new byte[100], 0u), (2_000_000_000L, new byte[100], 0u)], CaptureFileFormat.Pcap);
        var cut = file.AsSpan(0, file.Length - 10).ToArray();

        var e = Assert.Throws<CaptureFormatException>(() => Read(cut));
        Assert.Equal(24 + 116, e.Offset);

        using var reader = CaptureFileReader.Open(new MemoryStream(cut), "cut.pcap", acceptTruncated: true);
        var count = 0;
        while (reader.TryRead(out _))
        {
            count++;
        }

        Assert.Equal(1, count);
        Assert.Equal(new TruncatedTail(24 + 116, 106, 116), reader.Truncation);
    }

    [Fact]
    public void Read_RecordLongerThan256KiB_IsRefused()
    {
        var file = Write([(1L, new byte[10], 0u)], CaptureFileFormat.Pcap);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 8), 262_145);

        var e = Assert.Throws<CaptureFormatException>(() => Read(file));
        Assert.Contains("256 KiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PcapngBlockWithMismatchedTrailer_IsBroken()
    {
        var file = Write([(1L, new byte[10], 0u)], CaptureFileFormat.Pcapng);
        file[^1] ^= 0x01;

        var e = Assert.Throws<CaptureFormatException>(() => Read(file));
        Assert.Contains("broken pcapng block", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BigEndianMicrosecondPcap_ConvertsToNanoseconds()
    {
        var file = new byte[24 + 16 + 4];
        BinaryPrimitives.WriteUInt32BigEndian(file, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(24), 1_700_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(28), 123_456);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(32), 4);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(36), 60);

        var packets = Read(file);

        Assert.Single(packets);
        Assert.Equal(1_700_000_000_123_456_000L, packets[0].Ts);
        Assert.Equal(60u, packets[0].OriginalLength);
    }

    private static List<(long Ts, byte[] Data, uint OriginalLength)> RoundTrip((long Ts, byte[] Data, uint Extra)[] packets, CaptureFileFormat format) =>
        Read(Write(packets, format));

    private static byte[] Write(IEnumerable<(long Ts, byte[] Data, uint Extra)> packets, CaptureFileFormat format)
    {
        using var output = new MemoryStream();
        using (var writer = new CaptureWriter(output, format, "test"))
        {
            writer.WriteHeader(1);
            foreach (var (ts, data, extra) in packets)
            {
                writer.Write(1, ts, (uint)data.Length + extra, data);
            }
        }

        return output.ToArray();
    }

    private static List<(long Ts, byte[] Data, uint OriginalLength)> Read(byte[] file)
    {
        using var reader = CaptureFileReader.Open(new MemoryStream(file), "test");
        var result = new List<(long, byte[], uint)>();
        while (reader.TryRead(out var packet))
        {
            result.Add((packet.TimestampNanoseconds, packet.Data.ToArray(), packet.OriginalLength));
        }

        return result;
    }
}
