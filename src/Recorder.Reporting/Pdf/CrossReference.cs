using System.Globalization;
using System.Text;

namespace Recorder.Reporting.Pdf;

/// <summary>Reads the single classic cross-reference section (PDF 32000-1 §7.5.4) PDFsharp writes.</summary>
internal static class CrossReference
{
    /// <summary>An in-use object: its number, generation and byte offset.</summary>
    public readonly record struct Entry(int Number, int Generation, int Offset);

    /// <summary>The in-use objects 1 … n in file order, and the offset of the <c>trailer</c> keyword.</summary>
    public static (IReadOnlyList<Entry> Entries, int TrailerAt) Read(byte[] pdf)
    {
        var startxref = pdf.AsSpan().LastIndexOf("startxref"u8);
        if (startxref < 0)
        {
            throw new ReportPdfStructureException(0, pdf.Length, "no startxref");
        }

        var lines = new LineReader(pdf, Lexer.SkipWhitespace(pdf, startxref + "startxref".Length));
        var xrefAt = int.Parse(lines.Next(), NumberStyles.None, CultureInfo.InvariantCulture);
        lines = new LineReader(pdf, xrefAt);
        if (lines.Next() != "xref")
        {
            throw new ReportPdfStructureException(0, xrefAt, "startxref does not point at an xref table (cross-reference streams are not expected)");
        }

        var subsection = lines.Next().Split(' ');
        if (subsection.Length != 2 || subsection[0] != "0")
        {
            throw new ReportPdfStructureException(0, xrefAt, "expected one cross-reference subsection starting at object 0");
        }

        var size = int.Parse(subsection[1], NumberStyles.None, CultureInfo.InvariantCulture);
        var entries = new List<Entry>(size);
        for (var number = 0; number < size; number++)
        {
            var fields = lines.Next().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (number == 0)
            {
                continue;
            }

            if (fields.Length != 3 || fields[2] != "n")
            {
                throw new ReportPdfStructureException(number, xrefAt, "a free or malformed cross-reference entry (objects are expected to be numbered without gaps)");
            }

            entries.Add(new Entry(number, int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture), int.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture)));
        }

        if (lines.Peek() != "trailer")
        {
            throw new ReportPdfStructureException(0, lines.Position, "expected the trailer after the cross-reference table");
        }

        var ordered = entries.OrderBy(e => e.Offset).ToList();
        if (ordered.Count == 0 || ordered[^1].Offset >= xrefAt)
        {
            throw new ReportPdfStructureException(0, xrefAt, "objects are expected before the cross-reference table");
        }

        return (ordered, lines.Position);
    }

    private sealed class LineReader(byte[] pdf, int position)
    {
        public int Position { get; private set; } = position;

        public string Peek()
        {
            var end = Position;
            while (end < pdf.Length && pdf[end] is not (byte)'\n' and not (byte)'\r')
            {
                end++;
            }

            return Encoding.ASCII.GetString(pdf, Position, end - Position).Trim();
        }

        public string Next()
        {
            var line = Peek();
            while (Position < pdf.Length && pdf[Position] is not (byte)'\n' and not (byte)'\r')
            {
                Position++;
            }

            while (Position < pdf.Length && pdf[Position] is (byte)'\n' or (byte)'\r')
            {
                Position++;
            }

            return line;
        }
    }
}
