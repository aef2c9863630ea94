using System.Globalization;
using System.Text;

namespace Recorder.Core.Text;

/// <summary>
/// The one check for text a person types that Recorder records, shows or hands to another program
/// (case numbers, reasons, titles, user names, BPF expressions). Refused, because they make what is
/// recorded differ from what is read or run:
/// control characters (C0 including NUL, DEL, C1): libpcap stops at a NUL, so <c>udp\0 or tcp</c>
/// would be ledgered as written while <c>udp</c> runs, and CR/LF forge lines in logs and reports;
/// the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 (the
/// "Trojan Source" characters, CVE-2021-42574), which show a different order than the one stored;
/// and unpaired UTF-16 surrogates, which are not text and do not survive UTF-8.
/// </summary>
public static class UserText
{
    /// <summary>
    /// Why <paramref name="value"/> may not be used, naming the first offending character and its
    /// position (counted from 1, in UTF-16 code units); null when it may. With
    /// <paramref name="allowLineBreaks"/>, tab, CR and LF pass (libpcap's lexer reads them as blanks).
    /// </summary>
    public static string? Problem(string value, bool allowLineBreaks = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            var reason = Classify(c, allowLineBreaks);
            if (reason is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{reason} U+{(int)c:X4} at position {i + 1}");
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="value"/> has nothing <see cref="Problem"/> refuses.</summary>
    public static bool IsClean(string value, bool allowLineBreaks = false) => Problem(value, allowLineBreaks) is null;

    /// <summary>
    /// A printable rendering of untrusted text for error messages and refusal records: every
    /// refused character becomes its <c>\uXXXX</c> escape, so the record shows what was sent
    /// without letting it act. Clipped to <paramref name="maxLength"/> characters.
    /// </summary>
    public static string Escape(string value, int maxLength = 200)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        for (var i = 0; i < value.Length && builder.Length < maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (Classify(c, allowLineBreaks: false) is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string? Classify(char c, bool allowLineBreaks)
    {
        if (char.IsControl(c))
        {
            return allowLineBreaks && c is '\t' or '\r' or '\n' ? null : "control character";
        }

        if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
        {
            return "bidirectional override";
        }

        return char.IsSurrogate(c) ? "unpaired surrogate" : null;
    }
}
