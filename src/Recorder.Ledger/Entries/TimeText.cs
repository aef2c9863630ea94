using Recorder.Core.Time;

namespace Recorder.Ledger.Entries;

/// <summary>The one time form of Recorder's ledger files: RFC 3339, UTC, nine fractional digits, <c>Z</c>.</summary>
internal static class TimeText
{
    private const int Length = 30; // yyyy-MM-ddTHH:mm:ss.fffffffffZ

    /// <summary>True when <paramref name="text"/> is exactly <see cref="Timestamp.ToString"/> of some timestamp.</summary>
    public static bool TryParseExact(string? text, out Timestamp value)
    {
        value = default;
        if (text is not { Length: Length })
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[Length];
        for (var i = 0; i < Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }

            ascii[i] = (byte)text[i];
        }

        return TryParseExact(ascii, out value);
    }

    /// <summary>
    /// The same over ASCII bytes, without allocating: fixed positions, digits where digits belong,
    /// calendar-valid date, and a value that 64-bit nanoseconds since 1970 can hold (years 1678–2261
    /// in full). Such text is exactly what <see cref="Timestamp.ToString"/> writes for that value.
    /// </summary>
    public static bool TryParseExact(ReadOnlySpan<byte> text, out Timestamp value)
    {
        value = default;
        if (text.Length != Length || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':'
            || text[16] != ':' || text[19] != '.' || text[29] != 'Z')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) || !Digits(text.Slice(17, 2), out var second)
            || !Digits(text.Slice(20, 9), out var nanos))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth((int)year, (int)month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var seconds = new DateTimeOffset((int)year, (int)month, (int)day, (int)hour, (int)minute, (int)second, TimeSpan.Zero).ToUnixTimeSeconds();
        if (seconds > (long.MaxValue - nanos) / Timestamp.NanosPerSecond || seconds < long.MinValue / Timestamp.NanosPerSecond)
        {
            return false;
        }

        value = new Timestamp((seconds * Timestamp.NanosPerSecond) + nanos);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> span, out long number)
    {
        number = 0;
        foreach (var b in span)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            number = (number * 10) + (b - '0');
        }

        return true;
    }
}
