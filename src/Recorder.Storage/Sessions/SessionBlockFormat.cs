using System.Buffers;
using System.Buffers.Binary;

namespace Recorder.Storage.Sessions;

/// <summary>
/// Constants and primitives of the session metadata file <c>IIIIIIIIIIII.sessions.jsonl.zst</c>
/// (docs/sessions.md, "Session index"): zstd frames of whole JSON lines, then the term index in a
/// zstd skippable frame, then a fixed 20-byte footer (another skippable frame) pointing at it. A
/// standard <c>zstd -dc</c> ignores skippable frames, so it prints exactly the version-1 JSON Lines.
/// </summary>
public static class SessionBlockFormat
{
    /// <summary>Skippable frame magic of the index frame (RFC 8878 §3.1.2: 0x184D2A50–5F).</summary>
    public const uint IndexFrameMagic = 0x184D2A5E;

    /// <summary>Skippable frame magic of the footer frame.</summary>
    public const uint FooterFrameMagic = 0x184D2A5F;

    /// <summary>Bytes of the footer: magic, length 12, "RSX1", index frame offset (u64), all little-endian.</summary>
    public const int FooterBytes = 20;

    /// <summary>The footer's tag: "RSX1" (Recorder session index, format 1).</summary>
    public static ReadOnlySpan<byte> FooterTag => "RSX1"u8;

    /// <summary>The index payload's first bytes (after zstd decompression): "RSIX" then version 1.</summary>
    public static ReadOnlySpan<byte> IndexTag => "RSIX"u8;

    /// <summary>The index payload's format version.</summary>
    public const byte IndexVersion = 1;

    /// <summary>Uncompressed bytes of JSON lines per block (a longer single line is a block of its own).</summary>
    public const int BlockBytes = 128 * 1024;

    /// <summary>zstd level of the blocks and the index (measured in docs/benchmarks.md, "Session metadata (issue 12)").</summary>
    public const int CompressionLevel = 9;

    /// <summary>Writes <paramref name="value"/> as unsigned LEB128.</summary>
    public static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)((value & 0x7F) | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    /// <summary>Writes a little-endian 64-bit integer.</summary>
    public static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        ArgumentNullException.ThrowIfNull(output);
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }
}

/// <summary>Reads the index payload's primitives; every read is bounds-checked and a bad one throws <see cref="SessionIndexCorruptException"/>.</summary>
internal ref struct IndexReader
{
    private readonly ReadOnlySpan<byte> _data;

    public IndexReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        Position = position;
    }

    public int Position { get; private set; }

    public readonly bool AtEnd => Position >= _data.Length;

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (Position >= _data.Length)
            {
                throw new SessionIndexCorruptException($"index truncated at byte {Position}");
            }

            var b = _data[Position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new SessionIndexCorruptException($"varint too long at byte {Position}");
    }

    public int Count(long limit)
    {
        var value = Varint();
        if (value > (ulong)Math.Min(limit, int.MaxValue))
        {
            throw new SessionIndexCorruptException($"count {value} at byte {Position} exceeds {limit}");
        }

        return (int)value;
    }

    public byte Byte() => Position < _data.Length ? _data[Position++] : throw new SessionIndexCorruptException($"index truncated at byte {Position}");

    public long Int64()
    {
        var bytes = Bytes(8);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    public ReadOnlySpan<byte> Bytes(int length)
    {
        if (length < 0 || length > _data.Length - Position)
        {
            throw new SessionIndexCorruptException($"{length} bytes at byte {Position} run past the index ({_data.Length} bytes)");
        }

        var span = _data.Slice(Position, length);
        Position += length;
        return span;
    }
}

/// <summary>A session metadata file's index or blocks do not read as the format says; names the file and what is wrong.</summary>
public sealed class SessionIndexCorruptException : Exception
{
    /// <summary>Creates the exception with what is wrong (the file is added by the reader that catches it).</summary>
    public SessionIndexCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with what is wrong and the cause.</summary>
    public SessionIndexCorruptException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
