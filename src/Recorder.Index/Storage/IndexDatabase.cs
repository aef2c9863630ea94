using System.Buffers.Binary;
using System.Diagnostics;
using Recorder.Index.Format;
using Recorder.Index.Rocks;

namespace Recorder.Index.Storage;

/// <summary>
/// The RocksDB database behind the index: opening it as the single writer or as a secondary
/// (read-only, follows a writer in another process), the column family handles, and the format check.
/// </summary>
internal sealed class IndexDatabase : IDisposable
{
    private const int ReaderOpenAttempts = 20;

    /// <summary>How long the writer waits for readers to leave the gate before opening (they hold it for milliseconds).</summary>
    private static readonly TimeSpan GateWait = TimeSpan.FromSeconds(30);

    /// <summary>How long the writer waits for the gate to purge obsolete files; if it cannot, it tries again later.</summary>
    private static readonly TimeSpan PurgeWait = TimeSpan.FromSeconds(2);

    // One block cache for all column families (each table factory would otherwise get its own
    // 32 MiB default): bounds the memory a process spends on the index.
    private const long BlockCacheBytes = 32 * 1024 * 1024;

    private readonly string? _secondaryPath;
    private readonly ReaderWriterLockSlim _catchUpLock = new();

    private IndexDatabase(RocksDatabase db, string path, bool readOnly, string? secondaryPath)
    {
        Db = db;
        Path = path;
        ReadOnly = readOnly;
        _secondaryPath = secondaryPath;
        Default = Handle(db, path, IndexLayout.Default);
        Catalog = Handle(db, path, IndexLayout.Catalog);
        Chunks = Handle(db, path, IndexLayout.Chunks);
        Flows = Handle(db, path, IndexLayout.Flows);
        Positions = Handle(db, path, IndexLayout.Positions);
        Hosts = Handle(db, path, IndexLayout.Hosts);
        Ports = Handle(db, path, IndexLayout.Ports);
        Protocols = Handle(db, path, IndexLayout.Protocols);
        Ordered = [Default, Catalog, Chunks, Flows, Positions, Hosts, Ports, Protocols];
    }

    public RocksDatabase Db { get; }

    public string Path { get; }

    public bool ReadOnly { get; }

    /// <summary>A reader's own directory of secondary-instance files (deleted on dispose); null for the writer.</summary>
    public string? SecondaryPath => _secondaryPath;

    public RocksColumnFamily Default { get; }

    public RocksColumnFamily Catalog { get; }

    public RocksColumnFamily Chunks { get; }

    public RocksColumnFamily Flows { get; }

    public RocksColumnFamily Positions { get; }

    public RocksColumnFamily Hosts { get; }

    public RocksColumnFamily Ports { get; }

    public RocksColumnFamily Protocols { get; }

    /// <summary>Every column family of the format, in <see cref="IndexLayout.ColumnFamilies"/> order.</summary>
    public IReadOnlyList<RocksColumnFamily> Ordered { get; }

    /// <summary>True when <paramref name="path"/> holds a RocksDB database.</summary>
    public static bool Exists(string path) => File.Exists(System.IO.Path.Combine(path, "CURRENT"));

    public static IndexDatabase OpenWriter(string path, RocksIndexOptions options)
    {
        var existed = Exists(path);
        if (!existed && Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new IndexOpenException(path, "the directory is not empty and holds no RocksDB database; refusing to create an index in it");
        }

        Directory.CreateDirectory(path);
        using var settings = OpenSettings.Create(path, existed, options, reader: false);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Opening deletes obsolete files (a replayed log, the previous MANIFEST): not while a
                // reader opens. From then on deletion is off except in PurgeObsoleteFiles.
                using var gate = ReaderGate.Enter(path, exclusive: true, GateWait);
                var db = RocksDatabase.Open(settings.Database, path, settings.Families);
                try
                {
                    db.DisableFileDeletions();
                }
                catch
                {
                    db.Dispose();
                    throw;
                }

                // Still inside the gate: a new index's format marker is written before any reader
                // can open it (a verifier opening between the two saw an empty database and reported
                // "not a Recorder index").
                var opened = Wrap(db, path, readOnly: false, secondaryPath: null);
                try
                {
                    opened.CheckFormat(writeIfNew: true);
                    return opened;
                }
                catch
                {
                    opened.Dispose();
                    throw;
                }
            }
            catch (RocksDbException e) when (IsLockError(e))
            {
                if (stopwatch.Elapsed >= options.LockWait)
                {
                    throw new IndexOpenException(path, "another process has it open for writing (RocksDB LOCK held)", e);
                }

                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(50, Math.Max(1, (options.LockWait - stopwatch.Elapsed).TotalMilliseconds))));
            }
            catch (RocksDbException e)
            {
                throw new IndexOpenException(path, $"cannot be opened for writing: {e.Message}", e);
            }
        }

    }

    public static IndexDatabase OpenReader(string path)
    {
        if (!Exists(path))
        {
            throw new IndexOpenException(path, "no index here (no RocksDB CURRENT file); build it with `recorder index rebuild`");
        }

        // A secondary instance follows the writer's MANIFEST and WAL without taking its lock, and
        // keeps every table file open (max_open_files = -1), so files the writer deletes after a
        // compaction stay readable through the open descriptors.
        for (var attempt = 1; ; attempt++)
        {
            var secondary = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recorder-index-reader-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(secondary);
            IndexDatabase? database = null;
            try
            {
                using (var settings = OpenSettings.Create(path, existed: true, RocksIndexOptions.Default, reader: true))
                using (ReaderGate.Enter(path, exclusive: false, GateWait))
                {
                    var db = RocksDatabase.OpenAsSecondary(settings.Database, path, secondary, settings.Families);
                    database = Wrap(db, path, readOnly: true, secondary);
                }

                database.CheckFormat(writeIfNew: false);
                return database;
            }
            catch (RocksDbException e) when (attempt < ReaderOpenAttempts)
            {
                // The writer may delete a file between our reading of its MANIFEST and opening the
                // file (a flush or compaction finishing): open again on the newer state.
                _ = e;
                database?.Dispose();
                DeleteDirectory(secondary);
                Thread.Sleep(TimeSpan.FromMilliseconds(5 * attempt));
            }
            catch (RocksDbException e)
            {
                database?.Dispose();
                DeleteDirectory(secondary);
                throw new IndexOpenException(path, $"cannot be opened for reading after {attempt} attempts: {e.Message}", e);
            }
            catch
            {
                database?.Dispose();
                DeleteDirectory(secondary);
                throw;
            }
        }
    }

    /// <summary>For a reader: catches up with what the writer has written since, between two calls, never during one.</summary>
    public void CatchUp()
    {
        if (ReadOnly)
        {
            _catchUpLock.EnterWriteLock();
            try
            {
                using var gate = ReaderGate.Enter(Path, exclusive: false, GateWait);
                Db.CatchUpWithPrimary();
            }
            finally
            {
                _catchUpLock.ExitWriteLock();
            }
        }
    }

    /// <summary>Holds off <see cref="CatchUp"/> until disposed.</summary>
    public IDisposable EnterRead()
    {
        _catchUpLock.EnterReadLock();
        return new ReadGuard(_catchUpLock);
    }

    /// <summary>
    /// For the writer: lets RocksDB delete the files compactions and flushes made obsolete, while no
    /// reader is opening. When readers keep the gate busy the files stay until the next call.
    /// </summary>
    public void PurgeObsoleteFiles()
    {
        using var gate = ReaderGate.TryEnter(Path, exclusive: true, PurgeWait);
        if (gate is not null)
        {
            Db.EnableFileDeletions();
            Db.DisableFileDeletions();
        }
    }

    public void Dispose()
    {
        try
        {
            if (ReadOnly)
            {
                Db.Dispose();
            }
            else
            {
                // Closing may delete files too; without the gate they stay and the next open purges them.
                using var gate = ReaderGate.TryEnter(Path, exclusive: true, PurgeWait);
                try
                {
                    if (gate is not null)
                    {
                        Db.EnableFileDeletions();
                    }
                }
                finally
                {
                    Db.Dispose();
                }
            }
        }
        finally
        {
            _catchUpLock.Dispose();
            if (_secondaryPath is not null)
            {
                DeleteDirectory(_secondaryPath);
            }
        }
    }

    /// <summary>
    /// Writes every column family's memory table to table files as one atomic MANIFEST edit and waits.
    /// </summary>
    /// <remarks>
    /// A secondary instance reads the MANIFEST, then replays the write-ahead log for what is not in
    /// table files yet. If the writer flushes and deletes a log between those two steps, data that was
    /// only in that log is missing from the secondary's view. Once a flush has completed, every
    /// secondary that opens later finds the data in the MANIFEST, whatever happens to the log; and with
    /// atomic flush a half-finished flush never exposes one column family without the others.
    /// </remarks>
    public void FlushAll() => Db.Flush(Ordered);

    private static IndexDatabase Wrap(RocksDatabase db, string path, bool readOnly, string? secondaryPath)
    {
        try
        {
            return new IndexDatabase(db, path, readOnly, secondaryPath);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static RocksColumnFamily Handle(RocksDatabase db, string path, string name) =>
        db.TryGetColumnFamily(name, out var handle)
            ? handle
            : throw new IndexOpenException(path, $"column family '{name}' is missing");

    private static bool IsLockError(RocksDbException e) =>
        e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase);

    private static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: nothing to clean.
        }
    }

    private void CheckFormat(bool writeIfNew)
    {
        var name = Db.Get(Default, IndexLayout.FormatNameKey);
        var version = Db.Get(Default, IndexLayout.FormatVersionKey);
        if (name is null && version is null)
        {
            if (!writeIfNew || !IsEmpty())
            {
                throw new IndexOpenException(Path, "not a Recorder index (no format marker)");
            }

            using var batch = new RocksWriteBatch();
            batch.Put(Default, IndexLayout.FormatNameKey, IndexLayout.FormatName);
            batch.Put(Default, IndexLayout.FormatVersionKey, IndexLayout.FormatVersionValue(IndexLayout.FormatVersion));
            batch.Put(Default, IndexLayout.CatalogStateKey, CatalogState.Empty.Encode());
            Db.Write(batch, sync: true);
            FlushAll();
            return;
        }

        if (name is null || !name.AsSpan().SequenceEqual(IndexLayout.FormatName))
        {
            throw new IndexOpenException(Path, "not a Recorder index (wrong format marker)");
        }

        if (version is null || version.Length != 4)
        {
            throw new IndexOpenException(Path, "format version missing or malformed");
        }

        var found = BinaryPrimitives.ReadInt32BigEndian(version);
        if (found != IndexLayout.FormatVersion)
        {
            throw new IndexVersionException(Path, found, IndexLayout.FormatVersion);
        }
    }

    private bool IsEmpty()
    {
        var wholeFamily = new RocksIteratorOptions { TotalOrderSeek = true };
        foreach (var family in Ordered)
        {
            using var iterator = Db.NewIterator(family, wholeFamily);
            iterator.SeekToFirst();
            if (iterator.Valid)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class ReadGuard(ReaderWriterLockSlim guarded) : IDisposable
    {
        public void Dispose() => guarded.ExitReadLock();
    }

    /// <summary>
    /// The options one open needs: database-wide settings and every column family's, sharing one block
    /// cache. RocksDB copies them when the database opens (the cache and prefix extractors by
    /// reference count), so they are disposed right after.
    /// </summary>
    private sealed class OpenSettings : IDisposable
    {
        private readonly List<(string Name, RocksOptions Options)> _families = [];
        private readonly RocksCache _cache = RocksCache.CreateLru(BlockCacheBytes);

        private OpenSettings()
        {
        }

        public RocksOptions Database { get; } = new();

        public IReadOnlyList<(string Name, RocksOptions Options)> Families => _families;

        public static OpenSettings Create(string path, bool existed, RocksIndexOptions options, bool reader)
        {
            var settings = new OpenSettings();
            try
            {
                settings.Database
                    .KeepLogFiles(4)
                    .MaxLogFileSize(1024 * 1024)
                    .RecycleLogFiles(0)
                    .SkipStatsUpdateOnOpen(true)

                    // Flushing all column families as one MANIFEST edit is what lets a secondary instance never
                    // see a segment in some column families and not in others (see FlushAll).
                    .AtomicFlush(true);
                if (reader)
                {
                    // One thread: a secondary instance replays the writer's MANIFEST edit by edit, and
                    // RocksDB starts max_file_opening_threads new threads for each edit (about 500
                    // threads, 10-20 ms, to open a store with a few hundred edits, for a handful of files).
                    settings.Database.MaxOpenFiles(-1).MaxFileOpeningThreads(1);
                }
                else
                {
                    settings.Database.CreateIfMissing(true).CreateMissingColumnFamilies(true);
                }

                var names = new List<string>(IndexLayout.ColumnFamilies);
                if (existed)
                {
                    // RocksDB refuses to open a database without naming every column family it has.
                    string[] existing;
                    try
                    {
                        existing = RocksDatabase.ListColumnFamilies(settings.Database, path);
                    }
                    catch (RocksDbException e)
                    {
                        throw new IndexOpenException(path, $"holds a RocksDB CURRENT file but its column families cannot be listed: {e.Message}", e);
                    }

                    names.AddRange(existing.Where(n => !names.Contains(n)));
                }

                foreach (var name in names)
                {
                    settings._families.Add((name, settings.FamilyOptions(name, options)));
                }

                return settings;
            }
            catch
            {
                settings.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            foreach (var (_, options) in _families)
            {
                options.Dispose();
            }

            Database.Dispose();
            _cache.Dispose();
        }

        private RocksOptions FamilyOptions(string name, RocksIndexOptions options)
        {
            var family = new RocksOptions();
            try
            {
                family
                    .Compression(options.Compression switch
                    {
                        IndexCompression.None => RocksCompression.None,
                        IndexCompression.Lz4 => RocksCompression.Lz4,
                        _ => RocksCompression.Zstd,
                    })
                    .BlockBasedTables(options.BlockSize, _cache, formatVersion: 6);
                var prefix = name switch
                {
                    IndexLayout.Flows or IndexLayout.Positions => IndexLayout.SegmentKeyLength,
                    IndexLayout.Hosts => IndexLayout.AddressLength,
                    IndexLayout.Ports => IndexLayout.PortLength,
                    IndexLayout.Protocols => IndexLayout.ProtocolLength,
                    _ => 0,
                };
                if (prefix > 0)
                {
                    family.FixedPrefix(prefix);
                }

                return family;
            }
            catch
            {
                family.Dispose();
                throw;
            }
        }
    }
}
