using System.Globalization;

namespace Recorder.Core.Time;

/// <summary>
/// Parses the two time forms Recorder accepts from people: RFC 3339 (<c>2023-11-14T22:13:20.5Z</c>,
/// any offset, up to nine fractional digits) and Unix epoch seconds with an optional fraction
/// (<c>1700000000.000000001</c>). Parsing is exact: no floating point is involved.
/// </summary>
public static class TimestampParser
{
    /// <summary>Parses <paramref name="text"/>; on failure returns false and a message saying what is wrong.</summary>
    public static bool TryParse(string? text, out Timestamp value, out string error)
    {
        try
        {
            return TryParseCore(text, out value, out error);
        }
        catch (OverflowException)
        {
            value = default;
            error = "out of range: Recorder's timestamps run from 1677 to 2262";
            return false;
        }
    }

    private static bool TryParseCore(string? text, out Timestamp value, out string error)
    {
        value = default;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty time";
            return false;
        }

        text = text.Trim();
        if (LooksLikeEpoch(text))
        {
            return TryParseEpoch(text, out value, out error);
        }

        return TryParseRfc3339(text, out value, out error);
    }

    /// <summary>Parses or throws <see cref="FormatException"/> with the reason.</summary>
    public static Timestamp Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"'{text}': {error}");

    private static bool LooksLikeEpoch(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c == '.' || c == '-' || c == '+'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseEpoch(string text, out Timestamp value, out string error)
    {
        value = default;
        error = string.Empty;
        var negative = text.StartsWith('-');
        var body = text.TrimStart('-', '+');
        var parts = body.Split('.');
        if (parts.Length > 2 || parts[0].Length == 0 || parts[0].Length > 11)
        {
            error = "not epoch seconds (expected digits with an optional fraction, e.g. 1700000000.25)";
            return false;
        }

        var fraction = parts.Length == 2 ? parts[1] : string.Empty;
        if (fraction.Length > 9)
        {
            error = "more than nine fractional digits (nanoseconds are the finest unit)";
            return false;
        }

        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (fraction.Length > 0 && !long.TryParse(fraction, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            error = "not epoch seconds (expected digits with an optional fraction, e.g. 1700000000.25)";
            return false;
        }

        var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        var total = (seconds * Timestamp.NanosPerSecond) + nanos;
        value = new Timestamp(negative ? -total : total);
        return true;
    }

    private static bool TryParseRfc3339(string text, out Timestamp value, out string error)
    {
        value = default;
        error = "not an RFC 3339 time (expected e.g. 2023-11-14T22:13:20.123456789Z) or epoch seconds";

        // Split off the fraction so DateTimeOffset never rounds it: it keeps only 100 ns ticks.
        var tIndex = text.IndexOfAny(['T', 't', ' ']);
        if (tIndex < 0)
        {
            return false;
        }

        var dot = text.IndexOf('.', tIndex);
        var nanos = 0L;
        var withoutFraction = text;
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = text[(dot + 1)..end];
            if (digits.Length == 0)
            {
                return false;
            }

            if (digits.Length > 9)
            {
                error = "more than nine fractional digits (nanoseconds are the finest unit)";
                return false;
            }

            nanos = long.Parse(digits.PadRight(9, '0'), CultureInfo.InvariantCulture);
            withoutFraction = text[..dot] + text[end..];
        }

        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd' 'HH:mm:ssK", "yyyy-MM-dd't'HH:mm:ssK"];
        var normalized = withoutFraction.EndsWith('z') ? withoutFraction[..^1] + "Z" : withoutFraction;
        if (!normalized.EndsWith('Z') && !HasOffset(normalized))
        {
            error = "RFC 3339 time without a zone: add Z (UTC) or an offset such as +01:00";
            return false;
        }

        if (!DateTimeOffset.TryParseExact(normalized, formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        value = new Timestamp(checked((parsed.ToUnixTimeSeconds() * Timestamp.NanosPerSecond) + nanos));
        error = string.Empty;
        return true;
    }

    private static bool HasOffset(string text)
    {
        if (text.Length < 6)
        {
            return false;
        }

        var sign = text[^6];
        return (sign == '+' || sign == '-') && text[^3] == ':';
    }
}
