using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Recorder.Storage.Segments;

/// <summary>
/// A file read front to back, the reading done by a second thread a few chunks ahead of the consumer:
/// the kernel's copy of the file's pages (or, for a segment just written with <c>O_DIRECT</c> and so
/// not in the page cache, the read from the disk) runs on another core while the consumer parses the
/// chunk before. Read-only, forward-only; a read error is thrown to the consumer at the position it
/// happened. With <c>direct</c> the file is read with <c>O_DIRECT</c> into the stream's own aligned
/// buffers (Linux), bypassing the page cache: a segment the import wrote with <c>O_DIRECT</c> is
/// read once without the cost of filling the page cache with it; where the file system refuses
/// <c>O_DIRECT</c>, and for the file's unaligned tail, reads go through the page cache.
/// </summary>
public sealed unsafe class ReadAheadFileStream : Stream
{
    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly BlockingCollection<nint> _free = new();
    private readonly BlockingCollection<(nint Buffer, int Count, Exception? Error)> _filled = new();
    private readonly List<nint> _buffers = [];
    private readonly int _chunkBytes;
    private bool _direct;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private nint _current;
    private int _currentCount;
    private int _currentOffset;
    private long _position;
    private bool _ended;

    /// <summary>
    /// Opens <paramref name="path"/>; <paramref name="chunks"/> buffers of <paramref name="chunkBytes"/>
    /// circulate between the two threads; <paramref name="direct"/> asks for <c>O_DIRECT</c> reads
    /// (only when <paramref name="chunkBytes"/> is a multiple of 4 096).
    /// </summary>
    public ReadAheadFileStream(string path, int chunkBytes = 4 * 1024 * 1024, int chunks = 3, bool direct = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 2);
        _path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        Length = RandomAccess.GetLength(_handle);
        _chunkBytes = chunkBytes;
        _direct = direct && chunkBytes % 4096 == 0 && Store.DirectAppendFile.SetDirect(_handle, on: true);
        for (var i = 0; i < chunks; i++)
        {
            var buffer = (nint)NativeMemory.AlignedAlloc((nuint)chunkBytes, 4096);
            _buffers.Add(buffer);
            _free.Add(buffer);
        }

        _reader = Task.Factory.StartNew(ReadAhead, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length { get; }

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("a read-ahead stream only reads forward");
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current == 0 || _currentOffset == _currentCount)
        {
            if (_ended)
            {
                return 0;
            }

            if (_current != 0)
            {
                _free.Add(_current);
                _current = 0;
            }

            if (!_filled.TryTake(out var item, Timeout.Infinite))
            {
                throw new IOException($"{_path}: the read-ahead stopped at offset {_position} without an end of file or an error");
            }

            var (next, count, error) = item;
            if (error is not null)
            {
                _ended = true;
                throw new IOException($"{_path}: reading at offset {_position}: {error.Message}", error);
            }

            if (next == 0 || count == 0)
            {
                _ended = true;
                return 0;
            }

            (_current, _currentCount, _currentOffset) = (next, count, 0);
        }

        var copied = Math.Min(buffer.Length, _currentCount - _currentOffset);
        new ReadOnlySpan<byte>((byte*)_current + _currentOffset, copied).CopyTo(buffer);
        _currentOffset += copied;
        _position += copied;
        return copied;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a read-ahead stream only reads forward");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("a read-ahead stream is read-only");

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a read-ahead stream is read-only");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            ((IAsyncResult)_reader).AsyncWaitHandle.WaitOne();
            _handle.Dispose();
            _stop.Dispose();
            _free.Dispose();
            _filled.Dispose();
            foreach (var chunk in _buffers)
            {
                NativeMemory.AlignedFree((void*)chunk);
            }
        }

        base.Dispose(disposing);
    }

    private int ReadAt(Span<byte> into, long offset)
    {
        if (_direct && (offset % 4096 != 0 || into.Length % 4096 != 0))
        {
            // Only the last, short read of the file can be unaligned: it goes through the page cache.
            Store.DirectAppendFile.SetDirect(_handle, on: false);
            _direct = false;
        }

        try
        {
            return RandomAccess.Read(_handle, into, offset);
        }
        catch (IOException) when (_direct)
        {
            // A file system that accepted O_DIRECT at open but refuses the read: read through the cache.
            Store.DirectAppendFile.SetDirect(_handle, on: false);
            _direct = false;
            return RandomAccess.Read(_handle, into, offset);
        }
    }

    private void ReadAhead()
    {
        long offset = 0;
        try
        {
            while (true)
            {
                var buffer = _free.Take(_stop.Token);
                var count = 0;
                while (count < _chunkBytes)
                {
                    var read = ReadAt(new Span<byte>((byte*)buffer + count, _chunkBytes - count), offset + count);
                    if (read == 0)
                    {
                        break;
                    }

                    count += read;
                }

                offset += count;
                _filled.Add((buffer, count, null));
                if (count == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The consumer stopped early (disposed): nothing more to read.
        }
        catch (Exception e)
        {
            // Whatever stopped the reading is the consumer's error, thrown where it reads next: never a silent end of file.
            _filled.Add((0, 0, e));
        }
        finally
        {
            _filled.CompleteAdding();
        }
    }
}
