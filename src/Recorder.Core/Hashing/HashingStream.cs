using System.Security.Cryptography;

namespace Recorder.Core.Hashing;

/// <summary>
/// A write-only stream that passes bytes through to an inner stream (if any) while computing their
/// SHA-256 and counting them: the hash printed for an output file is the hash of the bytes written.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream? _inner;
    private readonly bool _ownsInner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _final;

    /// <summary>Creates the stream over <paramref name="inner"/> (null: hash and count only).</summary>
    public HashingStream(Stream? inner, bool ownsInner = true)
    {
        _inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => BytesWritten;

    /// <inheritdoc />
    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 of everything written; no more writes are allowed after this.</summary>
    public byte[] GetHash() => _final ??= _hash.GetHashAndReset();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_final is not null)
        {
            throw new InvalidOperationException("hash already taken");
        }

        _hash.AppendData(buffer);
        _inner?.Write(buffer);
        BytesWritten += buffer.Length;
    }

    /// <inheritdoc />
    public override void Flush() => _inner?.Flush();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (_ownsInner)
            {
                _inner?.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
