using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Recorder.Core.Hashing;

namespace Recorder.Storage.Import;

/// <summary>
/// Reads an input file for the parser and, on two more threads, hashes exactly the bytes read and
/// writes them to a copy: one pass over the input gives the parse, the SHA-256 and the verbatim
/// segment file, with hashing and writing (directly to disk, see <see cref="Store.DirectAppendFile"/>)
/// in parallel. A reader thread reads the input ahead in large aligned chunks; the hasher hashes each
/// chunk and the writer writes it as it is, while the parser is handed copies of its bytes, so the
/// hash is of the bytes written and parsed: both the input's and the copy's.
/// </summary>
internal sealed class VerbatimCopyStream : Stream
{
    private const int ChunkSize = 8 * 1024 * 1024;
    private const int Chunks = 6;

    private readonly FileStream _input;
    private readonly Store.DirectAppendFile _output;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Channel<Chunk> _toHash = Channel.CreateBounded<Chunk>(Chunks);
    private readonly Channel<Chunk> _toWrite = Channel.CreateBounded<Chunk>(Chunks);
    private readonly Channel<Chunk> _toParse = Channel.CreateBounded<Chunk>(Chunks);
    private readonly Channel<Chunk> _free = Channel.CreateUnbounded<Chunk>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Chunk> _all = [];
    private readonly Task _hasher;
    private readonly Task _writer;
    private readonly Task _reader;
    private Chunk? _current;
    private int _currentPosition;
    private long _read;
    private long _position;
    private bool _completed;
    private bool _disposed;

    public VerbatimCopyStream(string input, string output, long length)
    {
        _input = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _output = new Store.DirectAppendFile(output);
        _length = length;

        // A fixed set of aligned buffers circulates: fresh arrays per chunk would cost a gigabyte of
        // allocations (and the kernel's page zeroing) per gigabyte copied, and aligned ones are
        // written to disk without another copy.
        for (var i = 0; i < Chunks; i++)
        {
            var chunk = new Chunk(ChunkSize);
            _all.Add(chunk);
            _free.Writer.TryWrite(chunk);
        }

        _hasher = Task.Run(() => Drain(_toHash, chunk => _hash.AppendData(chunk.Bytes)));
        _writer = Task.Run(() => Drain(_toWrite, chunk => _output.Append(chunk.Bytes)));
        _reader = Task.Run(ReadAhead);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_current is null || _currentPosition == _current.Count)
        {
            if (!NextChunk())
            {
                return 0;
            }
        }

        var take = Math.Min(buffer.Length, _current!.Count - _currentPosition);
        _current.Bytes.Slice(_currentPosition, take).CopyTo(buffer);
        _currentPosition += take;
        _position += take;
        return take;
    }

    /// <summary>
    /// Copies whatever the parser did not read (up to the length fixed at the start), waits for the
    /// copy, flushes it to disk and returns the SHA-256 of every byte.
    /// </summary>
    public string Complete()
    {
        while (NextChunk())
        {
        }

        _completed = true;
        Task.WhenAll(_reader, _hasher, _writer).GetAwaiter().GetResult();
        if (_read < _length)
        {
            throw new IOException($"{_input.Name}: the file shrank while being imported ({_read} of {_length} bytes)");
        }

        _output.Finish();
        return Hex.Lower(_hash.GetHashAndReset());
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (!_completed)
            {
                _stop.Cancel();
                _toParse.Writer.TryComplete();
                _toHash.Writer.TryComplete();
                _toWrite.Writer.TryComplete();
                try
                {
                    Task.WhenAll(_reader, _hasher, _writer).Wait();
                }
                catch (AggregateException)
                {
                    // Abandoned copy: the importer deletes the file; the parse failure is what it reports.
                }
            }

            _input.Dispose();
            _output.Dispose();
            _hash.Dispose();
            _stop.Dispose();

            // Every queue is finished: no task touches a chunk any more.
            foreach (var chunk in _all)
            {
                chunk.Free();
            }

            _all.Clear();
        }

        base.Dispose(disposing);
    }

    /// <summary>Hands the parser's chunk back and takes the next one the reader filled; false at the end of the input.</summary>
    private bool NextChunk()
    {
        if (_current is not null)
        {
            Release(_current);
            _current = null;
        }

        while (!_toParse.Reader.TryRead(out _current))
        {
            // Throws what stopped the reader, hasher or writer; false when the input is read.
            if (!_toParse.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                return false;
            }
        }

        _currentPosition = 0;
        return true;
    }

    /// <summary>Reads the input into free chunks (full ones, up to the length fixed at the start) for the parser, the hasher and the writer.</summary>
    private async Task ReadAhead()
    {
        try
        {
            while (_read < _length)
            {
                var chunk = await _free.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var wanted = (int)Math.Min(ChunkSize, _length - _read);
                var filled = 0;
                while (filled < wanted)
                {
                    var read = _input.Read(chunk.Region(filled, wanted - filled));
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                if (filled == 0)
                {
                    // The file shrank: Complete reports it.
                    _free.Writer.TryWrite(chunk);
                    break;
                }

                chunk.Count = filled;
                chunk.Pending = 3;
                _read += filled;
                await _toHash.Writer.WriteAsync(chunk, _stop.Token).ConfigureAwait(false);
                await _toWrite.Writer.WriteAsync(chunk, _stop.Token).ConfigureAwait(false);
                await _toParse.Writer.WriteAsync(chunk, _stop.Token).ConfigureAwait(false);
            }

            _toParse.Writer.TryComplete();
            _toHash.Writer.TryComplete();
            _toWrite.Writer.TryComplete();
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    private void Release(Chunk chunk)
    {
        if (Interlocked.Decrement(ref chunk.Pending) == 0)
        {
            _free.Writer.TryWrite(chunk);
        }
    }

    private async Task Drain(Channel<Chunk> channel, Action<Chunk> work)
    {
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                work(chunk);
                Release(chunk);
            }
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>A failed read or write (disk full) closes every queue, so no side waits for the others.</summary>
    private void Fail(Exception e)
    {
        _toParse.Writer.TryComplete(e);
        _toHash.Writer.TryComplete(e);
        _toWrite.Writer.TryComplete(e);
        _free.Writer.TryComplete(e);
    }

    /// <summary>One aligned buffer of native memory, freed explicitly once no task uses it.</summary>
    private sealed unsafe class Chunk(int capacity)
    {
        public int Pending;

        private byte* _start = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, Store.DirectAppendFile.Alignment);

        public int Count { get; set; }

        public ReadOnlySpan<byte> Bytes => new(_start, Count);

        public Span<byte> Region(int offset, int length)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, capacity);
            return new Span<byte>(_start + offset, length);
        }

        public void Free()
        {
            NativeMemory.AlignedFree(_start);
            _start = null;
        }
    }
}
