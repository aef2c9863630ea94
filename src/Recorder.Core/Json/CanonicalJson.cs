using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recorder.Core.Json;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): one byte sequence per JSON value, so that a hash or
/// a signature over JSON is well defined. Object members are sorted by their names' UTF-16 code
/// units (§3.2.3), strings use the minimal escaping of §3.2.2.2, numbers the ECMAScript
/// <c>Number.prototype.toString</c> form (§3.2.2.3), and there is no whitespace.
/// </summary>
/// <remarks>
/// Integers beyond ±2^53 cannot be represented exactly in JCS (IEEE-754 doubles); Recorder writes
/// such values (nanosecond timestamps, 64-bit ids) as strings, and this writer refuses an integer
/// it would otherwise round.
/// </remarks>
public static class CanonicalJson
{
    private const long MaxSafeInteger = 9_007_199_254_740_991L;

    /// <summary>The canonical UTF-8 bytes of <paramref name="node"/>.</summary>
    public static byte[] Serialize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>The canonical text of <paramref name="node"/>.</summary>
    public static string SerializeToString(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    /// <summary>Parses <paramref name="utf8"/> and returns its canonical bytes.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        return Serialize(JsonNode.Parse(ref reader));
    }

    /// <summary>True when <paramref name="utf8"/> is already exactly in canonical form.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return Canonicalize(utf8).AsSpan().SequenceEqual(utf8);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void Write(StringBuilder output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                output.Append("null");
                break;
            case JsonObject obj:
                WriteObject(output, obj);
                break;
            case JsonArray array:
                output.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Append(',');
                    }

                    Write(output, array[i]);
                }

                output.Append(']');
                break;
            case JsonValue value:
                WriteValue(output, value);
                break;
            default:
                throw new ArgumentException($"unsupported JSON node {node.GetType().Name}", nameof(node));
        }
    }

    private static void WriteObject(StringBuilder output, JsonObject obj)
    {
        var members = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        foreach (var member in obj)
        {
            members.Add(member);
        }

        // §3.2.3: sort by the UTF-16 code units of the names, which is exactly ordinal comparison.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        output.Append('{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            WriteString(output, members[i].Key);
            output.Append(':');
            Write(output, members[i].Value);
        }

        output.Append('}');
    }

    private static void WriteValue(StringBuilder output, JsonValue value)
    {
        var element = value.GetValueKind();
        switch (element)
        {
            case JsonValueKind.String:
                WriteString(output, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            case JsonValueKind.Null:
                output.Append("null");
                break;
            case JsonValueKind.Number:
                WriteNumber(output, value);
                break;
            default:
                throw new ArgumentException($"unsupported JSON value kind {element}");
        }
    }

    private static void WriteNumber(StringBuilder output, JsonValue value)
    {
        // Whatever backs the node (int, long, double, a parsed element), its JSON text is exact:
        // integers are checked against the 2^53 limit, everything else goes through ECMAScript formatting.
        var text = value.ToJsonString();
        if (!text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            var inRange = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                && integer <= MaxSafeInteger && integer >= -MaxSafeInteger;
            if (inRange)
            {
                output.Append(integer.ToString(CultureInfo.InvariantCulture));
                return;
            }

            var raw = value.GetValue<object>();
            var isFloatingPoint = raw is double or float or decimal;
            if (!isFloatingPoint && raw is not JsonElement)
            {
                // A CLR integer this large would be rounded by every JCS reader: refuse it where it is written.
                throw new ArgumentOutOfRangeException(nameof(value), text,
                    "integer beyond 2^53 cannot be represented exactly in canonical JSON; write it as a string");
            }

            var asDouble = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!isFloatingPoint && System.Numerics.BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) != new System.Numerics.BigInteger(asDouble))
            {
                // Parsed JSON is read as IEEE-754 doubles (§3.2.2.3); a literal no double equals would be silently changed.
                throw new ArgumentOutOfRangeException(nameof(value), text,
                    "integer beyond 2^53 that no double represents exactly cannot be canonicalized without changing it; write it as a string");
            }

            // Parsed JSON: a number is an IEEE-754 double in JCS, whatever its spelling.
        }

        output.Append(FormatDouble(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    /// <summary>ECMAScript Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3).</summary>
    public static string FormatDouble(double number)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new ArgumentOutOfRangeException(nameof(number), "NaN and infinities are not JSON");
        }

        if (number == 0)
        {
            return "0"; // also for -0
        }

        // "R" gives the shortest digits that round-trip, as ECMAScript requires; re-lay them out.
        var shortest = Math.Abs(number).ToString("R", CultureInfo.InvariantCulture);
        ExtractDigits(shortest, out var digits, out var exponent);

        // digits = d1 d2 ... dk, value = 0.d1...dk × 10^exponent  (ECMAScript's n is exponent)
        var k = digits.Length;
        var n = exponent;
        var sb = new StringBuilder();
        if (number < 0)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(e >= 0 ? '+' : '-').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static void ExtractDigits(string roundTrip, out string digits, out int exponent)
    {
        // roundTrip is like "123.45", "1E-07", "1.2345E+21".
        var ePos = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = ePos >= 0 ? roundTrip[..ePos] : roundTrip;
        var exp10 = ePos >= 0 ? int.Parse(roundTrip[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var all = (intPart + fracPart).TrimStart('0');
        var leadingZerosRemoved = (intPart + fracPart).Length - all.Length;
        var pointPosition = intPart.Length - leadingZerosRemoved + exp10;
        digits = all.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        exponent = pointPosition;
    }

    private static void WriteString(StringBuilder output, string value)
    {
        output.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\b':
                    output.Append("\\b");
                    break;
                case '\f':
                    output.Append("\\f");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                        {
                            throw new ArgumentException("lone surrogate in string: not valid Unicode, not canonicalizable");
                        }

                        output.Append(c).Append(value[++i]);
                    }
                    else if (char.IsLowSurrogate(c))
                    {
                        throw new ArgumentException("lone surrogate in string: not valid Unicode, not canonicalizable");
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}
