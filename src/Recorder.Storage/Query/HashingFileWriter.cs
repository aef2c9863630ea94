using System.Security.Cryptography;
using Recorder.Core.Hashing;

namespace Recorder.Storage.Query;

/// <summary>
/// A write-only file stream that hashes (SHA-256) and writes on a background task while the caller
/// fills the next buffer: extracting a large flow costs the slower of reading and hashing, not the
/// sum. <see cref="Finish"/> returns the hash of exactly the bytes written, flushed to disk.
/// </summary>
internal sealed class HashingFileWriter : Stream
{
    private const int BufferSize = 4 * 1024 * 1024;

    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = new byte[BufferSize];
    private byte[] _spare = new byte[BufferSize];
    private int _used;
    private Task _pending = Task.CompletedTask;
    private long _written;
    private string? _sha256;

    public HashingFileWriter(string path) =>
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_sha256 is not null)
        {
            throw new InvalidOperationException("the file is finished");
        }

        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, BufferSize - _used);
            buffer[..take].CopyTo(_buffer.AsSpan(_used));
            _used += take;
            _written += take;
            buffer = buffer[take..];
            if (_used == BufferSize)
            {
                HandOff();
            }
        }
    }

    /// <summary>Writes everything, flushes the file to disk, and returns the SHA-256 of its bytes.</summary>
    public string Finish()
    {
        if (_sha256 is null)
        {
            HandOff();
            _pending.GetAwaiter().GetResult();
            _file.Flush(flushToDisk: true);
            _sha256 = Hex.Lower(_hash.GetHashAndReset());
        }

        return _sha256;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _pending.Wait();
            }
            catch (AggregateException)
            {
                // The caller is abandoning the file (and deletes it); the failure was or will be reported by Finish.
            }

            _file.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void HandOff()
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
        _pending = Task.Run(() =>
        {
            _hash.AppendData(full, 0, count);
            _file.Write(full, 0, count);
        });
    }
}
