using System.Net;
using Recorder.Sessions.Search;

namespace Recorder.Storage.Sessions;

/// <summary>
/// The fields of the session term index (docs/sessions.md, "Session index"). Persisted as one byte:
/// values may only be appended.
/// </summary>
public enum SessionIndexField : byte
{
    /// <summary>DNS question names (wildcard field).</summary>
    DnsQuery = 1,

    /// <summary>TLS and QUIC SNI, a second ClientHello's too when it differs (wildcard field).</summary>
    Sni = 2,

    /// <summary>HTTP Host headers (wildcard field).</summary>
    HttpHost = 3,

    /// <summary>HTTP request targets (wildcard field).</summary>
    HttpUri = 4,

    /// <summary>HTTP host + target combinations, as <see cref="SessionFilter"/> forms them for <c>--url</c> (wildcard field).</summary>
    HttpUrl = 5,

    /// <summary>HTTP User-Agents (wildcard field).</summary>
    UserAgent = 6,

    /// <summary>JA3 of either ClientHello (a second one after a HelloRetryRequest) and JA3S (exact field).</summary>
    Ja3 = 7,

    /// <summary>JA4 (TLS and QUIC, either ClientHello) and JA4S (exact field).</summary>
    Ja4 = 8,

    /// <summary>Certificate SHA-256 fingerprints (exact field).</summary>
    CertSha256 = 9,

    /// <summary>SHA-256 of complete files carried (exact field).</summary>
    FileSha256 = 10,

    /// <summary>The identified application (exact field).</summary>
    App = 11,

    /// <summary>Either endpoint's address, IPv4-mapped IPv6 written as IPv4.</summary>
    Host = 12,

    /// <summary>Either endpoint's port, decimal.</summary>
    Port = 13,

    /// <summary>The IP protocol number, decimal.</summary>
    Proto = 14,
}

/// <summary>
/// How a field's values become terms, in one place for the writer and the reader. Terms are a
/// superset key: every value a filter option matches folds to a term the query looks up, and the
/// search checks every candidate record with <see cref="SessionFilter.Matches"/>, so the index can
/// only narrow the records read, never change the answer.
/// </summary>
public static class SessionIndexTerms
{
    /// <summary>
    /// Most host × target combinations of one record indexed for <see cref="SessionIndexField.HttpUrl"/>;
    /// a record with more is put on the field's always-read list instead (hostile traffic cannot
    /// make the index quadratic).
    /// </summary>
    public const int MaxUrlCombinations = 256;

    /// <summary>True for the fields matched with <see cref="Wildcard"/> (case folded to lower case per UTF-16 unit, as it compares).</summary>
    public static bool IsWildcardField(SessionIndexField field) => field <= SessionIndexField.UserAgent;

    /// <summary>
    /// The term of a wildcard field's value or pattern: each UTF-16 unit through
    /// <see cref="char.ToLowerInvariant"/>, exactly what <see cref="Wildcard.Matches"/> compares.
    /// </summary>
    public static string FoldWildcard(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.ToLowerInvariant(source[i]);
            }
        });
    }

    /// <summary>
    /// The term of an exact field's value or query (matched with <see cref="StringComparison.OrdinalIgnoreCase"/>):
    /// ASCII letters upper-cased, or null when the text holds any non-ASCII character (whose case
    /// folding under OrdinalIgnoreCase this index does not reproduce: such records are always read,
    /// such queries read every record of the segment, and the answer says so).
    /// </summary>
    public static string? FoldExact(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (!char.IsAscii(c))
            {
                return null;
            }
        }

        return value.ToUpperInvariant();
    }

    /// <summary>The term of an address as <see cref="SessionFilter"/> compares it, or null when the text is no address.</summary>
    public static string? FoldAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // Records hold addresses as the recorder formats them: dotted IPv4 text is its own term
        // (parsing and formatting it again gave the same text, at the cost of two allocations per endpoint).
        if (IsCanonicalIPv4(text))
        {
            return text;
        }

        return IPAddress.TryParse(text, out var address) ? FoldAddress(address) : null;
    }

    /// <summary>Four decimal numbers 0–255 without leading zeros, separated by dots: exactly what <see cref="IPAddress.ToString"/> writes for IPv4.</summary>
    internal static bool IsCanonicalIPv4(ReadOnlySpan<char> text)
    {
        var parts = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                if (!char.IsAsciiDigit(text[i]) || i - start == 3)
                {
                    return false;
                }

                continue;
            }

            var part = text[start..i];
            if (part.Length == 0 || (part.Length > 1 && part[0] == '0') || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }

            parts++;
            start = i + 1;
        }

        return parts == 4;
    }

    /// <summary>The term of <paramref name="address"/>: IPv4-mapped IPv6 as IPv4, then its text.</summary>
    public static string FoldAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
