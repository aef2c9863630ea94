using Recorder.Core.Time;

namespace Recorder.Ledger.Entries;

/// <summary>The one time form of Recorder's ledger files: RFC 3339, UTC, nine fractional digits, <c>Z</c>.</summary>
internal static class TimeText
{
    /// <summary>True when <paramref name="text"/> is exactly <see cref="Timestamp.ToString"/> of some timestamp.</summary>
    public static bool TryParseExact(string? text, out Timestamp value)
    {
        value = default;
        if (text is not { Length: 30 } || text[^1] != 'Z')
        {
            return false;
        }

        try
        {
            return TimestampParser.TryParse(text, out value, out _) && value.ToString() == text;
        }
        catch (OverflowException)
        {
            // A year beyond what 64-bit nanoseconds reach (after 2262): TimestampParser throws
            // instead of returning false; such a time is simply not valid here.
            return false;
        }
    }
}
