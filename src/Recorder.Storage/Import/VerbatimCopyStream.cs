using System.Security.Cryptography;
using System.Threading.Channels;
using Recorder.Core.Hashing;

namespace Recorder.Storage.Import;

/// <summary>
/// Reads an input file for the parser and, on two more threads, hashes exactly the bytes read and
/// writes them to a copy: one pass over the input gives the parse, the SHA-256 and the verbatim
/// segment file, with hashing and writing in parallel. The hash is of the bytes written, so it is
/// both the input's and the copy's.
/// </summary>
internal sealed class VerbatimCopyStream : Stream
{
    private const int ChunkSize = 4 * 1024 * 1024;
    private const int Chunks = 6;

    private readonly FileStream _input;
    private readonly FileStream _output;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Channel<Chunk> _toHash = Channel.CreateBounded<Chunk>(Chunks);
    private readonly Channel<Chunk> _toWrite = Channel.CreateBounded<Chunk>(Chunks);
    private readonly Channel<Chunk> _free = Channel.CreateUnbounded<Chunk>();
    private readonly Task _hasher;
    private readonly Task _writer;
    private long _position;
    private long _writebackStarted;
    private bool _completed;

    public VerbatimCopyStream(string input, string output, long length)
    {
        _input = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _output = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
        _length = length;

        // A fixed set of buffers circulates: fresh 4 MiB arrays per chunk would cost a gigabyte of
        // allocations (and the kernel's page zeroing) per gigabyte copied.
        for (var i = 0; i < Chunks; i++)
        {
            _free.Writer.TryWrite(new Chunk(new byte[ChunkSize]));
        }

        _hasher = Task.Run(() => Drain(_toHash, chunk => _hash.AppendData(chunk.Buffer, 0, chunk.Count)));
        _writer = Task.Run(() => Drain(_toWrite, chunk =>
        {
            _output.Write(chunk.Buffer, 0, chunk.Count);
            Store.Writeback.After(_output.SafeFileHandle, _output.Position, ref _writebackStarted);
        }));
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
        var allowed = (int)Math.Min(Math.Min(buffer.Length, ChunkSize), _length - _position);
        if (allowed <= 0)
        {
            return 0;
        }

        var read = _input.Read(buffer[..allowed]);
        if (read > 0)
        {
            if (!_free.Reader.TryRead(out var chunk))
            {
                chunk = _free.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
            }

            buffer[..read].CopyTo(chunk.Buffer);
            chunk.Count = read;
            chunk.Pending = 2;
            Post(_toHash, chunk);
            Post(_toWrite, chunk);
            _position += read;
        }

        return read;
    }

    /// <summary>
    /// Copies whatever the parser did not read (up to the length fixed at the start), waits for the
    /// copy, flushes it to disk and returns the SHA-256 of every byte.
    /// </summary>
    public string Complete()
    {
        var rest = new byte[1 << 20];
        while (Read(rest) > 0)
        {
        }

        if (_position < _length)
        {
            throw new IOException($"{_input.Name}: the file shrank while being imported ({_position} of {_length} bytes)");
        }

        _completed = true;
        _toHash.Writer.TryComplete();
        _toWrite.Writer.TryComplete();
        Task.WhenAll(_hasher, _writer).GetAwaiter().GetResult();
        _output.Flush(flushToDisk: true);
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
        if (disposing)
        {
            if (!_completed)
            {
                _toHash.Writer.TryComplete();
                _toWrite.Writer.TryComplete();
                try
                {
                    Task.WhenAll(_hasher, _writer).Wait();
                }
                catch (AggregateException)
                {
                    // Abandoned copy: the importer deletes the file; the parse failure is what it reports.
                }
            }

            _input.Dispose();
            _output.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Post(Channel<Chunk> channel, Chunk chunk)
    {
        if (!channel.Writer.TryWrite(chunk))
        {
            channel.Writer.WriteAsync(chunk).AsTask().GetAwaiter().GetResult();
        }
    }

    private async Task Drain(Channel<Chunk> channel, Action<Chunk> work)
    {
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                work(chunk);
                if (Interlocked.Decrement(ref chunk.Pending) == 0)
                {
                    _free.Writer.TryWrite(chunk);
                }
            }
        }
        catch (Exception e)
        {
            // A failed write (disk full) closes both queues, so the reading side fails instead of waiting.
            _toHash.Writer.TryComplete(e);
            _toWrite.Writer.TryComplete(e);
            _free.Writer.TryComplete(e);
            throw;
        }
    }

    private sealed class Chunk(byte[] buffer)
    {
        public int Pending;

        public byte[] Buffer { get; } = buffer;

        public int Count { get; set; }
    }
}
