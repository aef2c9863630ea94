using System.Globalization;
using System.Text;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// A dictionary as written in the file: its top-level entries with their byte ranges, and for a
/// stream's dictionary where its <c>/Length</c> value is and its <c>/Type</c>, <c>/Subtype</c> and
/// <c>/Filter</c> (names, or the names of a filter array).
/// </summary>
internal sealed class PdfDictionaryText
{
    private readonly List<Entry> _entries = [];

    public PdfDictionaryText(byte[] pdf, int start, int objectNumber)
    {
        if (!Lexer.IsAt(pdf, start, "<<"u8))
        {
            throw new ReportPdfStructureException(objectNumber, start, "expected a dictionary");
        }

        Start = start;
        var at = Lexer.SkipWhitespace(pdf, start + 2);
        while (!Lexer.IsAt(pdf, at, ">>"u8))
        {
            var keyEnd = Lexer.SkipValue(pdf, at, objectNumber);
            var valueAt = Lexer.SkipWhitespace(pdf, keyEnd);
            var valueEnd = Lexer.SkipValue(pdf, valueAt, objectNumber);
            var entry = new Entry(Encoding.ASCII.GetString(pdf, at, keyEnd - at), at, valueAt, valueEnd, Encoding.Latin1.GetString(pdf, valueAt, valueEnd - valueAt));
            _entries.Add(entry);
            at = Lexer.SkipWhitespace(pdf, valueEnd);
        }

        End = at + 2;
        Type = Find("/Type")?.Value;
        Subtype = Find("/Subtype")?.Value;
        Filters = Find("/Filter") is { } filter
            ? filter.Value.Trim('[', ']').Split([' ', '/', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(n => "/" + n).ToArray()
            : [];
        if (Find("/Length") is { } length)
        {
            Length = int.TryParse(length.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ReportPdfStructureException(objectNumber, length.ValueAt, $"/Length is \"{length.Value}\", not a direct integer");
            LengthValueAt = length.ValueAt;
            LengthValueEnd = length.ValueEnd;
        }
    }

    /// <summary>One top-level entry: the key (e.g. <c>/Group</c>), where key and value start, where the value ends, and the value's text.</summary>
    public sealed record Entry(string Key, int KeyAt, int ValueAt, int ValueEnd, string Value);

    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>The offset of the opening <c>&lt;&lt;</c>.</summary>
    public int Start { get; }

    /// <summary>The offset just past the closing <c>&gt;&gt;</c>.</summary>
    public int End { get; }

    /// <summary>The stream's length (0 when the dictionary has no <c>/Length</c>; see <see cref="LengthValueAt"/>).</summary>
    public int Length { get; }

    /// <summary>Where the <c>/Length</c> value starts; 0 when there is none.</summary>
    public int LengthValueAt { get; }

    public int LengthValueEnd { get; }

    public string? Type { get; }

    public string? Subtype { get; }

    /// <summary>The filter names in decoding order; empty when the data is not encoded.</summary>
    public IReadOnlyList<string> Filters { get; }

    public Entry? Find(string key) => _entries.FirstOrDefault(e => e.Key == key);
}
