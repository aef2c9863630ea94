using System.Runtime.InteropServices;
using static Recorder.Index.Rocks.RocksNative;

namespace Recorder.Index.Rocks;

/// <summary>RocksDB's compression types (values of the C API).</summary>
public enum RocksCompression
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

/// <summary>A <c>rocksdb_options_t</c>: database-wide or per column family settings.</summary>
public sealed class RocksOptions : IDisposable
{
    /// <summary>Creates default options.</summary>
    public RocksOptions() => Handle = rocksdb_options_create();

    internal IntPtr Handle { get; private set; }

    /// <summary>Create the database when missing.</summary>
    public RocksOptions CreateIfMissing(bool value = true) => Set(() => rocksdb_options_set_create_if_missing(Handle, B(value)));

    /// <summary>Create column families named at open that do not exist yet.</summary>
    public RocksOptions CreateMissingColumnFamilies(bool value = true) => Set(() => rocksdb_options_set_create_missing_column_families(Handle, B(value)));

    /// <summary>How many info log files to keep.</summary>
    public RocksOptions KeepLogFiles(int count) => Set(() => rocksdb_options_set_keep_log_file_num(Handle, (nuint)count));

    /// <summary>Largest info log file.</summary>
    public RocksOptions MaxLogFileSize(long bytes) => Set(() => rocksdb_options_set_max_log_file_size(Handle, (nuint)bytes));

    /// <summary>Recycle write-ahead log files (0: never).</summary>
    public RocksOptions RecycleLogFiles(int count) => Set(() => rocksdb_options_set_recycle_log_file_num(Handle, (nuint)count));

    /// <summary>Skip reading table statistics when opening.</summary>
    public RocksOptions SkipStatsUpdateOnOpen(bool value = true) => Set(() => rocksdb_options_set_skip_stats_update_on_db_open(Handle, B(value)));

    /// <summary>Table files kept open (-1: all).</summary>
    public RocksOptions MaxOpenFiles(int count) => Set(() => rocksdb_options_set_max_open_files(Handle, count));

    /// <summary>Flush all column families as one MANIFEST edit.</summary>
    public RocksOptions AtomicFlush(bool value = true) => Set(() => rocksdb_options_set_atomic_flush(Handle, B(value)));

    /// <summary>Block compression.</summary>
    public RocksOptions Compression(RocksCompression compression) => Set(() => rocksdb_options_set_compression(Handle, (int)compression));

    /// <summary>Size of one memory table.</summary>
    public RocksOptions WriteBufferSize(long bytes) => Set(() => rocksdb_options_set_write_buffer_size(Handle, (nuint)bytes));

    /// <summary>Info log level (0 debug … 4 fatal, 5 header).</summary>
    public RocksOptions InfoLogLevel(int level) => Set(() => rocksdb_options_set_info_log_level(Handle, level));

    /// <summary>Block-based tables with <paramref name="blockSize"/>, an optional shared cache and a format version.</summary>
    public RocksOptions BlockBasedTables(long blockSize, RocksCache? cache, int formatVersion)
    {
        var table = rocksdb_block_based_options_create();
        try
        {
            rocksdb_block_based_options_set_block_size(table, (nuint)blockSize);
            if (cache is not null)
            {
                rocksdb_block_based_options_set_block_cache(table, cache.Handle);
            }

            rocksdb_block_based_options_set_format_version(table, formatVersion);
            rocksdb_options_set_block_based_table_factory(Handle, table);
        }
        finally
        {
            // The options hold their own copy of the table factory.
            rocksdb_block_based_options_destroy(table);
        }

        return this;
    }

    /// <summary>A fixed-length prefix extractor (the options take ownership of it).</summary>
    public RocksOptions FixedPrefix(int length) =>
        Set(() => rocksdb_options_set_prefix_extractor(Handle, rocksdb_slicetransform_create_fixed_prefix((nuint)length)));

    /// <inheritdoc />
    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            rocksdb_options_destroy(Handle);
            Handle = IntPtr.Zero;
        }
    }

    private static byte B(bool value) => value ? (byte)1 : (byte)0;

    private RocksOptions Set(Action action)
    {
        ObjectDisposedException.ThrowIf(Handle == IntPtr.Zero, this);
        action();
        return this;
    }
}

/// <summary>A shared LRU block cache.</summary>
public sealed class RocksCache : IDisposable
{
    private RocksCache(IntPtr handle) => Handle = handle;

    internal IntPtr Handle { get; private set; }

    /// <summary>Creates an LRU cache of <paramref name="capacity"/> bytes.</summary>
    public static RocksCache CreateLru(long capacity) => new(rocksdb_cache_create_lru((nuint)capacity));

    /// <inheritdoc />
    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            rocksdb_cache_destroy(Handle);
            Handle = IntPtr.Zero;
        }
    }
}

/// <summary>An open column family.</summary>
public sealed class RocksColumnFamily
{
    internal RocksColumnFamily(string name, IntPtr handle)
    {
        Name = name;
        Handle = handle;
    }

    /// <summary>Its name.</summary>
    public string Name { get; }

    internal IntPtr Handle { get; }
}

/// <summary>
/// An open RocksDB database with its column families: opened for writing (one process at a time,
/// RocksDB's LOCK) or as a secondary instance that follows a writer without taking its lock.
/// </summary>
public sealed unsafe class RocksDatabase : IDisposable
{
    private readonly Dictionary<string, RocksColumnFamily> _families;
    private IntPtr _handle;

    private RocksDatabase(IntPtr handle, string path, Dictionary<string, RocksColumnFamily> families, bool secondary)
    {
        _handle = handle;
        Path = path;
        _families = families;
        IsSecondary = secondary;
    }

    /// <summary>The database directory.</summary>
    public string Path { get; }

    /// <summary>True for a secondary (read-only follower) instance.</summary>
    public bool IsSecondary { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RocksDatabase));

    /// <summary>Lists the column families of the database at <paramref name="path"/>; false when none can be listed.</summary>
    public static bool TryListColumnFamilies(RocksOptions options, string path, out string[] names)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = rocksdb_list_column_families(options.Handle, path, out var count, out var error);
        if (error != IntPtr.Zero)
        {
            rocksdb_free(error);
            names = [];
            return false;
        }

        names = new string[(int)count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(list, i * IntPtr.Size))!;
        }

        rocksdb_list_column_families_destroy(list, count);
        return true;
    }

    /// <summary>Opens for writing; every existing column family must be named.</summary>
    public static RocksDatabase Open(RocksOptions options, string path, IReadOnlyList<(string Name, RocksOptions Options)> families) =>
        OpenCore(options, path, null, families);

    /// <summary>Opens as a secondary instance, keeping its own files in <paramref name="secondaryPath"/>.</summary>
    public static RocksDatabase OpenAsSecondary(RocksOptions options, string path, string secondaryPath, IReadOnlyList<(string Name, RocksOptions Options)> families) =>
        OpenCore(options, path, secondaryPath, families);

    /// <summary>A column family by name.</summary>
    public bool TryGetColumnFamily(string name, out RocksColumnFamily family) => _families.TryGetValue(name, out family!);

    /// <summary>Reads one value; null when absent.</summary>
    public byte[]? Get(RocksColumnFamily family, ReadOnlySpan<byte> key, RocksReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(family);
        using var defaults = options is null ? new RocksReadOptions() : null;
        var readOptions = options ?? defaults!;
        IntPtr value;
        nuint length;
        IntPtr error;
        fixed (byte* k = key)
        {
            value = rocksdb_get_cf(Handle, readOptions.Handle, family.Handle, k, (nuint)key.Length, out length, out error);
        }

        Check(error);
        if (value == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return new ReadOnlySpan<byte>((void*)value, checked((int)length)).ToArray();
        }
        finally
        {
            rocksdb_free(value);
        }
    }

    /// <summary>An iterator over one column family (the read options must outlive it).</summary>
    public RocksIterator NewIterator(RocksColumnFamily family, RocksReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(options);
        return new RocksIterator(rocksdb_create_iterator_cf(Handle, options.Handle, family.Handle));
    }

    /// <summary>Applies a batch atomically; <paramref name="sync"/> fsyncs the write-ahead log first.</summary>
    public void Write(RocksWriteBatch batch, bool sync = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var options = rocksdb_writeoptions_create();
        try
        {
            rocksdb_writeoptions_set_sync(options, sync ? (byte)1 : (byte)0);
            rocksdb_write(Handle, options, batch.Handle, out var error);
            Check(error);
        }
        finally
        {
            rocksdb_writeoptions_destroy(options);
        }
    }

    /// <summary>Flushes the memory tables of <paramref name="families"/> to table files and waits.</summary>
    public void Flush(IReadOnlyList<RocksColumnFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        var options = rocksdb_flushoptions_create();
        try
        {
            rocksdb_flushoptions_set_wait(options, 1);
            var handles = stackalloc IntPtr[families.Count];
            for (var i = 0; i < families.Count; i++)
            {
                handles[i] = families[i].Handle;
            }

            rocksdb_flush_cfs(Handle, options, handles, families.Count, out var error);
            Check(error);
        }
        finally
        {
            rocksdb_flushoptions_destroy(options);
        }
    }

    /// <summary>Compacts a whole column family.</summary>
    public void CompactAll(RocksColumnFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        rocksdb_compact_range_cf(Handle, family.Handle, null, 0, null, 0);
    }

    /// <summary>For a secondary instance: follows what the writer has written since.</summary>
    public void CatchUpWithPrimary()
    {
        rocksdb_try_catch_up_with_primary(Handle, out var error);
        Check(error);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_handle == IntPtr.Zero)
        {
            return;
        }

        foreach (var family in _families.Values)
        {
            rocksdb_column_family_handle_destroy(family.Handle);
        }

        rocksdb_close(_handle);
        _handle = IntPtr.Zero;
    }

    private static RocksDatabase OpenCore(RocksOptions options, string path, string? secondaryPath, IReadOnlyList<(string Name, RocksOptions Options)> families)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(families);
        var count = families.Count;
        var names = new IntPtr[count];
        var familyOptions = new IntPtr[count];
        var handles = new IntPtr[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(families[i].Name);
                familyOptions[i] = families[i].Options.Handle;
            }

            IntPtr db;
            IntPtr error;
            fixed (IntPtr* n = names)
            fixed (IntPtr* o = familyOptions)
            fixed (IntPtr* h = handles)
            {
                db = secondaryPath is null
                    ? rocksdb_open_column_families(options.Handle, path, count, n, o, h, out error)
                    : rocksdb_open_as_secondary_column_families(options.Handle, path, secondaryPath, count, n, o, h, out error);
            }

            Check(error);
            var map = new Dictionary<string, RocksColumnFamily>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                map[families[i].Name] = new RocksColumnFamily(families[i].Name, handles[i]);
            }

            return new RocksDatabase(db, path, map, secondaryPath is not null);
        }
        finally
        {
            foreach (var name in names)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }
}

/// <summary>
/// Read options. Iterator bounds are copied to unmanaged memory owned by this object, because
/// RocksDB keeps pointers to them: dispose it only after the iterators that use it.
/// </summary>
public sealed unsafe class RocksReadOptions : IDisposable
{
    private IntPtr _lower;
    private IntPtr _upper;

    /// <summary>Creates default read options.</summary>
    public RocksReadOptions() => Handle = rocksdb_readoptions_create();

    internal IntPtr Handle { get; private set; }

    /// <summary>Iterate only keys ≥ <paramref name="lower"/>.</summary>
    public RocksReadOptions LowerBound(ReadOnlySpan<byte> lower)
    {
        _lower = Replace(_lower, lower);
        rocksdb_readoptions_set_iterate_lower_bound(Handle, (byte*)_lower, (nuint)lower.Length);
        return this;
    }

    /// <summary>Iterate only keys &lt; <paramref name="upper"/>.</summary>
    public RocksReadOptions UpperBound(ReadOnlySpan<byte> upper)
    {
        _upper = Replace(_upper, upper);
        rocksdb_readoptions_set_iterate_upper_bound(Handle, (byte*)_upper, (nuint)upper.Length);
        return this;
    }

    /// <summary>Ignore prefix extractors: iterate in total key order.</summary>
    public RocksReadOptions TotalOrderSeek(bool value = true)
    {
        rocksdb_readoptions_set_total_order_seek(Handle, value ? (byte)1 : (byte)0);
        return this;
    }

    /// <summary>Stop iterating where the prefix changes.</summary>
    public RocksReadOptions PrefixSameAsStart(bool value = true)
    {
        rocksdb_readoptions_set_prefix_same_as_start(Handle, value ? (byte)1 : (byte)0);
        return this;
    }

    /// <summary>Whether blocks read go into the block cache.</summary>
    public RocksReadOptions FillCache(bool value)
    {
        rocksdb_readoptions_set_fill_cache(Handle, value ? (byte)1 : (byte)0);
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            rocksdb_readoptions_destroy(Handle);
            Handle = IntPtr.Zero;
        }

        Marshal.FreeHGlobal(_lower);
        Marshal.FreeHGlobal(_upper);
        _lower = IntPtr.Zero;
        _upper = IntPtr.Zero;
    }

    private static IntPtr Replace(IntPtr old, ReadOnlySpan<byte> value)
    {
        Marshal.FreeHGlobal(old);
        var copy = Marshal.AllocHGlobal(Math.Max(1, value.Length));
        value.CopyTo(new Span<byte>((void*)copy, value.Length));
        return copy;
    }
}

/// <summary>An iterator; <see cref="Key"/> and <see cref="Value"/> are valid until the next move.</summary>
public sealed unsafe class RocksIterator : IDisposable
{
    private IntPtr _handle;

    internal RocksIterator(IntPtr handle) => _handle = handle;

    /// <summary>True while positioned on an entry.</summary>
    public bool Valid => rocksdb_iter_valid(Live) != 0;

    /// <summary>The current key.</summary>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            var pointer = rocksdb_iter_key(Live, out var length);
            return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
        }
    }

    /// <summary>The current value.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            var pointer = rocksdb_iter_value(Live, out var length);
            return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
        }
    }

    private IntPtr Live => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RocksIterator));

    /// <summary>Positions at the first key ≥ <paramref name="key"/>.</summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            rocksdb_iter_seek(Live, k, (nuint)key.Length);
        }
    }

    /// <summary>Positions at the first key.</summary>
    public void SeekToFirst() => rocksdb_iter_seek_to_first(Live);

    /// <summary>Moves to the next key.</summary>
    public void Next() => rocksdb_iter_next(Live);

    /// <summary>Throws when the iteration stopped because of an error rather than the end.</summary>
    public void ThrowIfFailed()
    {
        rocksdb_iter_get_error(Live, out var error);
        Check(error);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_handle != IntPtr.Zero)
        {
            rocksdb_iter_destroy(_handle);
            _handle = IntPtr.Zero;
        }
    }
}

/// <summary>A batch of writes applied atomically.</summary>
public sealed unsafe class RocksWriteBatch : IDisposable
{
    /// <summary>Creates an empty batch.</summary>
    public RocksWriteBatch() => Handle = rocksdb_writebatch_create();

    internal IntPtr Handle { get; private set; }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public RocksWriteBatch Put(RocksColumnFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(family);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            rocksdb_writebatch_put_cf(Handle, family.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        }

        return this;
    }

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public RocksWriteBatch Delete(RocksColumnFamily family, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(family);
        fixed (byte* k = key)
        {
            rocksdb_writebatch_delete_cf(Handle, family.Handle, k, (nuint)key.Length);
        }

        return this;
    }

    /// <summary>Deletes every key in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public RocksWriteBatch DeleteRange(RocksColumnFamily family, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        ArgumentNullException.ThrowIfNull(family);
        fixed (byte* s = start)
        fixed (byte* e = end)
        {
            rocksdb_writebatch_delete_range_cf(Handle, family.Handle, s, (nuint)start.Length, e, (nuint)end.Length);
        }

        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            rocksdb_writebatch_destroy(Handle);
            Handle = IntPtr.Zero;
        }
    }
}
