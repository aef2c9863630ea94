using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Recorder.Core.Hashing;

namespace Recorder.Storage.Import;

/// <summary>
/// Reads an input file for the parser and, on a second thread, hashes exactly the bytes read and
/// writes them to a copy: one pass over the input gives the parse, the SHA-256 and the verbatim
/// segment file. The hash is of the bytes written, so it is both the input's and the copy's.
/// </summary>
internal sealed class VerbatimCopyStream : Stream
{
    private readonly FileStream _input;
    private readonly FileStream _output;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Channel<(byte[] Buffer, int Count)> _chunks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(4)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task _writer;
    private long _position;
    private bool _completed;

    public VerbatimCopyStream(string input, string output, long length)
    {
        _input = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _output = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
        _length = length;
        _writer = Task.Run(WriteChunks);
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

    /// <summary>Bytes copied so far.</summary>
    public long Copied => _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var allowed = (int)Math.Min(buffer.Length, _length - _position);
        if (allowed <= 0)
        {
            return 0;
        }

        var read = _input.Read(buffer[..allowed]);
        if (read > 0)
        {
            var copy = ArrayPool<byte>.Shared.Rent(read);
            buffer[..read].CopyTo(copy);
            if (!_chunks.Writer.TryWrite((copy, read)))
            {
                _chunks.Writer.WriteAsync((copy, read)).AsTask().GetAwaiter().GetResult();
            }

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
        _chunks.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
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
                _chunks.Writer.TryComplete();
                try
                {
                    _writer.Wait();
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

    private async Task WriteChunks()
    {
        try
        {
            await foreach (var (buffer, count) in _chunks.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    _hash.AppendData(buffer, 0, count);
                    var offset = _output.Position;
                    _output.Write(buffer, 0, count);
                    Store.Writeback.Start(_output.SafeFileHandle, offset, count);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e)
        {
            // A failed write (disk full) closes the channel, so the reading side fails instead of waiting.
            _chunks.Writer.TryComplete(e);
            throw;
        }
    }
}
