namespace Recorder.Core.Indexing;

/// <summary>Unsigned LEB128 varints, the encoding of every position list in the index.</summary>
public static class Varint
{
    /// <summary>Largest encoded size of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/>; returns the bytes used.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = unchecked((byte)(value | 0x80));
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a value at <paramref name="offset"/> and advances it.</summary>
    public static ulong Read(ReadOnlySpan<byte> source, ref int offset)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (offset >= source.Length || shift > 63)
            {
                throw new FormatException("truncated or overlong varint");
            }

            var b = source[offset++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
        }
    }

    /// <summary>Appends a varint to a growable buffer.</summary>
    public static void Append(ref byte[] buffer, ref int length, ulong value)
    {
        if (buffer.Length - length < MaxLength)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + MaxLength));
        }

        length += Write(buffer.AsSpan(length), value);
    }

    /// <summary>Decodes a delta-encoded ascending list (first value absolute).</summary>
    public static List<long> ReadDeltas(ReadOnlySpan<byte> source)
    {
        var values = new List<long>();
        var offset = 0;
        long current = 0;
        while (offset < source.Length)
        {
            current = checked(current + (long)Read(source, ref offset));
            values.Add(current);
        }

        return values;
    }

    /// <summary>Encodes an ascending list as deltas (first value absolute).</summary>
    public static byte[] WriteDeltas(IEnumerable<long> ascending)
    {
        ArgumentNullException.ThrowIfNull(ascending);
        var buffer = new byte[16];
        var length = 0;
        long previous = 0;
        foreach (var value in ascending)
        {
            if (value < previous)
            {
                throw new ArgumentException("values must be ascending", nameof(ascending));
            }

            Append(ref buffer, ref length, (ulong)(value - previous));
            previous = value;
        }

        return buffer.AsSpan(0, length).ToArray();
    }
}
