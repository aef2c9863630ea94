using System.Buffers.Binary;
using Recorder.Core.Indexing;
using Recorder.Index.Format;
using Recorder.Index.Rocks;

namespace Recorder.Index.Storage;

/// <summary>
/// One consistent view of the index for the duration of a call. On a writer every read goes through
/// the same RocksDB snapshot, so a concurrent <c>Add</c> in the same process is seen entirely or not
/// at all. A secondary instance changes only when it catches up with the writer, and snapshots of a
/// secondary see nothing (measured: RocksDB 11.12), so a reader's scope instead holds the database's
/// catch-up lock for reading. Also decodes the records, turning a malformed one into
/// <see cref="IndexCorruptException"/>.
/// </summary>
internal sealed class ReadScope : IDisposable
{
    private readonly RocksSnapshot? _snapshot;
    private readonly IDisposable? _catchUpGuard;

    public ReadScope(IndexDatabase database)
    {
        Database = database;
        if (database.ReadOnly)
        {
            _catchUpGuard = database.EnterRead();
        }
        else
        {
            _snapshot = database.Db.CreateSnapshot();
        }
    }

    public IndexDatabase Database { get; }

    public byte[]? Get(byte[] key, RocksColumnFamily family) => Database.Db.Get(family, key, _snapshot);

    /// <summary>An iterator over a whole column family, in key order.</summary>
    public RocksIterator Iterator(RocksColumnFamily family) =>
        Database.Db.NewIterator(family, new RocksIteratorOptions { TotalOrderSeek = true, Snapshot = _snapshot });

    /// <summary>An iterator over <c>[lower, upper)</c>, crossing prefixes when asked.</summary>
    public RocksIterator Iterator(RocksColumnFamily family, byte[] lower, byte[] upper, bool totalOrder) =>
        Database.Db.NewIterator(family, new RocksIteratorOptions
        {
            LowerBound = lower,
            UpperBound = upper,
            TotalOrderSeek = totalOrder,
            Snapshot = _snapshot,
        });

    public SegmentEntry? Segment(long segmentId)
    {
        var key = IndexLayout.SegmentKey(segmentId);
        var value = Get(key, Database.Catalog);
        return value is null ? null : DecodeSegment(key, value);
    }

    public static SegmentEntry DecodeSegment(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length != IndexLayout.SegmentKeyLength)
        {
            throw new IndexCorruptException(IndexLayout.Catalog, key, $"key of {key.Length} bytes, 8 expected");
        }

        try
        {
            return SegmentRecord.Decode(IndexLayout.ReadSegmentId(key), value);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new IndexCorruptException(IndexLayout.Catalog, key, e.Message, e);
        }
    }

    public CatalogState CatalogState()
    {
        var value = Get(IndexLayout.CatalogStateKey, Database.Default)
            ?? throw new IndexCorruptException(IndexLayout.Default, IndexLayout.CatalogStateKey, "the catalog state is missing");
        try
        {
            return Format.CatalogState.Decode(value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new IndexCorruptException(IndexLayout.Default, IndexLayout.CatalogStateKey, e.Message, e);
        }
    }

    /// <summary>Every catalog entry, in id order.</summary>
    public List<SegmentEntry> AllSegments()
    {
        var entries = new List<SegmentEntry>();
        using var iterator = Iterator(Database.Catalog);
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
        {
            entries.Add(DecodeSegment(iterator.Key, iterator.Value));
        }

        return entries;
    }

    /// <summary>Whether the catalog matches its own summary (see <see cref="Format.CatalogState"/>).</summary>
    public bool CatalogIsWhole(out string problem)
    {
        var state = CatalogState();
        var entries = AllSegments();
        ulong digest = 0;
        foreach (var entry in entries)
        {
            digest ^= Format.CatalogState.EntryHash(entry.Segment.SegmentId, entry.Generation);
        }

        problem = entries.Count != state.Segments || digest != state.Digest
            ? $"catalog at generation {state.Generation} counts {state.Segments} segments, {entries.Count} are visible" +
                (digest != state.Digest ? " and their digest differs" : string.Empty)
            : string.Empty;
        return problem.Length == 0;
    }

    public TimeChunk[] Chunks(long segmentId)
    {
        var key = IndexLayout.SegmentKey(segmentId);
        var value = Get(key, Database.Chunks);
        if (value is null)
        {
            return [];
        }

        try
        {
            return ChunkList.Decode(value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new IndexCorruptException(IndexLayout.Chunks, key, e.Message, e);
        }
    }

    public static FlowHeader DecodeFlow(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long segmentFirstNanoseconds)
    {
        try
        {
            return FlowRecord.Decode(value, segmentFirstNanoseconds);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new IndexCorruptException(IndexLayout.Flows, key, e.Message, e);
        }
    }

    /// <summary>The flow's positions exactly as they were given to <c>Add</c>.</summary>
    public byte[] StoredPositions(long segmentId, int ordinal, in FlowHeader header, ReadOnlySpan<byte> flowValue, out bool quartered)
    {
        quartered = header.PositionsQuartered;
        if (!header.PositionsExternal)
        {
            return flowValue[header.InlinePositionsOffset..].ToArray();
        }

        var key = IndexLayout.FlowKey(segmentId, ordinal);
        return Get(key, Database.Positions)
            ?? throw new IndexCorruptException(IndexLayout.Positions, key, "the flow record says its positions are here, but there is no such key");
    }

    /// <summary>The flow's absolute block offsets.</summary>
    public long[] DecodePositions(long segmentId, int ordinal, in FlowHeader header, ReadOnlySpan<byte> flowValue)
    {
        var stored = StoredPositions(segmentId, ordinal, header, flowValue, out var quartered);
        try
        {
            return PositionList.Decode(stored, quartered, header.Packets);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            var key = IndexLayout.FlowKey(segmentId, ordinal);
            throw new IndexCorruptException(header.PositionsExternal ? IndexLayout.Positions : IndexLayout.Flows, key, e.Message, e);
        }
    }

    /// <summary>An exclusive upper bound above every <c>segmentId ‖ ordinal</c> key: the id followed by five 0xFF bytes.</summary>
    public static byte[] SegmentUpperBound(long segmentId)
    {
        var key = new byte[IndexLayout.FlowKeyLength + 1];
        BinaryPrimitives.WriteInt64BigEndian(key, segmentId);
        key.AsSpan(IndexLayout.SegmentKeyLength).Fill(0xFF);
        return key;
    }

    public void Dispose()
    {
        _snapshot?.Dispose();
        _catchUpGuard?.Dispose();
    }
}
