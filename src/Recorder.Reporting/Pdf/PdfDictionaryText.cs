using System.Globalization;
using System.Text;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// A stream object's dictionary as written in the file: where its <c>/Length</c> value is, and its
/// top-level <c>/Type</c>, <c>/Subtype</c> and <c>/Filter</c> (names, or the first name of a filter array).
/// </summary>
internal sealed class PdfDictionaryText
{
    public PdfDictionaryText(byte[] pdf, int start, int objectNumber)
    {
        if (!Lexer.IsAt(pdf, start, "<<"u8))
        {
            throw new ReportPdfStructureException(objectNumber, start, "a stream without a dictionary");
        }

        var at = Lexer.SkipWhitespace(pdf, start + 2);
        while (!Lexer.IsAt(pdf, at, ">>"u8))
        {
            var keyEnd = Lexer.SkipValue(pdf, at, objectNumber);
            var key = Encoding.ASCII.GetString(pdf, at, keyEnd - at);
            var valueAt = Lexer.SkipWhitespace(pdf, keyEnd);
            var valueEnd = Lexer.SkipValue(pdf, valueAt, objectNumber);
            var value = Encoding.Latin1.GetString(pdf, valueAt, valueEnd - valueAt);
            switch (key)
            {
                case "/Length":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                    {
                        throw new ReportPdfStructureException(objectNumber, valueAt, $"/Length is \"{value}\", not a direct integer");
                    }

                    Length = length;
                    LengthValueAt = valueAt;
                    LengthValueEnd = valueEnd;
                    break;
                case "/Type":
                    Type = value;
                    break;
                case "/Subtype":
                    Subtype = value;
                    break;
                case "/Filter":
                    Filters = value.Trim('[', ']').Split([' ', '/', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(n => "/" + n).ToArray();
                    break;
            }

            at = Lexer.SkipWhitespace(pdf, valueEnd);
        }

        if (LengthValueAt == 0)
        {
            throw new ReportPdfStructureException(objectNumber, start, "a stream without /Length");
        }
    }

    public int Length { get; }

    public int LengthValueAt { get; }

    public int LengthValueEnd { get; }

    public string? Type { get; }

    public string? Subtype { get; }

    /// <summary>The filter names in decoding order; empty when the data is not encoded.</summary>
    public IReadOnlyList<string> Filters { get; } = [];
}
