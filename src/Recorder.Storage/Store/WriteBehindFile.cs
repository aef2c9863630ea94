using System.Buffers;
using System.Security.Cryptography;
using Recorder.Core.Hashing;

namespace Recorder.Storage.Store;

/// <summary>
/// A new file written through two large buffers: while the caller fills one, a background task
/// writes the other (directly to disk where the system allows, see <see cref="DirectAppendFile"/>)
/// and, in parallel, hashes it (SHA-256), so producing the bytes, writing them and hashing them overlap. <see cref="Finish"/> flushes the file to disk and returns
/// the hash of exactly the bytes appended. Used for segments and for extraction outputs.
/// </summary>
internal sealed class WriteBehindFile : IDisposable
{
    /// <summary>The largest span <see cref="GetSpan"/> hands out.</summary>
    public const int BufferSize = 4 * 1024 * 1024;

    private readonly DirectAppendFile _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    // Pooled: a service writes an output per query, and two fresh 4 MiB arrays (zeroed, then faulted
    // in page by page) cost more than a needle's whole query.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private byte[] _spare = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;
    private Task _pending = Task.CompletedTask;
    private string? _sha256;

    /// <summary>Creates the file; it must not exist.</summary>
    public WriteBehindFile(string path)
    {
        Path = path;
        _file = new DirectAppendFile(path);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Bytes appended so far (written or buffered).</summary>
    public long Length { get; private set; }

    /// <summary>Room for <paramref name="size"/> bytes (at most <see cref="BufferSize"/>); <see cref="Advance"/> commits them.</summary>
    public Span<byte> GetSpan(int size)
    {
        ThrowIfFinished();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, BufferSize);
        if (BufferSize - _used < size)
        {
            Rotate();
        }

        return _buffer.AsSpan(_used, size);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the last <see cref="GetSpan"/>.</summary>
    public void Advance(int count)
    {
        _used += count;
        Length += count;
    }

    /// <summary>Appends bytes of any length.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        ThrowIfFinished();
        while (!bytes.IsEmpty)
        {
            if (_used == BufferSize)
            {
                Rotate();
            }

            var take = Math.Min(bytes.Length, BufferSize - _used);
            bytes[..take].CopyTo(_buffer.AsSpan(_used));
            Advance(take);
            bytes = bytes[take..];
        }
    }

    /// <summary>Hands everything buffered to the operating system, readable by other processes (not yet durable).</summary>
    public void FlushToOperatingSystem()
    {
        Rotate();
        _pending.GetAwaiter().GetResult();
        _file.Publish();
    }

    /// <summary>Writes everything, flushes the file to disk, closes it and returns the SHA-256 of its bytes.</summary>
    public string Finish()
    {
        if (_sha256 is null)
        {
            Rotate();
            _pending.GetAwaiter().GetResult();
            _file.Finish();
            _sha256 = Hex.Lower(_hash.GetHashAndReset());
        }

        return _sha256;
    }

    /// <summary>Closes the file, finished or not (an unfinished one is the caller's to delete or recover).</summary>
    public void Dispose()
    {
        try
        {
            _pending.Wait();
        }
        catch (AggregateException)
        {
            // The caller is abandoning the file; the failure was or will be reported by whoever awaited the write.
        }

        _file.Dispose();
        _hash.Dispose();
        if (_buffer.Length > 0)
        {
            // No write is pending any more: nothing reads the buffers.
            ArrayPool<byte>.Shared.Return(_buffer);
            ArrayPool<byte>.Shared.Return(_spare);
            _buffer = _spare = [];
        }
    }

    private void ThrowIfFinished()
    {
        if (_sha256 is not null)
        {
            throw new InvalidOperationException($"{Path}: the file is finished");
        }
    }

    private void Rotate()
    {
        _pending.GetAwaiter().GetResult();
        if (_used == 0)
        {
            return;
        }

        var full = _buffer;
        var count = _used;
        _buffer = _spare;
        _spare = full;
        _used = 0;
        // Writing mostly waits for the disk; hashing is processor work: side by side, they take the longer of the two.
        _pending = Task.WhenAll(
            Task.Run(() => _file.Append(full.AsSpan(0, count))),
            Task.Run(() => _hash.AppendData(full, 0, count)));
    }
}
