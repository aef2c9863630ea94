using System.Globalization;
using System.Text;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// Rewrites the stream data of a PDF that PDFsharp has saved, object by object, and writes a new
/// cross-reference table (PDF 32000-1 §7.5.4) for the new offsets. It reads exactly what PDFsharp
/// writes: one classic cross-reference section, objects numbered 1 … Size−1, each
/// <c>N G obj … endobj</c>, stream lengths as direct integers. Anything else raises
/// <see cref="ReportPdfStructureException"/> naming the object and offset, so a PDFsharp upgrade
/// that changes its output fails the report loudly instead of writing a damaged file.
/// </summary>
internal static class PdfObjectRewriter
{
    /// <summary>
    /// Returns <paramref name="pdf"/> with each stream's data replaced by what
    /// <paramref name="transform"/> returns for it, and each other object whose value is a
    /// dictionary replaced by what <paramref name="dictionaries"/> returns (null keeps either).
    /// A stream's dictionary changes only in its <c>/Length</c>; the header and trailer are kept
    /// byte for byte.
    /// </summary>
    public static byte[] Rewrite(byte[] pdf, Func<PdfStreamObject, byte[]?> transform, Func<byte[], PdfDictionaryText, byte[]?>? dictionaries = null)
    {
        var (entries, trailerAt) = CrossReference.Read(pdf);
        using var output = new MemoryStream(pdf.Length + 4096);
        output.Write(pdf, 0, entries[0].Offset);
        var offsets = new long[entries.Count + 1];
        foreach (var entry in entries)
        {
            offsets[entry.Number] = output.Position;
            WriteObject(pdf, entry, transform, dictionaries, output);
        }

        var xref = output.Position;
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture, $"xref\n0 {offsets.Length}\n0000000000 65535 f\r\n");
        for (var number = 1; number < offsets.Length; number++)
        {
            table.Append(CultureInfo.InvariantCulture, $"{offsets[number]:D10} 00000 n\r\n");
        }

        output.Write(Encoding.ASCII.GetBytes(table.ToString()));
        var trailerEnd = Lexer.IndexOf(pdf, "startxref"u8, trailerAt);
        output.Write(pdf, trailerAt, trailerEnd - trailerAt);
        output.Write(Encoding.ASCII.GetBytes($"startxref\n{xref.ToString(CultureInfo.InvariantCulture)}\n%%EOF\n"));
        return output.ToArray();
    }

    private static void WriteObject(byte[] pdf, CrossReference.Entry entry, Func<PdfStreamObject, byte[]?> transform,
        Func<byte[], PdfDictionaryText, byte[]?>? dictionaries, MemoryStream output)
    {
        var at = entry.Offset;
        var header = Encoding.ASCII.GetBytes($"{entry.Number} {entry.Generation} obj");
        if (!pdf.AsSpan(at).StartsWith(header))
        {
            throw new ReportPdfStructureException(entry.Number, at, $"expected \"{Encoding.ASCII.GetString(header)}\"");
        }

        var body = Lexer.SkipWhitespace(pdf, at + header.Length);
        var valueEnd = Lexer.SkipValue(pdf, body, entry.Number);
        var afterValue = Lexer.SkipWhitespace(pdf, valueEnd);
        if (!pdf.AsSpan(afterValue).StartsWith("stream"u8))
        {
            var end = Lexer.IndexOf(pdf, "endobj"u8, afterValue);
            if (end != afterValue)
            {
                throw new ReportPdfStructureException(entry.Number, afterValue, "expected endobj after the object's value");
            }

            var replacement = dictionaries is not null && Lexer.IsAt(pdf, body, "<<"u8)
                ? dictionaries(pdf, new PdfDictionaryText(pdf, body, entry.Number))
                : null;
            if (replacement is null)
            {
                output.Write(pdf, at, end + "endobj".Length - at);
            }
            else
            {
                output.Write(header);
                output.WriteByte((byte)'\n');
                output.Write(replacement);
                output.Write("\nendobj"u8);
            }

            output.WriteByte((byte)'\n');
            return;
        }

        var dictionary = new PdfDictionaryText(pdf, body, entry.Number);
        var dataAt = afterValue + "stream".Length;
        dataAt += pdf[dataAt] == '\r' ? 2 : 1; // the EOL after "stream" is CRLF or LF (§7.3.8.1)
        var length = dictionary.Length;
        if (dictionary.LengthValueAt == 0)
        {
            throw new ReportPdfStructureException(entry.Number, body, "a stream without /Length");
        }

        if (dataAt + length > pdf.Length || !Lexer.IsAt(pdf, Lexer.SkipWhitespace(pdf, dataAt + length), "endstream"u8))
        {
            throw new ReportPdfStructureException(entry.Number, dataAt, $"/Length {length} does not end at endstream");
        }

        var data = pdf.AsSpan(dataAt, length).ToArray();
        var replaced = transform(new PdfStreamObject(entry.Number, dictionary, data)) ?? data;
        output.Write(pdf, at, dictionary.LengthValueAt - at);
        output.Write(Encoding.ASCII.GetBytes(replaced.Length.ToString(CultureInfo.InvariantCulture)));
        output.Write(pdf, dictionary.LengthValueEnd, valueEnd - dictionary.LengthValueEnd);
        output.Write("\nstream\n"u8);
        output.Write(replaced);
        output.Write("\nendstream\nendobj\n"u8);
    }
}

/// <summary>A stream object as found in the file: its number, dictionary and (still encoded) data.</summary>
internal sealed record PdfStreamObject(int Number, PdfDictionaryText Dictionary, byte[] Data);
