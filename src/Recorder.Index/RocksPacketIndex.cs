using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Index.Format;
using Recorder.Index.Search;
using Recorder.Index.Rocks;
using Recorder.Index.Storage;

namespace Recorder.Index;

/// <summary>
/// The packet index in RocksDB (format: docs/index-format.md). One process at a time opens it for
/// writing (<see cref="OpenWriter"/>, which holds RocksDB's lock until disposed); any number of
/// processes open it for reading meanwhile (<see cref="OpenReader"/>, a RocksDB secondary instance
/// that sees everything the writer had committed when it opened, and more after <see cref="Refresh"/>).
/// </summary>
/// <remarks>
/// Every call sees one consistent state: each <see cref="Add"/> entirely or not at all (a writer
/// reads through a RocksDB snapshot; a reader changes state only in <see cref="Refresh"/>, never
/// during another call). Instances are safe to use from several threads; dispose them last.
/// </remarks>
public sealed class RocksPacketIndex : IPacketIndexWriter
{
    /// <summary>The index format version this build reads and writes.</summary>
    public const int FormatVersion = IndexLayout.FormatVersion;

    private readonly IndexDatabase _db;
    private readonly RocksIndexOptions _options;
    private readonly Lock _writeLock = new();
    private bool _disposed;

    private RocksPacketIndex(IndexDatabase db, RocksIndexOptions options)
    {
        _db = db;
        _options = options;
    }

    /// <summary>The index directory.</summary>
    public string Path => _db.Path;

    /// <summary>True for an instance opened with <see cref="OpenReader"/>.</summary>
    public bool IsReadOnly => _db.ReadOnly;

    /// <summary>For a reader, the directory of its secondary-instance files (deleted on dispose).</summary>
    internal string? SecondaryPath => _db.SecondaryPath;

    /// <summary>True when <paramref name="path"/> holds a database (of any version).</summary>
    public static bool Exists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return IndexDatabase.Exists(path);
    }

    /// <summary>
    /// Opens (creating when missing) the index for writing. Fails with <see cref="IndexOpenException"/>
    /// when another process holds it (after waiting <see cref="RocksIndexOptions.LockWait"/>), when the
    /// directory holds something else, and with <see cref="IndexVersionException"/> for another format version.
    /// </summary>
    public static RocksPacketIndex OpenWriter(string path, RocksIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= RocksIndexOptions.Default;
        options.Validate();
        return new RocksPacketIndex(IndexDatabase.OpenWriter(path, options), options);
    }

    /// <summary>
    /// Opens an existing index for reading, alongside a writer in another process if there is one.
    /// Fails with <see cref="IndexOpenException"/> when there is no index and
    /// <see cref="IndexVersionException"/> for another format version.
    /// </summary>
    public static RocksPacketIndex OpenReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var db = IndexDatabase.OpenReader(path);
        try
        {
            Settle(db);
            return new RocksPacketIndex(db, RocksIndexOptions.Default);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For a reader, catches up with what the writer committed since (every segment whose
    /// <see cref="Add"/> returned before this call); nothing for a writer.
    /// </summary>
    public void Refresh()
    {
        ThrowIfDisposed();
        if (_db.ReadOnly)
        {
            _db.CatchUp();
            Settle(_db);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<IndexedSegment> Segments()
    {
        ThrowIfDisposed();
        using var scope = new ReadScope(_db);
        return [.. scope.AllSegments().Select(e => e.Segment)];
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query has no host, port or protocol condition.</exception>
    public IReadOnlyList<SegmentCandidates> FindCandidates(PacketQuery query, IReadOnlySet<long> segmentIds) =>
        FindCandidates(query, segmentIds, out _);

    /// <summary><see cref="FindCandidates(PacketQuery, IReadOnlySet{long})"/>, also saying what it read.</summary>
    internal IReadOnlyList<SegmentCandidates> FindCandidates(PacketQuery query, IReadOnlySet<long> segmentIds, out SearchStatistics statistics)
    {
        statistics = default;
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(segmentIds);
        if (!query.HasFlowConditions)
        {
            throw new ArgumentException("the query has no host, port or protocol condition: read the time chunks instead", nameof(query));
        }

        ThrowIfDisposed();
        if (segmentIds.Count == 0)
        {
            return [];
        }

        var segments = segmentIds.Order().ToArray();
        using var scope = new ReadScope(_db);
        var search = new CandidateSearch(scope);
        var candidates = search.Find(query, segments);
        statistics = search.Statistics;
        return candidates;
    }

    /// <inheritdoc />
    public IReadOnlyList<TimeChunk> Chunks(long segmentId)
    {
        ThrowIfDisposed();
        using var scope = new ReadScope(_db);
        return scope.Chunks(segmentId);
    }

    /// <inheritdoc />
    public SegmentIndexData? Read(long segmentId)
    {
        ThrowIfDisposed();
        using var scope = new ReadScope(_db);
        var record = scope.Segment(segmentId);
        if (record is null)
        {
            return null;
        }

        var (segment, flowCount, _) = record.Value;
        var flows = new List<FlowEntry>(flowCount);
        using (var iterator = scope.Iterator(_db.Flows, IndexLayout.FlowKey(segmentId, 0), ReadScope.SegmentUpperBound(segmentId), totalOrder: false))
        {
            for (iterator.Seek(IndexLayout.FlowKey(segmentId, 0)); iterator.Valid; iterator.Next())
            {
                var key = iterator.Key;
                var ordinal = key.Length == IndexLayout.FlowKeyLength ? IndexLayout.ReadOrdinal(key) : -1;
                if (ordinal != flows.Count)
                {
                    throw new IndexCorruptException(IndexLayout.Flows, key, $"flow ordinal {flows.Count} expected next");
                }

                var value = iterator.Value;
                var header = ReadScope.DecodeFlow(key, value, segment.FirstNanoseconds);
                var stored = scope.StoredPositions(segmentId, ordinal, header, value, out var quartered);
                byte[] positions;
                try
                {
                    positions = PositionList.Restore(stored, quartered);
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new IndexCorruptException(IndexLayout.Positions, key, e.Message, e);
                }

                flows.Add(new FlowEntry(header.Key, header.FirstNanoseconds, header.LastNanoseconds, header.Packets, header.Bytes, positions));
            }
        }

        if (flows.Count != flowCount)
        {
            throw new IndexCorruptException(IndexLayout.Catalog, IndexLayout.SegmentKey(segmentId),
                $"the catalog counts {flowCount} flows, {flows.Count} are stored");
        }

        return new SegmentIndexData(flows, scope.Chunks(segmentId));
    }

    /// <summary>Compacts every column family completely (for measurements; the store never needs it).</summary>
    internal void CompactAll()
    {
        var writer = ThrowIfNotWriter();
        lock (_writeLock)
        {
            writer.FlushAll();
            foreach (var family in writer.Ordered)
            {
                writer.Db.CompactAll(family);
            }

            writer.PurgeObsoleteFiles();
        }
    }

    /// <summary>Bytes of table files per column family.</summary>
    internal IReadOnlyDictionary<string, long> ColumnFamilySizes()
    {
        ThrowIfDisposed();
        return _db.Ordered.ToDictionary(
            f => f.Name,
            f => long.Parse(_db.Db.GetProperty(f, "rocksdb.total-sst-files-size") ?? "0", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public long SizeOnDisk()
    {
        ThrowIfDisposed();
        long total = 0;
        foreach (var file in new DirectoryInfo(_db.Path).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Deleted by the writer (an obsolete file) between listing and measuring.
            }
        }

        return total;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The segment or one of its flows cannot be stored (see the message).</exception>
    /// <exception cref="InvalidOperationException">The instance was opened for reading.</exception>
    public void Add(IndexedSegment segment, ISegmentIndexSource data)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(data);
        ValidateSegment(segment);
        var chunks = data.Chunks;
        ValidateChunks(segment, chunks);
        var writer = ThrowIfNotWriter();
        lock (_writeLock)
        {
            var segmentId = segment.SegmentId;
            using var scope = new ReadScope(writer);
            using var batch = new RocksWriteBatch();
            var replaced = DeleteSegment(scope, batch, segmentId);
            if (batch.Count > 0)
            {
                // A replacement (or the leftovers of an Add a crash interrupted): the old entries
                // stay readable until the new ones replace them in one batch, as big as the segment.
                var postings = PutFlows(writer, batch, segment, data, spill: null);
                Complete(writer, scope, batch, segment, chunks, postings, replaced?.Generation);
                return;
            }

            // A new segment: its flows go to the database in batches of about FlowBatchBytes, with
            // the memory tables flushed as they fill, so writing a segment holds a bounded part of it
            // in memory. They are unreachable until the last batch writes the catalog entry, the
            // postings and the chunks; a flow that cannot be stored removes the ones written.
            try
            {
                var postings = PutFlows(writer, batch, segment, data, spill: writer);
                Complete(writer, scope, batch, segment, chunks, postings, replacedGeneration: null);
            }
            catch (ArgumentException)
            {
                using var cleanup = new RocksWriteBatch();
                using (var fresh = new ReadScope(writer))
                {
                    DeleteSegment(fresh, cleanup, segmentId);
                }

                if (cleanup.Count > 0)
                {
                    Commit(writer, cleanup);
                }

                throw;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The instance was opened for reading.</exception>
    public void Remove(long segmentId)
    {
        var writer = ThrowIfNotWriter();
        lock (_writeLock)
        {
            using var scope = new ReadScope(writer);
            using var batch = new RocksWriteBatch();
            var removed = DeleteSegment(scope, batch, segmentId);
            if (removed is { } entry)
            {
                batch.Put(writer.Default, IndexLayout.CatalogStateKey, scope.CatalogState().WithoutEntry(segmentId, entry.Generation).Encode());
            }

            if (batch.Count > 0)
            {
                Commit(writer, batch);
            }
        }
    }

    /// <summary>
    /// Writes the memory tables of every column family to table files, as one atomic step, waits, and
    /// lets RocksDB delete obsolete files. Every <see cref="Add"/> is already durable (a synced
    /// write-ahead log record); this leaves readers and the next open no log to replay.
    /// <see cref="Dispose"/> does it too. Compaction runs in the background as RocksDB sees fit.
    /// </summary>
    /// <exception cref="InvalidOperationException">The instance was opened for reading.</exception>
    public void Flush()
    {
        var writer = ThrowIfNotWriter();
        lock (_writeLock)
        {
            writer.FlushAll();
            writer.PurgeObsoleteFiles();
        }
    }

    /// <summary>Closes the database (a writer flushes first and releases the lock); a reader deletes its secondary directory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (!_db.ReadOnly)
        {
            Flush();
        }

        _disposed = true;
        _db.Dispose();
    }

    /// <summary>Bytes of flow records and position lists put into one write batch before it is written.</summary>
    private const long FlowBatchBytes = 4L * 1024 * 1024;

    /// <summary>Memory-table bytes written by one <see cref="Add"/> before they are flushed to table files.</summary>
    private const long FlushBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Puts every flow record (and external position list) of the segment into <paramref name="batch"/>,
    /// checking each as it comes; with <paramref name="spill"/>, writes the batch (unsynced: the last,
    /// synced write covers the log before it) whenever it holds <see cref="FlowBatchBytes"/>. Returns the postings.
    /// </summary>
    private Postings PutFlows(IndexDatabase writer, RocksWriteBatch batch, IndexedSegment segment, ISegmentIndexSource data, IndexDatabase? spill)
    {
        var segmentId = segment.SegmentId;
        var postings = new Postings();
        var ordinal = 0;
        long batched = 0, unflushed = 0;
        foreach (var flow in data.ReadFlows())
        {
            var multiplesOfFour = ValidateFlow(segmentId, ordinal, flow);
            var key = IndexLayout.FlowKey(segmentId, ordinal);
            var stored = flow.Positions;
            byte flags = 0;
            if (_options.QuarterPositions && stored.Length > 0 && multiplesOfFour)
            {
                stored = PositionList.Quarter(stored);
                flags |= FlowRecord.FlagPositionsQuartered;
            }

            if (stored.Length > _options.InlinePositionsLimit)
            {
                batch.Put(writer.Positions, key, stored);
                batched += key.Length + stored.Length;
                flags |= FlowRecord.FlagPositionsExternal;
                stored = [];
            }

            var record = FlowRecord.Encode(flow, segment.FirstNanoseconds, stored, flags);
            batch.Put(writer.Flows, key, record);
            batched += key.Length + record.Length;
            postings.Add(flow.Key, ordinal);
            ordinal = checked(ordinal + 1);
            if (spill is not null && batched >= FlowBatchBytes)
            {
                spill.Db.Write(batch, sync: false);
                batch.Clear();
                unflushed += batched;
                batched = 0;
                if (unflushed >= FlushBytes)
                {
                    spill.FlushAll();
                    unflushed = 0;
                }
            }
        }

        postings.Count = ordinal;
        return postings;
    }

    /// <summary>Adds the catalog entry, chunks, catalog state and postings to <paramref name="batch"/> and writes it, synced.</summary>
    private static void Complete(IndexDatabase writer, ReadScope scope, RocksWriteBatch batch, IndexedSegment segment, IReadOnlyList<TimeChunk> chunks,
        Postings postings, long? replacedGeneration)
    {
        var segmentId = segment.SegmentId;
        var state = scope.CatalogState().WithEntry(segmentId, replacedGeneration);
        batch.Put(writer.Catalog, IndexLayout.SegmentKey(segmentId), SegmentRecord.Encode(segment, postings.Count, state.Generation));
        batch.Put(writer.Chunks, IndexLayout.SegmentKey(segmentId), ChunkList.Encode(chunks));
        batch.Put(writer.Default, IndexLayout.CatalogStateKey, state.Encode());
        postings.Put(batch, writer, segmentId);
        Commit(writer, batch);
    }

    /// <summary>Checks the catalog record <see cref="Add"/> was given.</summary>
    private static void ValidateSegment(IndexedSegment segment)
    {
        if (segment.SegmentId <= 0)
        {
            throw new ArgumentException($"segment id {segment.SegmentId} is not positive", nameof(segment));
        }

        if (segment.Packets < 0 || segment.FileBytes < 0 || segment.ManifestSha256 is null)
        {
            throw new ArgumentException($"segment {segment.SegmentId}: negative counts or no manifest hash", nameof(segment));
        }
    }

    private static void ValidateChunks(IndexedSegment segment, IReadOnlyList<TimeChunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            if (chunk.Packets < 0)
            {
                throw new ArgumentException($"segment {segment.SegmentId}: a time chunk counts {chunk.Packets} packets", "data");
            }
        }
    }

    /// <summary>Checks one flow <see cref="Add"/> was given; returns whether its positions are all multiples of 4.</summary>
    private static bool ValidateFlow(long segmentId, int ordinal, FlowEntry? flow)
    {
        if (flow is null)
        {
            throw new ArgumentException($"segment {segmentId}: flow {ordinal} is null", "data");
        }

        var problem = FlowRecord.Validate(flow);
        var multiplesOfFour = false;
        if (problem is null)
        {
            try
            {
                (var count, multiplesOfFour) = PositionList.Inspect(flow.Positions ?? []);
                if (count != flow.Packets)
                {
                    problem = $"{count} positions for {flow.Packets} packets";
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                problem = $"positions are not a delta-varint list: {e.Message}";
            }
        }

        return problem is null ? multiplesOfFour : throw new ArgumentException($"segment {segmentId}, flow {ordinal} ({flow.Key}): {problem}", "data");
    }

    /// <summary>
    /// A synced write of the batch (one write-ahead log record: atomic and durable), then a chance for
    /// RocksDB to delete files that background compactions made obsolete. A reader that opens after
    /// this returns sees the change: from table files if a flush has taken it there, otherwise from
    /// the log, which cannot be deleted while the reader opens (<see cref="ReaderGate"/>).
    /// </summary>
    private static void Commit(IndexDatabase writer, RocksWriteBatch batch)
    {
        writer.Db.Write(batch, sync: true);
        writer.PurgeObsoleteFiles();
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> the deletion of everything stored for the segment, found from
    /// its flow records (so entries left without a catalog entry go too); returns its catalog entry.
    /// </summary>
    private static SegmentEntry? DeleteSegment(ReadScope scope, RocksWriteBatch batch, long segmentId)
    {
        var db = scope.Database;
        var entry = scope.Segment(segmentId);
        var postings = new Postings();
        using (var iterator = scope.Iterator(db.Flows, IndexLayout.FlowKey(segmentId, 0), ReadScope.SegmentUpperBound(segmentId), totalOrder: false))
        {
            for (iterator.Seek(IndexLayout.FlowKey(segmentId, 0)); iterator.Valid; iterator.Next())
            {
                var key = iterator.Key;

                // Only the key's addresses, ports and protocol matter here, not its times.
                var header = ReadScope.DecodeFlow(key, iterator.Value, 0);
                postings.Add(header.Key, 0);
                batch.Delete(db.Flows, key);
                if (header.PositionsExternal)
                {
                    batch.Delete(db.Positions, key);
                }
            }
        }

        postings.Delete(batch, db, segmentId);
        if (entry is not null)
        {
            batch.Delete(db.Catalog, IndexLayout.SegmentKey(segmentId));
            batch.Delete(db.Chunks, IndexLayout.SegmentKey(segmentId));
        }

        return entry;
    }

    /// <summary>Catches a reader up until its catalog matches its own summary (see <see cref="CatalogState"/>).</summary>
    private static void Settle(IndexDatabase db)
    {
        var problem = string.Empty;
        for (var attempt = 1; attempt <= 50; attempt++)
        {
            // With the reader gate this holds at once; the check stays as the proof.
            using (var scope = new ReadScope(db))
            {
                if (scope.CatalogIsWhole(out problem))
                {
                    return;
                }
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(attempt * 2, 50)));
            db.CatchUp();
        }

        throw new IndexOpenException(db.Path, $"the reader's view did not settle after 50 attempts to catch up with the writer: {problem}");
    }

    private IndexDatabase ThrowIfNotWriter()
    {
        ThrowIfDisposed();
        return _db.ReadOnly ? throw new InvalidOperationException($"index {_db.Path} was opened for reading") : _db;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The posting lists of one segment, built flow by flow in ordinal order.</summary>
    private sealed class Postings
    {
        private readonly Dictionary<UInt128, List<int>> _hosts = [];

        /// <summary>Flows added (the segment's flow count once all are).</summary>
        public int Count { get; set; }

        private readonly Dictionary<ushort, List<int>> _ports = [];
        private readonly Dictionary<byte, List<int>> _protocols = [];

        public void Add(in FlowKey key, int ordinal)
        {
            if (key.Kind == NetworkKind.Other)
            {
                return;
            }

            Append(_hosts, key.AddressA, ordinal);
            Append(_hosts, key.AddressB, ordinal);
            if (key.HasPorts)
            {
                Append(_ports, key.PortA, ordinal);
                Append(_ports, key.PortB, ordinal);
            }

            if (key.Kind is NetworkKind.IPv4 or NetworkKind.IPv6)
            {
                Append(_protocols, key.Protocol, ordinal);
            }
        }

        public void Put(RocksWriteBatch batch, IndexDatabase db, long segmentId)
        {
            foreach (var (address, ordinals) in _hosts)
            {
                batch.Put(db.Hosts, IndexLayout.PostingKey(IndexLayout.AddressValue(address), segmentId), OrdinalList.Encode(ordinals));
            }

            foreach (var (port, ordinals) in _ports)
            {
                batch.Put(db.Ports, IndexLayout.PostingKey(IndexLayout.PortValue(port), segmentId), OrdinalList.Encode(ordinals));
            }

            foreach (var (protocol, ordinals) in _protocols)
            {
                batch.Put(db.Protocols, IndexLayout.PostingKey([protocol], segmentId), OrdinalList.Encode(ordinals));
            }
        }

        public void Delete(RocksWriteBatch batch, IndexDatabase db, long segmentId)
        {
            foreach (var address in _hosts.Keys)
            {
                batch.Delete(db.Hosts, IndexLayout.PostingKey(IndexLayout.AddressValue(address), segmentId));
            }

            foreach (var port in _ports.Keys)
            {
                batch.Delete(db.Ports, IndexLayout.PostingKey(IndexLayout.PortValue(port), segmentId));
            }

            foreach (var protocol in _protocols.Keys)
            {
                batch.Delete(db.Protocols, IndexLayout.PostingKey([protocol], segmentId));
            }
        }

        private static void Append<T>(Dictionary<T, List<int>> postings, T value, int ordinal)
            where T : notnull
        {
            if (!postings.TryGetValue(value, out var list))
            {
                list = [];
                postings.Add(value, list);
            }

            // A flow whose two endpoints share the value is listed once.
            if (list.Count == 0 || list[^1] != ordinal)
            {
                list.Add(ordinal);
            }
        }
    }
}
