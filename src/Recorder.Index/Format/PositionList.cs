using Recorder.Core.Indexing;

namespace Recorder.Index.Format;

/// <summary>
/// A flow's packet positions as stored: the delta-varint list of <see cref="FlowEntry.Positions"/>,
/// optionally "quartered". pcapng blocks are 4-byte aligned, so in a segment every block offset and
/// every difference between two is a multiple of 4; dividing each varint by 4 before storing it
/// saves the two low bits, which are always zero.
/// </summary>
internal static class PositionList
{
    /// <summary>Counts the values of a delta-varint list and reports whether all are multiples of 4.</summary>
    /// <exception cref="FormatException">The list is not a well-formed varint sequence, or its sum overflows.</exception>
    public static (long Count, bool AllMultiplesOfFour) Inspect(ReadOnlySpan<byte> positions)
    {
        var offset = 0;
        long count = 0;
        long sum = 0;
        var allMultiples = true;
        while (offset < positions.Length)
        {
            var value = Varint.Read(positions, ref offset);
            sum = checked(sum + checked((long)value));
            allMultiples &= (value & 3) == 0;
            count++;
        }

        return (count, allMultiples);
    }

    /// <summary>Divides every varint by 4 (all must be multiples of 4).</summary>
    public static byte[] Quarter(ReadOnlySpan<byte> positions) => Rescale(positions, divide: true);

    /// <summary>Restores the list as given to the index.</summary>
    public static byte[] Restore(ReadOnlySpan<byte> stored, bool quartered) =>
        quartered ? Rescale(stored, divide: false) : stored.ToArray();

    /// <summary>Decodes the absolute positions.</summary>
    public static long[] Decode(ReadOnlySpan<byte> stored, bool quartered, long expectedCount)
    {
        var values = new long[checked((int)expectedCount)];
        var offset = 0;
        long current = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var delta = Varint.Read(stored, ref offset);
            current = checked(current + checked((long)(quartered ? checked(delta * 4) : delta)));
            values[i] = current;
        }

        if (offset != stored.Length)
        {
            throw new FormatException($"position list holds more than the {expectedCount} positions its flow counts");
        }

        return values;
    }

    private static byte[] Rescale(ReadOnlySpan<byte> source, bool divide)
    {
        var buffer = new byte[source.Length + Varint.MaxLength];
        var length = 0;
        var offset = 0;
        while (offset < source.Length)
        {
            var value = Varint.Read(source, ref offset);
            Varint.Append(ref buffer, ref length, divide ? value >> 2 : checked(value * 4));
        }

        return buffer.AsSpan(0, length).ToArray();
    }
}
