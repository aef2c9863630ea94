using System.Runtime.InteropServices;
using static Recorder.Index.Rocks.RocksNative;

namespace Recorder.Index.Rocks;

/// <summary>How an iterator reads. The bounds are copied when the iterator is created.</summary>
internal sealed record RocksIteratorOptions
{
    /// <summary>Every key, prefix extractors honoured (RocksDB's default read options).</summary>
    public static readonly RocksIteratorOptions Default = new();

    /// <summary>Only keys ≥ this (null: no lower bound).</summary>
    public byte[]? LowerBound { get; init; }

    /// <summary>Only keys &lt; this (null: no upper bound).</summary>
    public byte[]? UpperBound { get; init; }

    /// <summary>Ignore the column family's prefix extractor: seek and iterate in total key order.</summary>
    public bool TotalOrderSeek { get; init; }

    /// <summary>Stop where the key's prefix (per the prefix extractor) changes from the one sought.</summary>
    public bool PrefixSameAsStart { get; init; }

    /// <summary>Read as of this snapshot (null: the latest state when the iterator is created).</summary>
    public RocksSnapshot? Snapshot { get; init; }
}

/// <summary>
/// An iterator over one column family. <see cref="Key"/> and <see cref="Value"/> point into RocksDB's
/// memory and are valid until the next move or <see cref="Dispose"/>. Not for concurrent use.
/// </summary>
/// <remarks>
/// RocksDB keeps pointers to the read options and, through them, to the bounds for the whole life
/// of the iterator; the iterator therefore owns both (created with it, freed after it), and holds
/// its database and snapshot open until it is disposed.
/// </remarks>
internal sealed unsafe class RocksIterator : IDisposable
{
    private readonly RocksDatabase _database;
    private readonly RocksSnapshot? _snapshot;
    private IntPtr _iterator;
    private IntPtr _readOptions;
    private void* _bounds;
    private bool _released;

    internal RocksIterator(RocksDatabase database, RocksColumnFamily family, RocksIteratorOptions options)
    {
        _database = database;
        var db = database.Enter();
        try
        {
            if (options.Snapshot is not null)
            {
                options.Snapshot.Enter();
                _snapshot = options.Snapshot;
            }

            _readOptions = rocksdb_readoptions_create();
            var lower = options.LowerBound;
            var upper = options.UpperBound;
            var boundBytes = (lower?.Length ?? 0) + (upper?.Length ?? 0);
            if (lower is not null || upper is not null)
            {
                _bounds = NativeMemory.Alloc((nuint)Math.Max(1, boundBytes));
            }

            var next = (byte*)_bounds;
            if (lower is not null)
            {
                lower.CopyTo(new Span<byte>(next, lower.Length));
                rocksdb_readoptions_set_iterate_lower_bound(_readOptions, next, (nuint)lower.Length);
                next += lower.Length;
            }

            if (upper is not null)
            {
                upper.CopyTo(new Span<byte>(next, upper.Length));
                rocksdb_readoptions_set_iterate_upper_bound(_readOptions, next, (nuint)upper.Length);
            }

            rocksdb_readoptions_set_total_order_seek(_readOptions, options.TotalOrderSeek ? (byte)1 : (byte)0);
            rocksdb_readoptions_set_prefix_same_as_start(_readOptions, options.PrefixSameAsStart ? (byte)1 : (byte)0);
            if (_snapshot is not null)
            {
                rocksdb_readoptions_set_snapshot(_readOptions, _snapshot.NativeSnapshot);
            }

            _iterator = rocksdb_create_iterator_cf(db, _readOptions, family.Handle);
            if (_iterator == IntPtr.Zero)
            {
                throw new RocksDbException("RocksDB returned no iterator");
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>True while positioned on an entry. False at the end; throws <see cref="RocksDbException"/> when the iteration stopped on an error instead.</summary>
    public bool Valid
    {
        get
        {
            var iterator = Live;
            if (rocksdb_iter_valid(iterator) != 0)
            {
                return true;
            }

            rocksdb_iter_get_error(iterator, out var error);
            Check(error);
            return false;
        }
    }

    /// <summary>The current key (valid until the next move).</summary>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            var pointer = rocksdb_iter_key(Live, out var length);
            return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
        }
    }

    /// <summary>The current value (valid until the next move).</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            var pointer = rocksdb_iter_value(Live, out var length);
            return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
        }
    }

    private IntPtr Live => _iterator != IntPtr.Zero ? _iterator : throw new ObjectDisposedException(nameof(RocksIterator));

    /// <summary>Positions at the first key ≥ <paramref name="key"/> (within the bounds).</summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        var iterator = Live;
        fixed (byte* k = key)
        {
            rocksdb_iter_seek(iterator, k, (nuint)key.Length);
        }
    }

    /// <summary>Positions at the first key (within the bounds).</summary>
    public void SeekToFirst() => rocksdb_iter_seek_to_first(Live);

    /// <summary>Moves to the next key; only while <see cref="Valid"/>.</summary>
    public void Next() => rocksdb_iter_next(Live);

    /// <inheritdoc />
    public void Dispose() => Release();

    /// <summary>The iterator first, then what it pointed to, then the holds on snapshot and database.</summary>
    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (_iterator != IntPtr.Zero)
        {
            rocksdb_iter_destroy(_iterator);
            _iterator = IntPtr.Zero;
        }

        if (_readOptions != IntPtr.Zero)
        {
            rocksdb_readoptions_destroy(_readOptions);
            _readOptions = IntPtr.Zero;
        }

        NativeMemory.Free(_bounds);
        _bounds = null;
        _snapshot?.Exit();
        _database.Exit();
    }
}
