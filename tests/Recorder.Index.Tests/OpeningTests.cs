using System.Buffers.Binary;
using System.Diagnostics;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Index.Rocks;

namespace Recorder.Index.Tests;

public sealed class OpeningTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string IndexPath => _temp.Sub("index");

    private void CreateWithOneSegment()
    {
        using var index = RocksPacketIndex.OpenWriter(IndexPath);
        var segment = Synthetic.ForId(1);
        index.Add(segment.Segment, segment.Data);
    }

    /// <summary>Opens the database directly with RocksDB, as a tool that does not know the format would.</summary>
    private void Raw(Action<RocksDatabase> action)
    {
        using var options = new RocksOptions();
        var families = RocksDatabase.ListColumnFamilies(options, IndexPath).Select(n => (n, new RocksOptions())).ToList();
        try
        {
            using var db = RocksDatabase.Open(options, IndexPath, families);
            action(db);
        }
        finally
        {
            families.ForEach(f => f.Item2.Dispose());
        }
    }

    private static void Put(RocksDatabase db, string family, byte[] key, byte[] value)
    {
        Assert.True(db.TryGetColumnFamily(family, out var handle));
        using var batch = new RocksWriteBatch();
        db.Write(batch.Put(handle, key, value), sync: true);
    }

    private static byte[]? Get(RocksDatabase db, string family, byte[] key)
    {
        Assert.True(db.TryGetColumnFamily(family, out var handle));
        return db.Get(handle, key);
    }

    [Fact]
    public void Open_WhenTheFormatVersionIsUnknown_RefusesWithTheVersions()
    {
        CreateWithOneSegment();
        Raw(db => Put(db, "default", "format-version"u8.ToArray(), [0, 0, 0, 2]));

        var writer = Assert.Throws<IndexVersionException>(() => RocksPacketIndex.OpenWriter(IndexPath));
        var reader = Assert.Throws<IndexVersionException>(() => RocksPacketIndex.OpenReader(IndexPath));

        Assert.Equal(2, writer.FoundVersion);
        Assert.Equal(RocksPacketIndex.FormatVersion, writer.SupportedVersion);
        Assert.Contains("format version 2, this build reads version 1", writer.Message, StringComparison.Ordinal);
        Assert.Contains(IndexPath, reader.Message, StringComparison.Ordinal);
        Assert.Equal(2, reader.FoundVersion);
    }

    [Fact]
    public void Open_OfAnotherRocksDbDatabase_Refuses()
    {
        using (var options = new RocksOptions().CreateIfMissing())
        using (var defaults = new RocksOptions())
        using (var db = RocksDatabase.Open(options, IndexPath, [("default", defaults)]))
        {
            Put(db, "default", "something"u8.ToArray(), "else"u8.ToArray());
        }

        var e = Assert.Throws<IndexOpenException>(() => RocksPacketIndex.OpenWriter(IndexPath));

        Assert.Contains("not a Recorder index", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenWriter_InANonEmptyDirectoryWithoutDatabase_Refuses()
    {
        Directory.CreateDirectory(IndexPath);
        File.WriteAllText(Path.Combine(IndexPath, "notes.txt"), "not an index");

        var e = Assert.Throws<IndexOpenException>(() => RocksPacketIndex.OpenWriter(IndexPath));

        Assert.Contains("not empty", e.Message, StringComparison.Ordinal);
        Assert.False(RocksPacketIndex.Exists(IndexPath));
    }

    [Fact]
    public void OpenReader_WhenThereIsNoIndex_FailsClearly()
    {
        var e = Assert.Throws<IndexOpenException>(() => RocksPacketIndex.OpenReader(IndexPath));

        Assert.Contains("no index here", e.Message, StringComparison.Ordinal);
        Assert.Equal(IndexPath, e.IndexPath);
    }

    [Fact]
    public async Task OpenWriter_WhileAnotherWriterIsOpen_FailsWithLockError_OrWaitsWhenAsked()
    {
        CreateWithOneSegment();
        var first = RocksPacketIndex.OpenWriter(IndexPath);

        var e = Assert.Throws<IndexOpenException>(() => RocksPacketIndex.OpenWriter(IndexPath));
        Assert.Contains("open for writing", e.Message, StringComparison.Ordinal);

        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            first.Dispose();
        });
        var stopwatch = Stopwatch.StartNew();
        using var second = RocksPacketIndex.OpenWriter(IndexPath, new RocksIndexOptions { LockWait = TimeSpan.FromSeconds(20) });
        stopwatch.Stop();
        await release;

        Assert.InRange(stopwatch.ElapsedMilliseconds, 200, 20_000);
        Assert.Single(second.Segments());
    }

    [Fact]
    public void OpenWriter_ForANewIndex_RecordsTheFormat()
    {
        using (RocksPacketIndex.OpenWriter(IndexPath))
        {
        }

        byte[]? version = null;
        byte[]? name = null;
        Raw(db =>
        {
            version = Get(db, "default", "format-version"u8.ToArray());
            name = Get(db, "default", "format"u8.ToArray());
        });

        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(version));
        Assert.Equal("recorder-packet-index"u8.ToArray(), name);
        Assert.True(RocksPacketIndex.Exists(IndexPath));
    }

    [Fact]
    public void Read_OfAMalformedFlowRecord_ThrowsCorruptNamingTheKey()
    {
        CreateWithOneSegment();
        Raw(db => Put(db, "flows", Convert.FromHexString("000000000000000100000000"), [0x04, 0x80]));

        using var index = RocksPacketIndex.OpenReader(IndexPath);
        var e = Assert.Throws<IndexCorruptException>(() => index.Read(1));

        Assert.Equal("flows", e.ColumnFamily);
        Assert.Equal("000000000000000100000000", e.Key);
    }

    [Fact]
    public void FindCandidates_WhenAPostingNamesAMissingFlow_ThrowsCorrupt()
    {
        CreateWithOneSegment();
        var segment = Synthetic.ForId(1);
        var query = new PacketQuery { Ports = [443] };
        // Flows are in key order: the first with ports is not necessarily ordinal 0.
        var ordinal = segment.Data.Flows.ToList().FindIndex(f => f.Key.HasPorts);
        Assert.True(ordinal >= 0);
        var flowKey = Convert.FromHexString("0000000000000001" + ordinal.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        var port = segment.Data.Flows[ordinal].Key.PortA;
        Raw(db =>
        {
            Assert.True(db.TryGetColumnFamily("flows", out var flows));
            using var batch = new RocksWriteBatch();
            db.Write(batch.Delete(flows, flowKey), sync: true);
        });

        using var index = RocksPacketIndex.OpenWriter(IndexPath);
        var e = Assert.Throws<IndexCorruptException>(() => index.FindCandidates(query with { Ports = [port] }, Net.Ids(1)));

        Assert.Equal("flows", e.ColumnFamily);
        Assert.Contains("no record", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ASegmentLargerThanOneFlowBatch_IsStoredExactly()
    {
        var segment = Large(1, 120_000);
        using (var index = RocksPacketIndex.OpenWriter(IndexPath))
        {
            index.Add(segment.Segment, segment.Data);
            Assert.Empty(segment.Data.Differences(index.Read(1)!));
            Assert.Equal(segment.Data.Flows.Select(f => f.Key), index.Read(1)!.Flows.Select(f => f.Key));
        }

        Assert.Equal(120_000, FlowRecords(1));
    }

    [Fact]
    public void Add_WhenALateFlowCannotBeStored_RemovesTheBatchesAlreadyWritten()
    {
        var good = Large(1, 120_000);
        var badKey = new FlowKey(NetworkKind.IPv4, Protocols.Tcp, false, Net.V4("10.0.0.1"), 80, Net.V4("10.0.0.2"), 0);
        var bad = good.Data with { Flows = [.. good.Data.Flows, new FlowEntry(badKey, 0, 0, 1, 10, Varint.WriteDeltas([48]))] };
        using (var index = RocksPacketIndex.OpenWriter(IndexPath))
        {
            var e = Assert.Throws<ArgumentException>(() => index.Add(good.Segment, bad));
            Assert.Contains("flow 120000", e.Message, StringComparison.Ordinal);
            Assert.Empty(index.Segments());
            Assert.Null(index.Read(1));
        }

        Assert.Equal(0, FlowRecords(1));
    }

    /// <summary>A segment of <paramref name="flows"/> one-packet flows: over 4 MB of flow records, several write batches.</summary>
    private static (IndexedSegment Segment, SegmentIndexData Data) Large(long id, int flows)
    {
        var entries = Enumerable.Range(0, flows)
            .Select(i => new FlowEntry(new FlowKey(NetworkKind.IPv6, Protocols.Udp, true, (UInt128)i << 32, 53, ((UInt128)i << 32) + 1, 1024),
                1_000_000 + i, 1_000_000 + i, 1, 100, Varint.WriteDeltas([48L + i * 100])))
            .ToList();
        var segment = new IndexedSegment(id, 1_000_000, 1_000_000 + flows, flows, 48L + flows * 100L, "manifest");
        return (segment, new SegmentIndexData(entries, [new TimeChunk(48, 48L + flows * 100L, 1_000_000, 1_000_000 + flows, flows)]));
    }

    /// <summary>Flow records of a segment in the database, counted with RocksDB directly.</summary>
    private int FlowRecords(long segmentId)
    {
        var count = 0;
        Raw(db =>
        {
            Assert.True(db.TryGetColumnFamily("flows", out var flows));
            using var iterator = db.NewIterator(flows, new RocksIteratorOptions { TotalOrderSeek = true });
            var prefix = Convert.FromHexString(segmentId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            for (iterator.Seek(prefix); iterator.Valid && iterator.Key.StartsWith(prefix); iterator.Next())
            {
                count++;
            }
        });
        return count;
    }
}
