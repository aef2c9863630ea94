using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Index.Search;

namespace Recorder.Index.Tests;

public sealed class RocksPacketIndexTests : IDisposable
{
    private static readonly FlowKey A = Net.Tcp4("10.0.0.1", 40000, "192.0.2.1", 443);
    private static readonly FlowKey B = Net.Tcp4("10.0.0.2", 40001, "192.0.2.1", 80);
    private static readonly FlowKey C = Net.Udp4("10.0.1.5", 53, "10.0.0.1", 5353);
    private static readonly FlowKey D = Net.Tcp6("2001:db8::1", 40002, "2001:db8:1::9", 443);
    private static readonly FlowKey E = Net.Icmp4("10.0.0.3", "198.51.100.7");
    private static readonly FlowKey F = Net.Icmp6("2001:db8::1", "2001:db8::2");
    private static readonly FlowKey G = Net.Arp("10.0.0.1", "10.0.0.254");
    private static readonly FlowKey H = FlowKey.Other;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Eight flows, interleaved; A and B early, E late, in the second half of the segment's time.</summary>
    internal static TestSegment Curated(long segmentId, long baseNanoseconds = Synthetic.BaseNanoseconds)
    {
        FlowKey[] order = [A, B, C, A, D, B, F, G, H, A, C, D, A, B, E, E, F, D, E, H];
        var packets = new List<(FlowKey, long, int)>();
        for (var i = 0; i < order.Length; i++)
        {
            var late = order[i] == E ? 1_000_000_000_000 : 0;
            packets.Add((order[i], baseNanoseconds + late + (i * 1_000_000L), 60 + (i * 13)));
        }

        return TestSegment.Build(segmentId, packets);
    }

    private static long[] PositionsOf(TestSegment segment, params FlowKey[] flows) =>
        [.. segment.Packets.Where(p => flows.Contains(p.Flow)).Select(p => p.Offset)];

    private RocksPacketIndex Writer() => RocksPacketIndex.OpenWriter(_temp.Sub("index"));

    private static long[] Only(IReadOnlyList<SegmentCandidates> candidates, long segmentId)
    {
        var one = Assert.Single(candidates);
        Assert.Equal(segmentId, one.SegmentId);
        Assert.Equal(one.Positions.Count, one.Packets);
        return [.. one.Positions];
    }

    [Theory]
    [InlineData("192.0.2.1", "AB")]
    [InlineData("10.0.0.1", "ACG")]
    [InlineData("10.0.0.254", "G")]
    [InlineData("10.0.0.0/24", "ABCEG")]
    [InlineData("10.0.1.0/24", "C")]
    [InlineData("10.0.0.0/8", "ABCEG")]
    [InlineData("0.0.0.0/0", "ABCEG")]
    [InlineData("198.51.100.7", "E")]
    [InlineData("2001:db8::1", "DF")]
    [InlineData("2001:db8:1::/48", "D")]
    [InlineData("2001:db8::/32", "DF")]
    [InlineData("::/0", "DF")]
    [InlineData("203.0.113.9", "")]
    [InlineData("::ffff:10.0.0.1", "")]
    public void FindCandidates_ByHostOrCidr_ReturnsExactlyThePositionsOfFlowsWithThatHost(string host, string expected)
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);

        var candidates = index.FindCandidates(new PacketQuery { Hosts = [Net.Network(host)] }, Net.Ids(1));

        var flows = expected.Select(Flow).ToArray();
        if (flows.Length == 0)
        {
            Assert.Empty(candidates);
        }
        else
        {
            Assert.Equal(PositionsOf(segment, flows), Only(candidates, 1));
        }
    }

    [Theory]
    [InlineData(new ushort[] { 443 }, "AD")]
    [InlineData(new ushort[] { 53 }, "C")]
    [InlineData(new ushort[] { 80, 5353 }, "BC")]
    [InlineData(new ushort[] { 0 }, "")]
    [InlineData(new ushort[] { 8080 }, "")]
    public void FindCandidates_ByPort_MatchesEitherEndpoint(ushort[] ports, string expected)
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);

        var candidates = index.FindCandidates(new PacketQuery { Ports = ports }, Net.Ids(1));

        AssertFlows(segment, candidates, expected);
    }

    [Theory]
    [InlineData(new byte[] { Protocols.Tcp }, "ABD")]
    [InlineData(new byte[] { Protocols.Udp }, "C")]
    [InlineData(new byte[] { Protocols.Icmp }, "E")]
    [InlineData(new byte[] { Protocols.Icmp6 }, "F")]
    [InlineData(new byte[] { Protocols.Icmp, Protocols.Icmp6 }, "EF")]
    [InlineData(new byte[] { 0 }, "")]
    public void FindCandidates_ByProtocol_CoversIpFlowsOnly(byte[] protocols, string expected)
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);

        var candidates = index.FindCandidates(new PacketQuery { Protocols = protocols }, Net.Ids(1));

        AssertFlows(segment, candidates, expected);
    }

    [Theory]
    [InlineData("192.0.2.1", 443, null, "A")]
    [InlineData("10.0.0.1", null, Protocols.Udp, "C")]
    [InlineData("10.0.0.0/16", 443, Protocols.Tcp, "A")]
    [InlineData("2001:db8::/32", 443, null, "D")]
    [InlineData("2001:db8::/32", 80, null, "")]
    [InlineData("10.0.0.1", 80, null, "")]
    public void FindCandidates_WithSeveralKinds_IntersectsThem(string host, int? port, byte? protocol, string expected)
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);
        var query = new PacketQuery
        {
            Hosts = [Net.Network(host)],
            Ports = port is null ? [] : [(ushort)port.Value],
            Protocols = protocol is null ? [] : [protocol.Value],
        };

        AssertFlows(segment, index.FindCandidates(query, Net.Ids(1)), expected);
    }

    [Fact]
    public void FindCandidates_WithSeveralHosts_UnitesThem()
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);

        var query = new PacketQuery { Hosts = [Net.Network("10.0.0.2"), Net.Network("2001:db8:1::9"), Net.Network("10.0.0.0/30")] };

        AssertFlows(segment, index.FindCandidates(query, Net.Ids(1)), "ABCDEG");
    }

    [Fact]
    public void FindCandidates_WithTimeWindow_LeavesOutFlowsOutsideIt()
    {
        var segment = Curated(1);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);
        var lateStart = new Timestamp(Synthetic.BaseNanoseconds + 1_000_000_000_000);

        var late = index.FindCandidates(new PacketQuery { Hosts = [Net.Network("10.0.0.0/8")], From = lateStart }, Net.Ids(1));
        var early = index.FindCandidates(new PacketQuery { Hosts = [Net.Network("10.0.0.0/8")], To = lateStart }, Net.Ids(1));

        Assert.Equal(PositionsOf(segment, E), Only(late, 1));
        Assert.Equal(PositionsOf(segment, A, B, C, G), Only(early, 1));
    }

    [Fact]
    public void FindCandidates_WithTimeWindow_LeavesOutChunksOfALongFlowOutsideIt()
    {
        // One flow over about 3 MiB: three time chunks, one second apart.
        var flow = Net.Tcp4("10.9.0.1", 5000, "10.9.0.2", 443);
        var packets = Enumerable.Range(0, 3000).Select(i => (flow, Synthetic.BaseNanoseconds + (i / 1000 * 1_000_000_000L) + i, 1000)).ToList();
        var segment = TestSegment.Build(1, packets);
        Assert.True(segment.Data.Chunks.Count >= 3);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);
        var query = new PacketQuery
        {
            Hosts = [Net.Network("10.9.0.1")],
            From = new Timestamp(Synthetic.BaseNanoseconds + 1_000_000_000),
            To = new Timestamp(Synthetic.BaseNanoseconds + 2_000_000_000),
        };

        var candidates = Only(index.FindCandidates(query, Net.Ids(1)), 1);

        var exact = segment.PacketLevelAnswer(query);
        var inOverlappingChunks = segment.Packets
            .Where(p => segment.Data.Chunks.Any(c => p.Offset >= c.Offset && p.Offset < c.EndOffset && query.Overlaps(c.MinNanoseconds, c.MaxNanoseconds)))
            .Select(p => p.Offset);
        Assert.Equal(1000, exact.Length);
        Assert.Subset(candidates.ToHashSet(), exact.ToHashSet());
        Assert.Equal(inOverlappingChunks, candidates);
        Assert.InRange(candidates.Length, 1000, 2100);
    }

    [Fact]
    public void FindCandidates_OverSeveralSegments_ReturnsEachSegmentInIdOrder_AndOnlyTheGivenOnes()
    {
        using var index = Writer();
        var one = Curated(1);
        var two = Curated(2, Synthetic.BaseNanoseconds + 5_000_000_000_000);
        var three = Synthetic.ForId(3);
        foreach (var s in new[] { three, one, two })
        {
            index.Add(s.Segment, s.Data);
        }

        var query = new PacketQuery { Hosts = [Net.Network("192.0.2.1")] };
        var all = index.FindCandidates(query, Net.Ids(1, 2, 3));
        var onlyTwo = index.FindCandidates(query, Net.Ids(2));
        var missing = index.FindCandidates(query, Net.Ids(4, 99));

        Assert.Equal([1L, 2L, 3L], all.Select(c => c.SegmentId));
        Assert.Equal(PositionsOf(one, A, B), all[0].Positions);
        Assert.Equal(PositionsOf(two, A, B), all[1].Positions);
        Assert.Equal(three.FlowLevelAnswer(query), all[2].Positions);
        Assert.Equal(PositionsOf(two, A, B), Only(onlyTwo, 2));
        Assert.Empty(missing);
        Assert.Empty(index.FindCandidates(query, new HashSet<long>()));
    }

    [Fact]
    public void FindCandidates_ForANeedle_ReadsOnlyWhatMatches_NotTheStore()
    {
        using var index = Writer();
        for (var id = 1; id <= 40; id++)
        {
            var s = Synthetic.ForId(id, packets: 600);
            index.Add(s.Segment, s.Data);
        }

        var needleFlow = Net.Tcp4("198.51.100.77", 51000, "10.0.0.1", 443);
        var needle = TestSegment.Build(41, [.. Synthetic.ForId(41, 600).Packets.Select(p => (p.Flow, p.Nanoseconds, 100)),
            (needleFlow, Synthetic.BaseNanoseconds + 999_000_000_000_000, 100)]);
        index.Add(needle.Segment, needle.Data);
        var all = Enumerable.Range(1, 41).Select(i => (long)i).ToHashSet();

        var hostAndPort = index.FindCandidates(new PacketQuery { Hosts = [Net.Network("198.51.100.77")], Ports = [443] }, all, out var needleWork);
        var portOnly = index.FindCandidates(new PacketQuery { Ports = [443] }, Net.Ids(7), out var restrictedWork);
        var portEverywhere = index.FindCandidates(new PacketQuery { Ports = [443] }, all, out var broadWork);

        Assert.Equal([needle.Packets[^1].Offset], Only(hostAndPort, 41));
        Assert.Equal(new SearchStatistics(PostingKeys: 1, Seeks: 1, FlowRecords: 1, Segments: 1), needleWork);
        Assert.Equal(7, Assert.Single(portOnly).SegmentId);
        Assert.Equal(1, restrictedWork.PostingKeys);
        Assert.Equal(1, restrictedWork.Segments);
        Assert.Equal(41, portEverywhere.Count);
        Assert.Equal(41, broadWork.PostingKeys);
    }

    [Fact]
    public void FindCandidates_WithAFrequentPort_ReadsOnlyFlowsThatPassTheOtherConditions()
    {
        using var index = Writer();
        var flows = Enumerable.Range(0, 2000).Select(i => Net.Tcp4("10.1.0.1", (ushort)(20000 + i), "10.2.0.1", 443)).ToList();
        var rare = Net.Tcp4("10.3.0.1", 33333, "10.2.0.1", 443);
        var packets = flows.Select((f, i) => (f, Synthetic.BaseNanoseconds + i, 100)).Append((rare, Synthetic.BaseNanoseconds + 5000, 100)).ToList();
        var segment = TestSegment.Build(1, packets);
        index.Add(segment.Segment, segment.Data);

        var result = index.FindCandidates(new PacketQuery { Hosts = [Net.Network("10.3.0.1")], Ports = [443] }, Net.Ids(1), out var work);
        var none = index.FindCandidates(new PacketQuery { Ports = [443], Protocols = [Protocols.Udp] }, Net.Ids(1), out var intersected);

        Assert.Equal(PositionsOf(segment, rare), Only(result, 1));
        Assert.Equal(1, work.FlowRecords);
        Assert.Empty(none);
        Assert.Equal(0, intersected.FlowRecords);
    }

    [Fact]
    public void FindCandidates_WithoutFlowConditions_IsRefused()
    {
        using var index = Writer();

        var e = Assert.Throws<ArgumentException>(() => index.FindCandidates(new PacketQuery { From = new Timestamp(1) }, Net.Ids(1)));
        Assert.Contains("no host, port or protocol", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ReturnsExactlyWhatWasAdded_AndNullForAnUnknownSegment()
    {
        var segment = Curated(7);
        using var index = Writer();
        index.Add(segment.Segment, segment.Data);

        var read = index.Read(7);

        Assert.NotNull(read);
        Assert.Empty(segment.Data.Differences(read));
        Assert.Equal(segment.Data.Chunks, index.Chunks(7));
        Assert.Equal(segment.Segment, Assert.Single(index.Segments()));
        Assert.Null(index.Read(8));
        Assert.Empty(index.Chunks(8));
    }

    [Fact]
    public void Add_SameSegmentAgain_ReplacesEveryOldEntry()
    {
        using var index = Writer();
        var old = Curated(5);
        index.Add(old.Segment, old.Data);
        var replacement = TestSegment.Build(5, [(Net.Udp4("10.7.7.7", 1234, "10.7.7.8", 999), Synthetic.BaseNanoseconds, 100)]);

        index.Add(replacement.Segment, replacement.Data);

        Assert.Empty(index.FindCandidates(new PacketQuery { Hosts = [Net.Network("192.0.2.1")] }, Net.Ids(5)));
        Assert.Empty(index.FindCandidates(new PacketQuery { Ports = [443] }, Net.Ids(5)));
        Assert.Empty(index.FindCandidates(new PacketQuery { Protocols = [Protocols.Tcp] }, Net.Ids(5)));
        Assert.Equal(replacement.Packets.Select(p => p.Offset), Only(index.FindCandidates(new PacketQuery { Ports = [999] }, Net.Ids(5)), 5));
        Assert.Empty(replacement.Data.Differences(index.Read(5)!));
        Assert.Equal(replacement.Segment, Assert.Single(index.Segments()));
    }

    [Fact]
    public void Remove_DeletesTheSegmentsEntries_AndLeavesOthers()
    {
        using var index = Writer();
        var one = Curated(1);
        var two = Curated(2);
        index.Add(one.Segment, one.Data);
        index.Add(two.Segment, two.Data);

        index.Remove(1);
        index.Remove(42);

        Assert.Null(index.Read(1));
        Assert.Empty(index.Chunks(1));
        Assert.Equal([2L], index.Segments().Select(s => s.SegmentId));
        var everything = new PacketQuery { Hosts = [Net.Network("0.0.0.0/0"), Net.Network("::/0")] };
        Assert.Equal(PositionsOf(two, A, B, C, D, E, F, G), Only(index.FindCandidates(everything, Net.Ids(1, 2)), 2));
        Assert.Empty(index.FindCandidates(new PacketQuery { Protocols = [Protocols.Tcp] }, Net.Ids(1)));
    }

    [Fact]
    public void Reopen_KeepsEverything()
    {
        var one = Curated(1);
        var two = Synthetic.ForId(2);
        using (var index = Writer())
        {
            index.Add(one.Segment, one.Data);
            index.Add(two.Segment, two.Data);
        }

        using (var reopened = Writer())
        {
            Assert.Equal([one.Segment, two.Segment], reopened.Segments());
            Assert.Empty(two.Data.Differences(reopened.Read(2)!));
            Assert.Equal(PositionsOf(one, A, D), Only(reopened.FindCandidates(new PacketQuery { Ports = [443] }, Net.Ids(1)), 1));
        }

        using var reader = RocksPacketIndex.OpenReader(_temp.Sub("index"));
        Assert.True(reader.IsReadOnly);
        Assert.Equal([one.Segment, two.Segment], reader.Segments());
        Assert.Empty(one.Data.Differences(reader.Read(1)!));
    }

    [Fact]
    public void Add_WithAFlowThatCannotBeStored_ThrowsAndStoresNothing()
    {
        using var index = Writer();
        var good = Curated(1);
        var badKey = new FlowKey(NetworkKind.IPv4, Protocols.Tcp, false, Net.V4("10.0.0.1"), 80, Net.V4("10.0.0.2"), 0);
        var bad = good.Data with { Flows = [.. good.Data.Flows, new FlowEntry(badKey, 0, 0, 1, 10, Varint.WriteDeltas([48]))] };
        var badCount = good.Data with { Flows = [good.Data.Flows[0] with { Packets = 99 }] };

        var e1 = Assert.Throws<ArgumentException>(() => index.Add(good.Segment, bad));
        var e2 = Assert.Throws<ArgumentException>(() => index.Add(good.Segment, badCount));
        var e3 = Assert.Throws<ArgumentException>(() => index.Add(good.Segment with { SegmentId = 0 }, good.Data));

        Assert.Contains("flow 8", e1.Message, StringComparison.Ordinal);
        Assert.Contains("ports set on a flow without ports", e1.Message, StringComparison.Ordinal);
        Assert.Contains("positions for 99 packets", e2.Message, StringComparison.Ordinal);
        Assert.Contains("not positive", e3.Message, StringComparison.Ordinal);
        Assert.Empty(index.Segments());
    }

    [Fact]
    public void SizeOnDisk_CountsEveryFileOfTheDirectory()
    {
        using var index = Writer();
        var segment = Synthetic.ForId(1, packets: 5000);
        index.Add(segment.Segment, segment.Data);
        index.Flush();

        // Background compaction may add or delete a file at any moment: compare a quiet moment.
        long reported = 0;
        long files = -1;
        for (var attempt = 0; attempt < 50 && reported != files; attempt++)
        {
            reported = index.SizeOnDisk();
            files = new DirectoryInfo(_temp.Sub("index")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            if (index.SizeOnDisk() != reported)
            {
                files = -1;
                Thread.Sleep(20);
            }
        }

        Assert.Equal(files, reported);
        Assert.True(files > segment.Data.Flows.Count * 4L, $"{files} bytes for {segment.Data.Flows.Count} flows");
    }

    [Fact]
    public void Reader_SeesSegmentsAddedAfterItOpened_OnlyAfterRefresh()
    {
        using var writer = Writer();
        var one = Curated(1);
        writer.Add(one.Segment, one.Data);
        using var reader = RocksPacketIndex.OpenReader(_temp.Sub("index"));
        var two = Curated(2);

        writer.Add(two.Segment, two.Data);
        var before = reader.Segments().Count;
        reader.Refresh();
        var after = reader.Segments().Count;

        Assert.Equal(1, before);
        Assert.Equal(2, after);
        Assert.Empty(two.Data.Differences(reader.Read(2)!));
        Assert.Throws<InvalidOperationException>(() => reader.Add(one.Segment, one.Data));
        Assert.Throws<InvalidOperationException>(() => reader.Remove(1));
    }

    [Fact]
    public void Dispose_OfAReader_DeletesItsSecondaryDirectory()
    {
        using (var writer = Writer())
        {
            var one = Curated(1);
            writer.Add(one.Segment, one.Data);
        }

        // Other tests and other processes open readers meanwhile: follow this reader's own directory.
        var reader = RocksPacketIndex.OpenReader(_temp.Sub("index"));
        var secondary = reader.SecondaryPath;
        Assert.NotNull(secondary);
        Assert.StartsWith(Path.GetTempPath(), secondary, StringComparison.Ordinal);
        Assert.True(Directory.Exists(secondary));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(secondary));

        reader.Dispose();

        Assert.False(Directory.Exists(secondary));
    }

    private static FlowKey Flow(char name) => name switch
    {
        'A' => A,
        'B' => B,
        'C' => C,
        'D' => D,
        'E' => E,
        'F' => F,
        'G' => G,
        _ => H,
    };

    private static void AssertFlows(TestSegment segment, IReadOnlyList<SegmentCandidates> candidates, string expected)
    {
        if (expected.Length == 0)
        {
            Assert.Empty(candidates);
            return;
        }

        Assert.Equal(PositionsOf(segment, [.. expected.Select(Flow)]), Only(candidates, segment.Segment.SegmentId));
    }
}
