using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Recorder.Storage.Segments;

/// <summary>
/// A file read front to back, the reading done by a second thread a few chunks ahead of the consumer:
/// the kernel's copy of the file's pages (or, for a segment just written with <c>O_DIRECT</c> and so
/// not in the page cache, the read from the disk) runs on another core while the consumer parses the
/// chunk before. Read-only, forward-only; a read error is thrown to the consumer at the position it
/// happened.
/// </summary>
public sealed class ReadAheadFileStream : Stream
{
    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly BlockingCollection<byte[]> _free = new();
    private readonly BlockingCollection<(byte[]? Buffer, int Count, Exception? Error)> _filled = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private byte[]? _current;
    private int _currentCount;
    private int _currentOffset;
    private long _position;
    private bool _ended;

    /// <summary>Opens <paramref name="path"/>; <paramref name="chunks"/> buffers of <paramref name="chunkBytes"/> circulate between the two threads.</summary>
    public ReadAheadFileStream(string path, int chunkBytes = 4 * 1024 * 1024, int chunks = 3)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 2);
        _path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        Length = RandomAccess.GetLength(_handle);
        for (var i = 0; i < chunks; i++)
        {
            _free.Add(new byte[chunkBytes]);
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

        while (_current is null || _currentOffset == _currentCount)
        {
            if (_ended)
            {
                return 0;
            }

            if (_current is not null)
            {
                _free.Add(_current);
                _current = null;
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

            if (next is null || count == 0)
            {
                _ended = true;
                return 0;
            }

            (_current, _currentCount, _currentOffset) = (next, count, 0);
        }

        var copied = Math.Min(buffer.Length, _currentCount - _currentOffset);
        _current.AsSpan(_currentOffset, copied).CopyTo(buffer);
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
        }

        base.Dispose(disposing);
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
                while (count < buffer.Length)
                {
                    var read = RandomAccess.Read(_handle, buffer.AsSpan(count), offset + count);
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
            _filled.Add((null, 0, e));
        }
        finally
        {
            _filled.CompleteAdding();
        }
    }
}
