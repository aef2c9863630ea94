using System.Buffers.Binary;
using CsCheck;
using Recorder.Core.Formats;
using Recorder.Core.Query;
using Recorder.Storage.Import;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Import;

public class ImportTests
{
    [Theory]
    [InlineData(CaptureFileFormat.Pcap)]
    [InlineData(CaptureFileFormat.Pcapng)]
    public void Import_ThenQueryAll_ReturnsExactlyTheSamePacketsInTheSameOrder(CaptureFileFormat format)
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(500);
        var input = store.WriteCapture("in.cap", packets, format);

        var result = store.Import(input);
        var back = store.QueryPackets(PacketQuery.All);

        Assert.Equal(500, result.Packets);
        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(back));
        Assert.Equal(CaptureFiles.Sha256(input), result.Files[0].Source.Sha256);
        Assert.Equal(new FileInfo(input).Length, result.Files[0].Source.Bytes);
    }

    [Theory]
    [InlineData(CaptureFileFormat.Pcap)]
    [InlineData(CaptureFileFormat.Pcapng)]
    public void Import_ThroughASymbolicLink_ImportsTheFileItNamesAndRecordsItsPath(CaptureFileFormat format)
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(300);
        var input = store.WriteCapture("in.cap", packets, format);
        var link = Path.Combine(Path.GetDirectoryName(input)!, "link-to-in.cap");
        File.CreateSymbolicLink(link, input);

        var result = store.Import(link);

        Assert.Equal(300, result.Packets);
        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
        Assert.Equal(CaptureFiles.Sha256(input), result.Files[0].Source.Sha256);
        Assert.Equal(new FileInfo(input).Length, result.Files[0].Source.Bytes);
        Assert.Equal(Path.GetFullPath(input), result.Files[0].Source.Path);
    }

    [Fact]
    public void Import_AnyPacketSequence_RoundTripsExactly()
    {
        var packetGen = Gen.Select(Gen.Long[0, 4_000_000_000L * 1_000_000_000L], Gen.Byte.Array[0, 200], Gen.Int[0, 2], Gen.UInt[0, 50])
            .Select(t => new TestPacket(t.Item3 switch { 0 => 1, 1 => 101, _ => 113 }, t.Item1, (uint)t.Item2.Length + t.Item4, t.Item2));
        packetGen.Array[1, 30].Sample(packets =>
        {
            using var store = new TestStore();
            var input = store.WriteCapture("in.pcapng", packets, CaptureFileFormat.Pcapng);
            store.Import(input);
            var back = store.QueryPackets(PacketQuery.All);

            // Packets come back in capture-time order; within one link type (one segment) the file's order is kept.
            Assert.Equal(packets.Length, back.Count);
            Assert.Equal(CaptureFiles.Digest(OrderLikeStore(packets)).Digest, CaptureFiles.Digest(back).Digest);
        }, iter: 15, threads: 1);
    }

    [Fact]
    public void Import_WithSmallSegmentLimit_SealsSeveralChainedSignedSegments()
    {
        using var store = new TestStore(new StoreOptions { SegmentMaxBytes = 64 * 1024 });
        var packets = Traffic.Mixed(2000);
        var input = store.WriteCapture("in.pcap", packets);

        var result = store.Import(input);

        Assert.True(result.Segments.Count >= 3, $"{result.Segments.Count} segments");
        Assert.All(result.Segments, s => Assert.True(s.Manifest.Bytes <= 64 * 1024));
        Assert.Equal(SegmentManifest.GenesisHash, result.Segments[0].Manifest.PreviousManifestSha256);
        for (var i = 1; i < result.Segments.Count; i++)
        {
            Assert.Equal(result.Segments[i - 1].ManifestSha256, result.Segments[i].Manifest.PreviousManifestSha256);
            Assert.Equal(result.Segments[i - 1].Id + 1, result.Segments[i].Id);
        }

        Assert.Equal(2000, result.Segments.Sum(s => s.Manifest.Packets));
        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
        Assert.True(new StoreVerifier(store.Store).Verify().Passed);
    }

    [Fact]
    public void Import_PcapngWithSeveralLinkTypes_SealsOneSegmentPerLinkType_EachReadableAsOneLinkType()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(30)
            .Select((p, i) => i % 3 == 0 ? p with { LinkType = 101, Data = p.Data[14..], OriginalLength = p.OriginalLength - 14 } : p)
            .ToList();
        var input = store.WriteCapture("mixed.pcapng", packets, CaptureFileFormat.Pcapng);

        var result = store.Import(input);
        var (output, _) = store.Query(PacketQuery.All);

        Assert.Equal([1, 101], result.Segments.Select(s => s.Manifest.LinkType).Order().ToArray());
        Assert.Equal(CaptureFileFormat.Pcapng, output.Format);
        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(CaptureFiles.Read(output.Path)));
        foreach (var segment in result.Segments)
        {
            Assert.All(CaptureFiles.Read(segment.Path), p => Assert.Equal(segment.Manifest.LinkType, p.LinkType));
        }
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> MalformedCases() => new()
    {
        { "bad magic", bytes => { bytes[0] = 0x42; return bytes; }, "bad magic" },
        { "truncated file header", bytes => bytes[..10], "truncated pcap file header" },
        { "truncated record header", bytes => bytes[..(24 + 8)], "truncated record header" },
        { "truncated record", bytes => bytes[..^5], "truncated record" },
        { "record over 256 KiB", bytes => { BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 8), 300_000); return bytes; }, "256 KiB" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Import_MalformedPcap_IsRefusedWithTheOffset_AndLeavesNothingBehind(string name, Func<byte[], byte[]> damage, string expected)
    {
        using var store = new TestStore();
        var good = store.WriteCapture("good.pcap", Traffic.Mixed(20));
        var bad = store.File("bad.pcap");
        File.WriteAllBytes(bad, damage(File.ReadAllBytes(store.WriteCapture("source.pcap", Traffic.Mixed(20)))));

        var error = Assert.Throws<CaptureFormatException>(() => store.Import(good, bad));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(bad, error.File);
        AssertNothingStored(store, name);
    }

    [Fact]
    public void Import_BrokenPcapngBlock_IsRefused_AndLeavesNothingBehind()
    {
        using var store = new TestStore();
        var input = store.WriteCapture("in.pcapng", Traffic.Mixed(20), CaptureFileFormat.Pcapng);
        var bytes = File.ReadAllBytes(input);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(input, bytes);

        var error = Assert.Throws<CaptureFormatException>(() => store.Import(input));

        Assert.Contains("broken pcapng block", error.Message, StringComparison.Ordinal);
        AssertNothingStored(store, "broken block");
    }

    [Fact]
    public void Import_TruncatedFileWithAcceptTruncated_KeepsCompleteRecords_AndRecordsTheCut()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(20);
        var full = store.WriteCapture("full.pcap", packets);
        var cut = store.File("cut.pcap");
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(cut, bytes[..^7]);

        var result = store.Import(new ImportOptions { AcceptTruncated = true }, cut);

        Assert.Equal(19, result.Packets);
        var truncation = result.Files[0].Source.Truncation!;
        Assert.Equal(bytes.Length - (16 + packets[^1].Data.Length), truncation.Offset);
        Assert.Equal(16 + packets[^1].Data.Length, truncation.ExpectedBytes);
        Assert.Equal(16 + packets[^1].Data.Length - 7, truncation.AvailableBytes);
        Assert.Equal(CaptureFiles.Digest(packets.Take(19)), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
        var origin = result.Segments[0].Manifest.Origin["source"]!["truncated"]!;
        Assert.Equal(truncation.Offset, origin["offset"]!.GetValue<long>());
    }

    [Fact]
    public void Import_PacketsWithBadChecksumsAndGarbageHeaders_AreStoredAsTheyAre()
    {
        using var store = new TestStore();
        var garbage = new byte[] { 0x45, 0x00, 0x00, 0xFF, 0xDE, 0xAD, 0xBE, 0xEF };
        var frame = Frames.Tcp("10.9.9.9", 1, "10.9.9.8", 2, 10);
        frame[^1] ^= 0x55; // the TCP checksum no longer matches
        List<TestPacket> packets = [new(1, Traffic.Start, 60, garbage), new(1, Traffic.Start + 1, (uint)frame.Length, frame), new(1, Traffic.Start + 2, 0, [])];
        var input = store.WriteCapture("odd.pcap", packets);

        store.Import(input);

        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
    }

    [Fact]
    public void Import_EmptyCapture_RecordsTheFile_AndSealsNothing()
    {
        using var store = new TestStore();
        var input = store.WriteCapture("empty.pcap", []);

        var result = store.Import(input);

        Assert.Equal(0, result.Packets);
        Assert.Empty(result.Segments);
        Assert.Equal(CaptureFiles.Sha256(input), result.Files[0].Source.Sha256);
    }

    internal static void AssertNothingStored(TestStore store, string because)
    {
        Assert.True(store.Store.ListSegments().Count == 0, $"{because}: segments were sealed");
        var open = store.Store.Layout.OpenDirectory;
        Assert.True(!Directory.Exists(open) || Directory.GetFileSystemEntries(open).Length == 0, $"{because}: open sessions left behind");
        var segmentFiles = Directory.Exists(store.Store.Layout.SegmentsDirectory)
            ? Directory.GetFiles(store.Store.Layout.SegmentsDirectory, "*", SearchOption.AllDirectories)
            : [];
        Assert.True(segmentFiles.Length == 0, $"{because}: files left in segments/: {string.Join(", ", segmentFiles)}");
        using var index = store.Store.OpenIndexReader();
        Assert.True(index is null || index.Segments().Count == 0, $"{because}: index entries left behind");
    }

    /// <summary>The store's output order: per link type in file order, merged by timestamp (ties by first segment).</summary>
    private static List<TestPacket> OrderLikeStore(TestPacket[] packets)
    {
        var lanes = packets.GroupBy(p => p.LinkType).Select(g => new Queue<TestPacket>(g)).ToList();
        var order = lanes.OrderBy(l => l.Min(p => p.Nanoseconds)).ToList();
        var result = new List<TestPacket>();
        while (order.Any(l => l.Count > 0))
        {
            var next = order.Where(l => l.Count > 0).MinBy(l => l.Peek().Nanoseconds)!;
            result.Add(next.Dequeue());
        }

        return result;
    }
}
