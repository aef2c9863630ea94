using System.Runtime.InteropServices;
using static Recorder.Index.Rocks.RocksNative;

namespace Recorder.Index.Rocks;

/// <summary>An open column family of one <see cref="RocksDatabase"/>.</summary>
internal sealed class RocksColumnFamily
{
    internal RocksColumnFamily(RocksDatabase database, string name, IntPtr handle)
    {
        Database = database;
        Name = name;
        Handle = handle;
    }

    /// <summary>Its name.</summary>
    public string Name { get; }

    /// <summary>The database it belongs to; a handle is only valid there.</summary>
    internal RocksDatabase Database { get; }

    internal IntPtr Handle { get; }
}

/// <summary>
/// An open RocksDB database with its column families: opened for writing (one process at a time,
/// RocksDB's LOCK) or as a secondary instance that follows a writer without taking its lock.
/// </summary>
/// <remarks>
/// Closing a database while an iterator or a snapshot of it is alive would leave them pointing at
/// freed memory. The native handle is therefore reference counted: every call holds it for its
/// duration and every <see cref="RocksIterator"/> and <see cref="RocksSnapshot"/> holds it until
/// disposed, so <see cref="Dispose"/> closes the database when the last of them lets go. Column
/// family handles are destroyed just before the close (RocksDB requires that order).
/// Calls are safe from several threads.
/// </remarks>
internal sealed unsafe class RocksDatabase : IDisposable
{
    private readonly DatabaseHandle _handle;
    private readonly Dictionary<string, RocksColumnFamily> _families = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    private RocksDatabase(IntPtr db, string path, IReadOnlyList<string> names, IntPtr[] familyHandles, bool secondary)
    {
        _handle = new DatabaseHandle(db, familyHandles);
        Path = path;
        IsSecondary = secondary;
        for (var i = 0; i < names.Count; i++)
        {
            _families[names[i]] = new RocksColumnFamily(this, names[i], familyHandles[i]);
        }
    }

    /// <summary>The database directory.</summary>
    public string Path { get; }

    /// <summary>True for a secondary (read-only follower) instance.</summary>
    public bool IsSecondary { get; }

    /// <summary>The column families of the database at <paramref name="path"/>; throws <see cref="RocksDbException"/> when they cannot be listed.</summary>
    public static string[] ListColumnFamilies(RocksOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(path);
        var list = rocksdb_list_column_families(options.Handle, path, out var count, out var error);
        Check(error);
        try
        {
            var names = new string[checked((int)count)];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = Marshal.PtrToStringUTF8(((IntPtr*)list)[i]) ?? string.Empty;
            }

            return names;
        }
        finally
        {
            rocksdb_list_column_families_destroy(list, count);
        }
    }

    /// <summary>Opens for writing; every existing column family must be named.</summary>
    public static RocksDatabase Open(RocksOptions options, string path, IReadOnlyList<(string Name, RocksOptions Options)> families) =>
        OpenCore(options, path, null, families);

    /// <summary>Opens as a secondary instance, keeping its own files in <paramref name="secondaryPath"/>.</summary>
    public static RocksDatabase OpenAsSecondary(RocksOptions options, string path, string secondaryPath, IReadOnlyList<(string Name, RocksOptions Options)> families)
    {
        ArgumentNullException.ThrowIfNull(secondaryPath);
        return OpenCore(options, path, secondaryPath, families);
    }

    /// <summary>A column family by name.</summary>
    public bool TryGetColumnFamily(string name, out RocksColumnFamily family) => _families.TryGetValue(name, out family!);

    /// <summary>Reads one value (as of <paramref name="snapshot"/> when given); null when absent.</summary>
    public byte[]? Get(RocksColumnFamily family, ReadOnlySpan<byte> key, RocksSnapshot? snapshot = null)
    {
        CheckOwner(family);
        if (snapshot is not null && snapshot.Database != this)
        {
            throw new ArgumentException("the snapshot belongs to another database", nameof(snapshot));
        }

        var db = Enter();
        var snapshotHeld = false;
        IntPtr value;
        nuint length;
        IntPtr error;
        try
        {
            var readOptions = _handle.PointReads;
            if (snapshot is not null)
            {
                readOptions = snapshot.Enter();
                snapshotHeld = true;
            }

            fixed (byte* k = key)
            {
                value = rocksdb_get_cf(db, readOptions, family.Handle, k, (nuint)key.Length, out length, out error);
            }
        }
        finally
        {
            if (snapshotHeld)
            {
                snapshot!.Exit();
            }

            Exit();
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

    /// <summary>An iterator over one column family; it owns its read options and bounds, and keeps the database (and snapshot) open until disposed.</summary>
    public RocksIterator NewIterator(RocksColumnFamily family, RocksIteratorOptions? options = null)
    {
        CheckOwner(family);
        options ??= RocksIteratorOptions.Default;
        if (options.Snapshot is not null && options.Snapshot.Database != this)
        {
            throw new ArgumentException("the snapshot belongs to another database", nameof(options));
        }

        return new RocksIterator(this, family, options);
    }

    /// <summary>A consistent point-in-time view for reads, until disposed.</summary>
    public RocksSnapshot CreateSnapshot()
    {
        var db = Enter();
        try
        {
            return new RocksSnapshot(this, db);
        }
        catch
        {
            Exit();
            throw;
        }
    }

    /// <summary>Applies a batch atomically; <paramref name="sync"/> fsyncs the write-ahead log before returning.</summary>
    public void Write(RocksWriteBatch batch, bool sync)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var db = Enter();
        var options = rocksdb_writeoptions_create();
        try
        {
            rocksdb_writeoptions_set_sync(options, sync ? (byte)1 : (byte)0);
            rocksdb_write(db, options, batch.Handle, out var error);
            Check(error);
        }
        finally
        {
            rocksdb_writeoptions_destroy(options);
            Exit();
        }
    }

    /// <summary>Flushes the memory tables of <paramref name="families"/> to table files and waits for it.</summary>
    public void Flush(IReadOnlyList<RocksColumnFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        var handles = new IntPtr[families.Count];
        for (var i = 0; i < handles.Length; i++)
        {
            CheckOwner(families[i]);
            handles[i] = families[i].Handle;
        }

        var db = Enter();
        var options = rocksdb_flushoptions_create();
        try
        {
            rocksdb_flushoptions_set_wait(options, 1);
            IntPtr error;
            fixed (IntPtr* h = handles)
            {
                rocksdb_flush_cfs(db, options, h, handles.Length, out error);
            }

            Check(error);
        }
        finally
        {
            rocksdb_flushoptions_destroy(options);
            Exit();
        }
    }

    /// <summary>Compacts a whole column family (waits for it).</summary>
    public void CompactAll(RocksColumnFamily family)
    {
        CheckOwner(family);
        var db = Enter();
        try
        {
            rocksdb_compact_range_cf(db, family.Handle, null, 0, null, 0);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>A RocksDB property of a column family (e.g. <c>rocksdb.total-sst-files-size</c>); null when RocksDB does not know it.</summary>
    public string? GetProperty(RocksColumnFamily family, string name)
    {
        CheckOwner(family);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var db = Enter();
        try
        {
            var value = rocksdb_property_value_cf(db, family.Handle, name);
            return value == IntPtr.Zero ? null : TakeString(value);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Stops RocksDB from deleting obsolete files (nested: each call needs its own <see cref="EnableFileDeletions"/>).</summary>
    public void DisableFileDeletions() => Call(&rocksdb_disable_file_deletions);

    /// <summary>Undoes one <see cref="DisableFileDeletions"/>; deletion resumes, and obsolete files go, once none is left.</summary>
    public void EnableFileDeletions() => Call(&rocksdb_enable_file_deletions);

    /// <summary>For a secondary instance: follows what the writer has written since.</summary>
    public void CatchUpWithPrimary() => Call(&rocksdb_try_catch_up_with_primary);

    /// <summary>
    /// Closes the database, at once or when the last iterator or snapshot still using it is disposed;
    /// from now on every call throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    /// <summary>Holds the native handle for one call or for the life of an iterator or snapshot (<see cref="Exit"/> lets go).</summary>
    internal IntPtr Enter()
    {
        // The handle itself refuses only once it is closed, which waits for the last iterator.
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        _handle.DangerousAddRef(ref added);
        return _handle.DangerousGetHandle();
    }

    internal void Exit() => _handle.DangerousRelease();

    private static RocksDatabase OpenCore(RocksOptions options, string path, string? secondaryPath, IReadOnlyList<(string Name, RocksOptions Options)> families)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(families);
        var count = families.Count;
        var names = new IntPtr[count];
        var familyOptions = new IntPtr[count];
        var handles = new IntPtr[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                familyOptions[i] = families[i].Options.Handle;
                names[i] = Marshal.StringToCoTaskMemUTF8(families[i].Name);
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
            if (db == IntPtr.Zero)
            {
                throw new RocksDbException($"RocksDB returned no database for {path} and no error");
            }

            return new RocksDatabase(db, path, [.. families.Select(f => f.Name)], handles, secondaryPath is not null);
        }
        finally
        {
            foreach (var name in names)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    private void Call(delegate*<IntPtr, out IntPtr, void> function)
    {
        var db = Enter();
        try
        {
            function(db, out var error);
            Check(error);
        }
        finally
        {
            Exit();
        }
    }

    private void CheckOwner(RocksColumnFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (family.Database != this)
        {
            throw new ArgumentException($"column family '{family.Name}' belongs to another database", nameof(family));
        }
    }

    /// <summary>The <c>rocksdb_t*</c>, its column family handles and the read options of point reads; released together, last.</summary>
    private sealed class DatabaseHandle : SafeHandle
    {
        private readonly IntPtr[] _families;

        public DatabaseHandle(IntPtr db, IntPtr[] families)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _families = families;
            PointReads = rocksdb_readoptions_create();
            SetHandle(db);
        }

        /// <summary>Default read options shared by every point read without a snapshot (RocksDB only reads them).</summary>
        public IntPtr PointReads { get; }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            foreach (var family in _families)
            {
                rocksdb_column_family_handle_destroy(family);
            }

            rocksdb_close(handle);
            rocksdb_readoptions_destroy(PointReads);
            return true;
        }
    }
}

/// <summary>
/// A RocksDB snapshot: reads through it see the database as it was when it was taken. It keeps its
/// database open until disposed, and an iterator reading through it keeps it until the iterator is disposed.
/// </summary>
internal sealed class RocksSnapshot : IDisposable
{
    private readonly SnapshotHandle _handle;
    private volatile bool _disposed;

    /// <summary>Takes a snapshot of <paramref name="db"/>, which the caller holds (<see cref="RocksDatabase.Enter"/>): the snapshot keeps that hold.</summary>
    internal RocksSnapshot(RocksDatabase database, IntPtr db)
    {
        Database = database;
        _handle = new SnapshotHandle(database, db);
    }

    internal RocksDatabase Database { get; }

    /// <summary>Releases the snapshot, now or once the last iterator reading through it is disposed; it can no longer be read through.</summary>
    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    /// <summary>Holds the snapshot; returns read options that read through it.</summary>
    internal IntPtr Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        _handle.DangerousAddRef(ref added);
        return _handle.ReadOptions;
    }

    /// <summary>The <c>rocksdb_snapshot_t*</c> itself, for an iterator's own read options (hold it with <see cref="Enter"/>).</summary>
    internal IntPtr NativeSnapshot => _handle.DangerousGetHandle();

    internal void Exit() => _handle.DangerousRelease();

    /// <summary>The snapshot and read options using it; releasing it lets go of the database too.</summary>
    private sealed class SnapshotHandle : SafeHandle
    {
        private readonly RocksDatabase _database;
        private readonly IntPtr _db;

        /// <summary>Takes over the reference the caller took on the database with <see cref="RocksDatabase.Enter"/>.</summary>
        public SnapshotHandle(RocksDatabase database, IntPtr db)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _database = database;
            _db = db;
            var snapshot = RocksNative.rocksdb_create_snapshot(db);
            if (snapshot == IntPtr.Zero)
            {
                throw new RocksDbException("RocksDB returned no snapshot");
            }

            ReadOptions = RocksNative.rocksdb_readoptions_create();
            RocksNative.rocksdb_readoptions_set_snapshot(ReadOptions, snapshot);
            SetHandle(snapshot);
        }

        public IntPtr ReadOptions { get; }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            RocksNative.rocksdb_readoptions_destroy(ReadOptions);
            RocksNative.rocksdb_release_snapshot(_db, handle);
            _database.Exit();
            return true;
        }
    }
}
