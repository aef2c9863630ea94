namespace Recorder.Reporting.Pdf;

/// <summary>
/// Just enough of the PDF syntax (PDF 32000-1 §7.2–7.3) to step over one object's value: strings
/// (with escapes and balanced parentheses), hex strings, dictionaries, arrays, names, numbers and
/// references. Strings matter: a case title may contain "&gt;&gt;" or "endobj".
/// </summary>
internal static class Lexer
{
    public static bool IsWhitespace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    public static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';

    public static int SkipWhitespace(byte[] pdf, int at)
    {
        while (at < pdf.Length && IsWhitespace(pdf[at]))
        {
            at++;
        }

        return at;
    }

    public static bool IsAt(byte[] pdf, int at, ReadOnlySpan<byte> token) => at >= 0 && pdf.AsSpan(at).StartsWith(token);

    public static int IndexOf(byte[] pdf, ReadOnlySpan<byte> token, int from)
    {
        var found = pdf.AsSpan(from).IndexOf(token);
        return found < 0 ? throw new ReportPdfStructureException(0, from, $"\"{System.Text.Encoding.ASCII.GetString(token)}\" not found") : from + found;
    }

    /// <summary>The offset just past the value (dictionary, array, string, name, number or reference) at <paramref name="at"/>.</summary>
    public static int SkipValue(byte[] pdf, int at, int objectNumber)
    {
        if (at >= pdf.Length)
        {
            throw new ReportPdfStructureException(objectNumber, at, "unexpected end of file");
        }

        switch (pdf[at])
        {
            case (byte)'<' when at + 1 < pdf.Length && pdf[at + 1] == '<':
                return SkipContainer(pdf, at + 2, ">>"u8, objectNumber);
            case (byte)'[':
                return SkipContainer(pdf, at + 1, "]"u8, objectNumber);
            case (byte)'(':
                return SkipLiteralString(pdf, at, objectNumber);
            case (byte)'<':
                return IndexOf(pdf, ">"u8, at) + 1;
            case (byte)'/':
                return SkipRegular(pdf, at + 1);
            default:
                // A number, true/false/null, or an indirect reference "N G R".
                var end = SkipRegular(pdf, at);
                var next = SkipWhitespace(pdf, end);
                if (next < pdf.Length && char.IsAsciiDigit((char)pdf[next]))
                {
                    var generationEnd = SkipRegular(pdf, next);
                    var r = SkipWhitespace(pdf, generationEnd);
                    if (IsAt(pdf, r, "R"u8) && (r + 1 == pdf.Length || IsWhitespace(pdf[r + 1]) || IsDelimiter(pdf[r + 1])))
                    {
                        return r + 1;
                    }
                }

                return end == at ? throw new ReportPdfStructureException(objectNumber, at, $"unexpected byte 0x{pdf[at]:X2}") : end;
        }
    }

    private static int SkipContainer(byte[] pdf, int at, ReadOnlySpan<byte> close, int objectNumber)
    {
        while (true)
        {
            at = SkipWhitespace(pdf, at);
            if (IsAt(pdf, at, close))
            {
                return at + close.Length;
            }

            at = SkipValue(pdf, at, objectNumber);
        }
    }

    private static int SkipLiteralString(byte[] pdf, int at, int objectNumber)
    {
        var depth = 0;
        for (var i = at; i < pdf.Length; i++)
        {
            switch (pdf[i])
            {
                case (byte)'\\':
                    i++;
                    break;
                case (byte)'(':
                    depth++;
                    break;
                case (byte)')' when --depth == 0:
                    return i + 1;
            }
        }

        throw new ReportPdfStructureException(objectNumber, at, "unterminated string");
    }

    private static int SkipRegular(byte[] pdf, int at)
    {
        while (at < pdf.Length && !IsWhitespace(pdf[at]) && !IsDelimiter(pdf[at]))
        {
            at++;
        }

        return at;
    }
}
