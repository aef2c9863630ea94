using static Recorder.Index.Rocks.RocksNative;

namespace Recorder.Index.Rocks;

/// <summary>
/// A batch of writes that <see cref="RocksDatabase.Write"/> applies atomically. RocksDB copies keys and
/// values into the batch and records column families by id, so nothing given here needs to outlive the call.
/// </summary>
internal sealed unsafe class RocksWriteBatch : IDisposable
{
    private IntPtr _handle;

    /// <summary>Creates an empty batch.</summary>
    public RocksWriteBatch() => _handle = rocksdb_writebatch_create();

    /// <summary>Operations in the batch.</summary>
    public int Count => rocksdb_writebatch_count(Handle);

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RocksWriteBatch));

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public RocksWriteBatch Put(RocksColumnFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(family);
        var batch = Handle;
        byte empty = 0;
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            // An empty span pins to null; RocksDB's Slice wants a valid pointer even for 0 bytes.
            rocksdb_writebatch_put_cf(batch, family.Handle, k == null ? &empty : k, (nuint)key.Length, v == null ? &empty : v, (nuint)value.Length);
        }

        return this;
    }

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public RocksWriteBatch Delete(RocksColumnFamily family, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(family);
        var batch = Handle;
        byte empty = 0;
        fixed (byte* k = key)
        {
            rocksdb_writebatch_delete_cf(batch, family.Handle, k == null ? &empty : k, (nuint)key.Length);
        }

        return this;
    }

    /// <summary>Empties the batch (after it was written) for the next writes.</summary>
    public void Clear() => rocksdb_writebatch_clear(Handle);

    /// <inheritdoc />
    public void Dispose()
    {
        var handle = _handle;
        _handle = IntPtr.Zero;
        if (handle != IntPtr.Zero)
        {
            rocksdb_writebatch_destroy(handle);
        }
    }
}
