using System.Globalization;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// The PDF that PDFsharp saved is not laid out as the report's post-processing expects (see
/// <c>PdfObjectRewriter</c>); names the object and byte offset. A bug or a changed PDFsharp, never
/// bad input: nothing is written when it is thrown.
/// </summary>
public sealed class ReportPdfStructureException : Exception
{
    /// <summary>Describes what was found at <paramref name="offset"/> in object <paramref name="objectNumber"/> (0: outside any object).</summary>
    public ReportPdfStructureException(int objectNumber, long offset, string problem)
        : base(string.Create(CultureInfo.InvariantCulture, $"report.pdf as saved by PDFsharp, object {objectNumber} at byte {offset}: {problem}"))
    {
        ObjectNumber = objectNumber;
        Offset = offset;
    }

    /// <summary>For serializers and tests; prefer the constructor that names the object.</summary>
    public ReportPdfStructureException()
    {
    }

    /// <summary>For serializers and tests; prefer the constructor that names the object.</summary>
    public ReportPdfStructureException(string message)
        : base(message)
    {
    }

    /// <summary>Wraps a failure (e.g. a stream that does not inflate) with the object it happened in.</summary>
    public ReportPdfStructureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The object at fault (0 when the problem is in the cross-reference table or trailer).</summary>
    public int ObjectNumber { get; }

    /// <summary>Byte offset in the saved PDF where the problem was found.</summary>
    public long Offset { get; }
}
