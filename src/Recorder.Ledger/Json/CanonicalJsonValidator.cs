using System.Globalization;
using System.Text;
using System.Text.Json;
using Recorder.Core.Json;

namespace Recorder.Ledger.Json;

/// <summary>
/// Decides, in one streaming pass and without building a tree, whether UTF-8 bytes are exactly the
/// RFC 8785 canonical form of the JSON value they encode: no whitespace outside strings, object
/// members in strictly increasing UTF-16 order of their names (so no duplicates), strings with only
/// the escapes §3.2.2.2 prescribes, numbers as ECMAScript prints them (§3.2.2.3). Agrees with
/// <see cref="CanonicalJson.IsCanonical"/> (except that it accepts a large integral double, which
/// that method refuses to re-read) and is several times faster, which is what verifying a
/// million ledger lines in seconds needs.
/// </summary>
internal static class CanonicalJsonValidator
{
    private const int MaxDepth = 64;

    public static bool IsCanonical(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return false;
        }

        try
        {
            return Validate(utf8);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool Validate(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });

        // For each open object: where its last member name sits in the input (start, length, escaped).
        Span<(int Start, int Length, bool Escaped)> lastName = stackalloc (int, int, bool)[MaxDepth + 1];
        Span<bool> isObject = stackalloc bool[MaxDepth + 1];
        var depth = 0;
        long consumed = 0;
        while (reader.Read())
        {
            // No whitespace anywhere outside strings: between two tokens there is nothing or one
            // comma, and a member name is followed directly by its colon (the reader takes the
            // colon, and any whitespace before it, into the name's token).
            var tokenStart = reader.TokenStartIndex;
            if (tokenStart != consumed && (tokenStart != consumed + 1 || utf8[(int)consumed] != (byte)','))
            {
                return false;
            }

            consumed = reader.BytesConsumed;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    isObject[depth] = true;
                    lastName[depth] = (-1, 0, false);
                    break;
                case JsonTokenType.StartArray:
                    depth++;
                    isObject[depth] = false;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                case JsonTokenType.PropertyName:
                    {
                        if (consumed != reader.TokenStartIndex + reader.ValueSpan.Length + 3 || !CanonicalString(reader.ValueSpan, reader.ValueIsEscaped))
                        {
                            return false;
                        }

                        var start = checked((int)reader.TokenStartIndex + 1);
                        var current = (start, reader.ValueSpan.Length, reader.ValueIsEscaped);
                        var previous = lastName[depth];
                        if (previous.Start >= 0 && CompareNames(utf8, previous, current) >= 0)
                        {
                            return false;
                        }

                        lastName[depth] = current;
                        break;
                    }

                case JsonTokenType.String:
                    if (!CanonicalString(reader.ValueSpan, reader.ValueIsEscaped))
                    {
                        return false;
                    }

                    break;
                case JsonTokenType.Number:
                    if (!CanonicalNumber(reader.ValueSpan))
                    {
                        return false;
                    }

                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                case JsonTokenType.Null:
                    break;
                default:
                    return false;
            }
        }

        return consumed == utf8.Length;
    }

    private static bool CanonicalString(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped)
        {
            return System.Text.Unicode.Utf8.IsValid(raw);
        }

        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            var e = raw[++i];
            switch (e)
            {
                case (byte)'"':
                case (byte)'\\':
                case (byte)'b':
                case (byte)'f':
                case (byte)'n':
                case (byte)'r':
                case (byte)'t':
                    break;
                case (byte)'u':
                    {
                        // Only control characters without a short form are written as \u00xx (lower-case hex).
                        if (i + 4 >= raw.Length)
                        {
                            return false;
                        }

                        var hex = raw.Slice(i + 1, 4);
                        if (hex[0] != (byte)'0' || hex[1] != (byte)'0' || !IsLowerHexDigit(hex[2]) || !IsLowerHexDigit(hex[3]))
                        {
                            return false;
                        }

                        var value = (HexValue(hex[2]) << 4) | HexValue(hex[3]);
                        if (value >= 0x20 || value is 0x08 or 0x09 or 0x0A or 0x0C or 0x0D)
                        {
                            return false;
                        }

                        i += 4;
                        break;
                    }

                default:
                    return false;
            }
        }

        return System.Text.Unicode.Utf8.IsValid(raw);
    }

    private static bool CanonicalNumber(ReadOnlySpan<byte> raw)
    {
        // Fast path: a plain integer of at most 15 digits is exact in a double and ECMAScript prints it as is.
        var digits = raw[0] == (byte)'-' ? raw[1..] : raw;
        if (digits.Length is > 0 and <= 15 && AllDigits(digits))
        {
            if (digits[0] == (byte)'0')
            {
                return digits.Length == 1 && raw.Length == 1; // "0" yes; "-0" and "01" no
            }

            return true;
        }

        var text = Encoding.ASCII.GetString(raw);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsInfinity(value))
        {
            return false;
        }

        // RFC 8785 §3.2.2.3: the number must read back as the double it denotes, printed the ECMAScript
        // way. (An integer beyond 2^53 that is exactly a double, e.g. 310000000000000000, is canonical;
        // Recorder's writer never produces one from an integer, only from a double.)
        return CanonicalJson.FormatDouble(value) == text;
    }

    private static bool AllDigits(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static int CompareNames(ReadOnlySpan<byte> utf8, (int Start, int Length, bool Escaped) a, (int Start, int Length, bool Escaped) b)
    {
        var left = utf8.Slice(a.Start, a.Length);
        var right = utf8.Slice(b.Start, b.Length);

        // For ASCII names without escapes, byte order is UTF-16 code unit order.
        if (!a.Escaped && !b.Escaped && System.Text.Ascii.IsValid(left) && System.Text.Ascii.IsValid(right))
        {
            return left.SequenceCompareTo(right);
        }

        return string.CompareOrdinal(Unescape(left, a.Escaped), Unescape(right, b.Escaped));
    }

    private static string Unescape(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Re-read the quoted string with the JSON reader to unescape it.
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    private static bool IsLowerHexDigit(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f');

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : b - 'a' + 10;
}
