using CsCheck;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;

namespace Recorder.Core.Tests.Indexing;

/// <summary>
/// The open segment's index state is bounded by spilling sorted runs and merging them: the result
/// must be exactly the index of the same packets built in memory, and no temporary file may remain.
/// </summary>
public sealed class SegmentIndexBuilderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recorder-index-builder").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>One packet: which flow of a small pool, the gap before its block, its block size, time and captured length.</summary>
    private readonly record struct Packet(int Flow, int Gap, int Size, long Time, int Captured);

    private static readonly Gen<Packet> AnyPacket =
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 3], Gen.Int[32, 400_000], Gen.Long[-1_000_000, 1_000_000], Gen.Int[0, 1500])
            .Select((flow, gap, size, time, captured) => new Packet(flow, gap, size, time, captured));

    [Fact]
    public void Build_WithATinySpillBound_EqualsTheIndexBuiltInMemory()
    {
        var spilled = 0;
        Gen.Select(AnyPacket.List[0, 400], Gen.Long[1, 6000]).Sample((packets, limit) =>
        {
            // Samples run on several threads: each spills into a directory of its own.
            var directory = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N"))).FullName;
            var inMemory = new SegmentIndexBuilder();
            var spilling = new SegmentIndexBuilder(Path.Combine(directory, "000001.index"), limit);
            Feed(packets, inMemory, spilling);
            var runs = spilling.SpilledRuns;

            var expected = inMemory.Build();
            var actual = spilling.Build();

            AssertSame(expected, actual);
            AssertSameFlows(Model(packets), expected);
            Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
            spilled += runs > 1 ? 1 : 0;
        }, iter: 300);
        Assert.True(spilled > 100, $"only {spilled} of 300 samples spilled more than one run");
    }

    [Fact]
    public void Finish_AfterManyRuns_StreamsFromOneFileThatDisposingDeletes()
    {
        // Three flows interleaved over many runs and many time chunks; 80 bytes spill every packet or two.
        var packets = Enumerable.Range(0, 6000).Select(i => new Packet(i % 3 == 2 ? i % 7 : i % 3, 0, 1000 + (i % 5) * 700, (i * 7919L) % 100_000, 60 + i % 1400)).ToList();
        var path = NewSpillPath();
        var inMemory = new SegmentIndexBuilder();
        var spilling = new SegmentIndexBuilder(path, 80);
        Feed(packets, inMemory, spilling);
        Assert.True(spilling.SpilledRuns > 1000, $"{spilling.SpilledRuns} runs");

        var source = spilling.Finish();

        var file = Assert.IsType<SegmentIndexFile>(source);
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_directory));
        var expected = inMemory.Build();
        Assert.True(expected.Chunks.Count > 5, $"{expected.Chunks.Count} chunks");
        Assert.True(expected.Flows.Count(f => f.Packets >= 1000) >= 2, "flows spanning many runs");
        AssertSame(expected, new SegmentIndexData(source.ReadFlows().ToList(), source.Chunks));
        AssertSame(expected, new SegmentIndexData(source.ReadFlows().ToList(), source.Chunks));
        file.Dispose();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void Finish_BelowTheBound_KeepsEverythingInMemoryAndWritesNothing()
    {
        var builder = new SegmentIndexBuilder(NewSpillPath());
        Feed(Enumerable.Range(0, 1000).Select(i => new Packet(i % 10, 0, 100, i, 60)).ToList(), builder);

        var source = builder.Finish();

        Assert.Equal(0, builder.SpilledRuns);
        Assert.Equal(10, Assert.IsType<SegmentIndexData>(source).Flows.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void Add_HoldsNoMoreThanItsBound_WhateverTheNumberOfFlows()
    {
        const long limit = 64 * 1024;
        var builder = new SegmentIndexBuilder(NewSpillPath(), limit);
        var maximum = 0L;
        for (var i = 0; i < 50_000; i++)
        {
            builder.Add(Key(i), i * 100L, i * 100L + 100, i, 60);
            maximum = Math.Max(maximum, builder.MemoryEstimate);
        }

        Assert.True(maximum <= limit + 1024, $"held {maximum} bytes with a bound of {limit}");
        Assert.True(builder.SpilledRuns > 100, $"{builder.SpilledRuns} runs");
        Assert.Equal(50_000, builder.Build().Flows.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void Dispose_BeforeFinish_RemovesTheRuns()
    {
        var builder = new SegmentIndexBuilder(NewSpillPath(), 100);
        Feed(Enumerable.Range(0, 500).Select(i => new Packet(i % 20, 0, 100, i, 60)).ToList(), builder);
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(_directory));

        builder.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void Finish_WhenARunIsDamaged_FailsAndRemovesEveryTemporary()
    {
        var path = NewSpillPath();
        var builder = new SegmentIndexBuilder(path, 100);
        Feed(Enumerable.Range(0, 500).Select(i => new Packet(i % 20, 0, 100, i, 60)).ToList(), builder);
        var run = Directory.EnumerateFiles(_directory).Order(StringComparer.Ordinal).First();
        File.WriteAllBytes(run, File.ReadAllBytes(run)[..40]);

        Assert.Throws<InvalidDataException>(() => builder.Finish());

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void Finish_WhenTheMergedFileCannotBeCreated_FailsRemovesTheRunsAndLeavesTheOtherFile()
    {
        var path = NewSpillPath();
        var builder = new SegmentIndexBuilder(path, 100);
        Feed(Enumerable.Range(0, 500).Select(i => new Packet(i % 20, 0, 100, i, 60)).ToList(), builder);
        File.WriteAllText(path, "not ours");

        Assert.Throws<IOException>(() => builder.Finish());

        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_directory));
        Assert.Equal("not ours", File.ReadAllText(path));
    }

    [Fact]
    public void Differences_MatchFlowsByKey_SoAnIndexInFirstPacketOrderStillAgrees()
    {
        var builder = new SegmentIndexBuilder();
        Feed(Enumerable.Range(0, 300).Select(i => new Packet(29 - (i % 30), 0, 100, i, 60)).ToList(), builder);
        var derived = builder.Build();
        var firstPacketOrder = derived with { Flows = derived.Flows.OrderBy(f => Varint.ReadDeltas(f.Positions)[0]).ToList() };
        Assert.NotEqual(derived.Flows.Select(f => f.Key), firstPacketOrder.Flows.Select(f => f.Key));

        Assert.Empty(derived.Differences(firstPacketOrder));

        var altered = firstPacketOrder with { Flows = [.. firstPacketOrder.Flows.Skip(1), firstPacketOrder.Flows[0] with { Packets = 99 }] };
        Assert.Single(derived.Differences(altered));
    }

    private string NewSpillPath() => Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".index");

    /// <summary>Flow 40 is the undecoded flow, every fifth an IPv6 one, the rest IPv4 (so keys of every kind are ordered).</summary>
    private static FlowKey Key(int flow) => flow switch
    {
        40 => FlowKey.Other,
        _ when flow % 5 == 4 => new(NetworkKind.IPv6, 17, true, (UInt128)flow << 64, 53, ((UInt128)flow << 64) + 1, (ushort)flow),
        _ => new(NetworkKind.IPv4, 6, true, IpAddress128.V4MappedPrefix | (0x0A000000u + (uint)(flow % 7)), (ushort)(1000 + flow), IpAddress128.V4MappedPrefix | (0x0B000000u + (uint)flow), 80),
    };

    private static void Feed(IReadOnlyList<Packet> packets, params SegmentIndexBuilder[] builders)
    {
        var offset = 48L;
        foreach (var packet in packets)
        {
            offset += packet.Gap * 4;
            foreach (var builder in builders)
            {
                builder.Add(Key(packet.Flow), offset, offset + packet.Size, packet.Time, packet.Captured);
            }

            offset += packet.Size;
        }
    }

    /// <summary>The index of <paramref name="packets"/> computed directly: per key, sorted by key.</summary>
    private static SegmentIndexData Model(IReadOnlyList<Packet> packets)
    {
        var offset = 48L;
        var placed = new List<(Packet Packet, long Offset)>();
        foreach (var packet in packets)
        {
            offset += packet.Gap * 4;
            placed.Add((packet, offset));
            offset += packet.Size;
        }

        var flows = placed.GroupBy(p => Key(p.Packet.Flow))
            .Select(g => new FlowEntry(g.Key, g.Min(p => p.Packet.Time), g.Max(p => p.Packet.Time), g.Count(), g.Sum(p => (long)p.Packet.Captured),
                Varint.WriteDeltas(g.Select(p => p.Offset))))
            .Order(Comparer<FlowEntry>.Create((x, y) => FlowKeyOrder.CompareKeys(x.Key, y.Key)))
            .ToList();
        return new SegmentIndexData(flows, []);
    }

    private static void AssertSame(SegmentIndexData expected, SegmentIndexData actual)
    {
        AssertSameFlows(expected, actual);
        Assert.Equal(expected.Chunks, actual.Chunks);
    }

    private static void AssertSameFlows(SegmentIndexData expected, SegmentIndexData actual)
    {
        Assert.Equal(expected.Flows.Count, actual.Flows.Count);
        for (var i = 0; i < expected.Flows.Count; i++)
        {
            Assert.True(expected.Flows[i].SameAs(actual.Flows[i]), $"flow {i}: {expected.Flows[i]} vs {actual.Flows[i]}");
        }
    }
}
