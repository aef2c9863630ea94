using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Recorder.Sessions.Files;

/// <summary>
/// Undoes one HTTP content coding (RFC 9110 §8.4.1) incrementally: octets are fed as they arrive
/// and decoded octets are read until the decoder needs more. The System.IO.Compression streams do
/// not report a truncated input, so the end is checked here: gzip by its ISIZE trailer, zlib by
/// its Adler-32 trailer, Brotli by the decoder's own end state; raw deflate has no trailer and is
/// trusted to the HTTP framing.
/// </summary>
internal abstract class ContentDecoder : IDisposable
{
    /// <summary>The decoder for a single coding name, or null when Recorder does not decode it.</summary>
    public static ContentDecoder? Create(string coding) => coding.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => new InflateDecoder(InflateFormat.Gzip),
        "deflate" => new InflateDecoder(InflateFormat.Sniff),
        "br" => new BrotliContentDecoder(),
        _ => null,
    };

    /// <summary>Gives the decoder more encoded octets (copied).</summary>
    public abstract void Feed(ReadOnlySpan<byte> encoded);

    /// <summary>Decoded octets into <paramref name="output"/>; 0 when more input is needed or the data ended. Throws <see cref="InvalidDataException"/> on malformed data.</summary>
    public abstract int Read(Span<byte> output);

    /// <summary>After the last input and the last read: null when the coded data ended where its format says, else why not.</summary>
    public abstract string? CheckEnd(long decodedLength);

    /// <inheritdoc />
    public abstract void Dispose();
}

internal enum InflateFormat
{
    Gzip,
    Zlib,
    Raw,

    // "deflate" is zlib (RFC 9110 §8.4.1.2), yet some servers send raw deflate: look at the first two octets.
    Sniff,
}

/// <summary>Encoded octets waiting for a pull-based decompression stream; reading returns 0 when none wait.</summary>
internal sealed class FeedStream : Stream
{
    private byte[] buffer = [];
    private int start;
    private int count;

    public int Available => count;

    public ReadOnlySpan<byte> Pending => buffer.AsSpan(start, count);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (start + count + data.Length > buffer.Length)
        {
            if (count + data.Length > buffer.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(count + data.Length);
                Pending.CopyTo(grown);
                Release();
                buffer = grown;
            }
            else
            {
                Pending.CopyTo(buffer);
            }

            start = 0;
        }

        data.CopyTo(buffer.AsSpan(start + count));
        count += data.Length;
    }

    public void Consume(int octets)
    {
        start += octets;
        count -= octets;
    }

    public override int Read(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, count);
        buffer.AsSpan(start, n).CopyTo(destination);
        start += n;
        count -= n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    private void Release()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = [];
    }
}

internal sealed class InflateDecoder(InflateFormat format) : ContentDecoder
{
    private const uint AdlerModulus = 65521;

    private readonly FeedStream feed = new();
    private readonly byte[] tail = new byte[8];
    private InflateFormat format = format;
    private Stream? inflater;
    private long tailLength;
    private uint adlerA = 1;
    private uint adlerB;

    public override void Feed(ReadOnlySpan<byte> encoded)
    {
        feed.Append(encoded);
        if (encoded.Length >= 8)
        {
            encoded[^8..].CopyTo(tail);
        }
        else
        {
            tail.AsSpan(encoded.Length).CopyTo(tail);
            encoded.CopyTo(tail.AsSpan(8 - encoded.Length));
        }

        tailLength += encoded.Length;
    }

    public override int Read(Span<byte> output)
    {
        if (inflater is null)
        {
            if (format == InflateFormat.Sniff)
            {
                if (feed.Available < 2)
                {
                    return 0;
                }

                // A zlib header: compression method 8 and a header checksum (RFC 1950 §2.2).
                var header = feed.Pending;
                format = (header[0] & 0x0F) == 8 && (header[0] * 256 + header[1]) % 31 == 0 ? InflateFormat.Zlib : InflateFormat.Raw;
            }

            inflater = format switch
            {
                InflateFormat.Gzip => new GZipStream(feed, CompressionMode.Decompress, leaveOpen: true),
                InflateFormat.Zlib => new ZLibStream(feed, CompressionMode.Decompress, leaveOpen: true),
                _ => new DeflateStream(feed, CompressionMode.Decompress, leaveOpen: true),
            };
        }

        var n = inflater.Read(output);
        if (format == InflateFormat.Zlib)
        {
            UpdateAdler(output[..n]);
        }

        return n;
    }

    public override string? CheckEnd(long decodedLength)
    {
        switch (format)
        {
            case InflateFormat.Gzip:
                // ISIZE: the uncompressed length modulo 2^32, the member's last four octets (RFC 1952 §2.3.1).
                return tailLength >= 18 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(4)) == (uint)decodedLength
                    ? null
                    : "gzip data ended before its trailer (ISIZE does not match the decoded length)";
            case InflateFormat.Zlib:
                var adler = (adlerB << 16) | adlerA;
                return tailLength >= 6 && BinaryPrimitives.ReadUInt32BigEndian(tail.AsSpan(4)) == adler
                    ? null
                    : "zlib data ended before its trailer (Adler-32 does not match the decoded octets)";
            case InflateFormat.Sniff:
                return tailLength == 0 ? null : "deflate data shorter than its header";
            default:
                return null;
        }
    }

    public override void Dispose()
    {
        inflater?.Dispose();
        feed.Dispose();
    }

    // RFC 1950 §8.2; sums are reduced every 5552 octets so that they cannot overflow.
    private void UpdateAdler(ReadOnlySpan<byte> data)
    {
        uint a = adlerA, b = adlerB;
        while (!data.IsEmpty)
        {
            var block = data[..Math.Min(data.Length, 5552)];
            foreach (var octet in block)
            {
                a += octet;
                b += a;
            }

            a %= AdlerModulus;
            b %= AdlerModulus;
            data = data[block.Length..];
        }

        adlerA = a;
        adlerB = b;
    }
}

internal sealed class BrotliContentDecoder : ContentDecoder
{
    private readonly FeedStream feed = new();
    private BrotliDecoder decoder;
    private bool done;

    public override void Feed(ReadOnlySpan<byte> encoded) => feed.Append(encoded);

    public override int Read(Span<byte> output)
    {
        if (done || output.IsEmpty)
        {
            return 0;
        }

        var status = decoder.Decompress(feed.Pending, output, out var consumed, out var written);
        feed.Consume(consumed);
        switch (status)
        {
            case OperationStatus.Done:
                done = true;
                break;
            case OperationStatus.InvalidData:
                throw new InvalidDataException("malformed Brotli data");
        }

        return written;
    }

    public override string? CheckEnd(long decodedLength) => done ? null : "Brotli data ended before its last meta-block";

    public override void Dispose()
    {
        decoder.Dispose();
        feed.Dispose();
    }
}
