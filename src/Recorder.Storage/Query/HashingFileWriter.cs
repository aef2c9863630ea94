using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>
/// A write-only file stream over a <see cref="WriteBehindFile"/>: extracting a large flow costs the
/// slower of reading and hashing, not the sum. <see cref="Finish"/> returns the hash of exactly the
/// bytes written, flushed to disk.
/// </summary>
internal sealed class HashingFileWriter(string path) : Stream
{
    private readonly WriteBehindFile _file = new(path);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    /// <summary>Writes everything, flushes the file to disk, and returns the SHA-256 of its bytes.</summary>
    public string Finish() => _file.Finish();

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
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
