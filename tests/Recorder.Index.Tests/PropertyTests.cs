using CsCheck;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;

namespace Recorder.Index.Tests;

public sealed class PropertyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FindCandidates_ForAnyFlowsAndQuery_EqualsTheBruteForceAnswer()
    {
        using var index = RocksPacketIndex.OpenWriter(_temp.Sub("index"));
        long nextId = 0;
        Gen.Select(Synthetic.Packets, Synthetic.Packets, Synthetic.Query).Sample((first, second, query) =>
        {
            // CsCheck samples on several threads at once: the index is shared on purpose.
            TestSegment[] segments = [Synthetic.Segment(Interlocked.Increment(ref nextId), first), Synthetic.Segment(Interlocked.Increment(ref nextId), second)];
            foreach (var s in segments)
            {
                index.Add(s.Segment, s.Data);
            }

            var candidates = index.FindCandidates(query, segments.Select(s => s.Segment.SegmentId).ToHashSet());

            Assert.Equal(candidates.Select(c => c.SegmentId).Order(), candidates.Select(c => c.SegmentId));
            foreach (var s in segments)
            {
                var found = candidates.SingleOrDefault(c => c.SegmentId == s.Segment.SegmentId)?.Positions ?? [];
                var flowLevel = s.FlowLevelAnswer(query);
                if (query.From is null && query.To is null)
                {
                    Assert.Equal(flowLevel, found);
                }
                else
                {
                    // Within the flows overlapping the window, chunks outside it may be left out; no packet in it may.
                    Assert.Subset(flowLevel.ToHashSet(), found.ToHashSet());
                    Assert.Superset(s.PacketLevelAnswer(query).ToHashSet(), found.ToHashSet());
                    Assert.Equal(found.Order(), found);
                }
            }
        }, iter: 300);
    }

    /// <summary>Flows as any caller could build them, not only the segment builder: odd offsets, any times.</summary>
    private static readonly Gen<FlowEntry> AnyFlow =
        Gen.Select(Synthetic.Flow, Gen.Long, Gen.Long[0, long.MaxValue / 4], Gen.Long[0, 1L << 40].Array[0, 40], Gen.Long[0, long.MaxValue])
            .Select((key, first, span, offsets, bytes) =>
            {
                Array.Sort(offsets);
                return new FlowEntry(key, first, unchecked(first + span) < first ? first : first + span, offsets.Length, bytes, Varint.WriteDeltas(offsets));
            });

    private static readonly Gen<TimeChunk> AnyChunk =
        Gen.Select(Gen.Long, Gen.Long, Gen.Long, Gen.Long, Gen.Int[0, int.MaxValue])
            .Select((offset, end, min, max, packets) => new TimeChunk(offset, end, min, max, packets));

    [Fact]
    public void Read_ForAnyData_ReturnsWhatWasAdded_WhateverTheStorageOptions()
    {
        RocksIndexOptions[] variants =
        [
            RocksIndexOptions.Default,
            new() { InlinePositionsLimit = 0, QuarterPositions = false, Compression = IndexCompression.None },
            new() { InlinePositionsLimit = 1_048_576, Compression = IndexCompression.Lz4 },
        ];
        var indexes = variants.Select((o, i) => RocksPacketIndex.OpenWriter(_temp.Sub($"index{i}"), o)).ToList();
        try
        {
            long nextId = 0;
            Gen.Select(Gen.OneOf(Synthetic.Packets.Select(p => Synthetic.Segment(1, p).Data),
                    Gen.Select(AnyFlow.List[0, 20], AnyChunk.List[0, 5]).Select((f, c) => new SegmentIndexData(f, c))),
                    Gen.Long, Gen.Long[0, long.MaxValue])
                .Sample((data, first, fileBytes) =>
                {
                    var id = Interlocked.Increment(ref nextId);
                    var segment = new IndexedSegment(id, first, unchecked(first + 1), data.Flows.Sum(f => f.Packets), fileBytes, $"manifest-{id}");
                    foreach (var index in indexes)
                    {
                        index.Add(segment, data);
                        var read = index.Read(segment.SegmentId);
                        Assert.NotNull(read);
                        Assert.Empty(data.Differences(read));
                        Assert.Equal(segment, index.Segments().Single(s => s.SegmentId == id));
                    }
                }, iter: 150);
        }
        finally
        {
            indexes.ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public void FindCandidates_ForAnyQuery_IsTheSameWhateverTheStorageOptions()
    {
        using var quartered = RocksPacketIndex.OpenWriter(_temp.Sub("a"));
        using var plain = RocksPacketIndex.OpenWriter(_temp.Sub("b"), new RocksIndexOptions { QuarterPositions = false, InlinePositionsLimit = 0 });
        var segments = Enumerable.Range(1, 6).Select(i => Synthetic.ForId(i, 300)).ToList();
        foreach (var s in segments)
        {
            quartered.Add(s.Segment, s.Data);
            plain.Add(s.Segment, s.Data);
        }

        var ids = segments.Select(s => s.Segment.SegmentId).ToHashSet();
        Synthetic.Query.Sample(query =>
        {
            var a = quartered.FindCandidates(query, ids);
            var b = plain.FindCandidates(query, ids);
            Assert.Equal(a.Select(c => (c.SegmentId, c.Packets)), b.Select(c => (c.SegmentId, c.Packets)));
            Assert.Equal(a.SelectMany(c => c.Positions), b.SelectMany(c => c.Positions));
        }, iter: 200);
        Assert.Contains(segments[0].Data.Flows, f => f.Key.Kind == NetworkKind.IPv6);
    }
}
