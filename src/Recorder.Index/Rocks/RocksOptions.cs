using static Recorder.Index.Rocks.RocksNative;

namespace Recorder.Index.Rocks;

/// <summary>RocksDB's compression types (values of the C API's <c>rocksdb_*_compression</c> constants).</summary>
internal enum RocksCompression
{
    /// <summary>No compression.</summary>
    None = 0,

    /// <summary>Snappy.</summary>
    Snappy = 1,

    /// <summary>LZ4.</summary>
    Lz4 = 4,

    /// <summary>Zstandard.</summary>
    Zstd = 7,
}

/// <summary>
/// A <c>rocksdb_options_t</c>: database-wide or per column family settings. RocksDB copies the
/// options when a database opens, so they may be disposed as soon as <see cref="RocksDatabase.Open"/>
/// or <see cref="RocksDatabase.OpenAsSecondary"/> has returned.
/// </summary>
internal sealed class RocksOptions : IDisposable
{
    private IntPtr _handle;

    /// <summary>Creates RocksDB's default options.</summary>
    public RocksOptions() => _handle = rocksdb_options_create();

    /// <summary>The native handle; throws once disposed (a null options pointer would crash RocksDB).</summary>
    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RocksOptions));

    /// <summary>Create the database when missing.</summary>
    public RocksOptions CreateIfMissing(bool value = true)
    {
        rocksdb_options_set_create_if_missing(Handle, Bool(value));
        return this;
    }

    /// <summary>Create column families named at open that do not exist yet.</summary>
    public RocksOptions CreateMissingColumnFamilies(bool value = true)
    {
        rocksdb_options_set_create_missing_column_families(Handle, Bool(value));
        return this;
    }

    /// <summary>How many info log files (<c>LOG.old.*</c>) to keep.</summary>
    public RocksOptions KeepLogFiles(int count)
    {
        rocksdb_options_set_keep_log_file_num(Handle, checked((nuint)count));
        return this;
    }

    /// <summary>Largest info log file before it is rolled.</summary>
    public RocksOptions MaxLogFileSize(long bytes)
    {
        rocksdb_options_set_max_log_file_size(Handle, checked((nuint)bytes));
        return this;
    }

    /// <summary>Recycle write-ahead log files (0: never).</summary>
    public RocksOptions RecycleLogFiles(int count)
    {
        rocksdb_options_set_recycle_log_file_num(Handle, checked((nuint)count));
        return this;
    }

    /// <summary>Skip reading table statistics when opening.</summary>
    public RocksOptions SkipStatsUpdateOnOpen(bool value = true)
    {
        rocksdb_options_set_skip_stats_update_on_db_open(Handle, Bool(value));
        return this;
    }

    /// <summary>Table files kept open (-1: all of them, for as long as the database is open).</summary>
    public RocksOptions MaxOpenFiles(int count)
    {
        rocksdb_options_set_max_open_files(Handle, count);
        return this;
    }

    /// <summary>Threads that open table files while a MANIFEST is replayed (RocksDB's default: 16).</summary>
    public RocksOptions MaxFileOpeningThreads(int count)
    {
        rocksdb_options_set_max_file_opening_threads(Handle, count);
        return this;
    }

    /// <summary>Flush all column families as one MANIFEST edit.</summary>
    public RocksOptions AtomicFlush(bool value = true)
    {
        rocksdb_options_set_atomic_flush(Handle, Bool(value));
        return this;
    }

    /// <summary>Compression of new table files.</summary>
    public RocksOptions Compression(RocksCompression compression)
    {
        rocksdb_options_set_compression(Handle, (int)compression);
        return this;
    }

    /// <summary>
    /// Block-based tables with <paramref name="blockSize"/>-byte blocks, an optional shared block cache and a
    /// table format version.
    /// </summary>
    /// <remarks>
    /// The options keep their own table factory, built from a copy of the table options (which are
    /// destroyed here), and the factory holds its own reference to the cache: disposing
    /// <paramref name="cache"/> afterwards does not free it while a database or these options use it.
    /// </remarks>
    public RocksOptions BlockBasedTables(int blockSize, RocksCache? cache, int formatVersion)
    {
        var options = Handle;
        var table = rocksdb_block_based_options_create();
        try
        {
            rocksdb_block_based_options_set_block_size(table, checked((nuint)blockSize));
            if (cache is not null)
            {
                rocksdb_block_based_options_set_block_cache(table, cache.Handle);
            }

            rocksdb_block_based_options_set_format_version(table, formatVersion);
            rocksdb_options_set_block_based_table_factory(options, table);
        }
        finally
        {
            rocksdb_block_based_options_destroy(table);
        }

        return this;
    }

    /// <summary>A prefix extractor taking the first <paramref name="length"/> bytes of each key.</summary>
    /// <remarks>
    /// <c>rocksdb_options_set_prefix_extractor</c> takes ownership of the transform (it goes into a
    /// <c>shared_ptr</c> of the options, and from there into every database opened with them): it is
    /// never destroyed here, except when it cannot be handed over.
    /// </remarks>
    public RocksOptions FixedPrefix(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var options = Handle;
        var transform = rocksdb_slicetransform_create_fixed_prefix(checked((nuint)length));
        if (transform == IntPtr.Zero)
        {
            throw new RocksDbException($"RocksDB could not create a fixed prefix extractor of {length} bytes");
        }

        rocksdb_options_set_prefix_extractor(options, transform);
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var handle = _handle;
        _handle = IntPtr.Zero;
        if (handle != IntPtr.Zero)
        {
            rocksdb_options_destroy(handle);
        }
    }

    private static byte Bool(bool value) => value ? (byte)1 : (byte)0;
}

/// <summary>
/// An LRU block cache to share between column families. Each column family (and each database)
/// that uses it holds its own reference: disposing this only drops the caller's.
/// </summary>
internal sealed class RocksCache : IDisposable
{
    private IntPtr _handle;

    private RocksCache(IntPtr handle) => _handle = handle;

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RocksCache));

    /// <summary>Creates an LRU cache of <paramref name="capacity"/> bytes.</summary>
    public static RocksCache CreateLru(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return new RocksCache(rocksdb_cache_create_lru(checked((nuint)capacity)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var handle = _handle;
        _handle = IntPtr.Zero;
        if (handle != IntPtr.Zero)
        {
            rocksdb_cache_destroy(handle);
        }
    }
}
