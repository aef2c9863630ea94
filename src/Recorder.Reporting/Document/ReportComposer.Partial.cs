using PdfSharp.Drawing;

namespace Recorder.Reporting.Document;

/// <summary>The cover's PARTIAL notice: evidence that is not the complete answer says so before anything else.</summary>
internal sealed partial class ReportComposer
{
    // A warning red that stays legible in greyscale print (contrast 7.9:1 on white).
    private static readonly XColor Warning = XColor.FromArgb(0x9b, 0x11, 0x11);

    private void PartialNotice()
    {
        var partial = _model.PartialExtractions;
        if (partial.Count == 0)
        {
            return;
        }

        var brush = new XSolidBrush(Warning);
        _flow.EnsureSpace(60);
        _flow.Gfx.DrawRectangle(brush, _flow.Left, _flow.Y, _flow.Width, 3);
        _flow.Y += 8;
        _flow.Paragraph("PARTIAL EVIDENCE", _s.Heading2, brush, spaceAfter: 3);
        _flow.Paragraph(
            $"{Fmt.Plural(partial.Count, "extraction in this package is", "extractions in this package are")} not the complete answer to "
            + "the query that produced it: packets that matched may be missing. The package was built knowingly (allow partial), "
            + "and this is recorded in the custody ledger.", _s.Body, _s.InkBrush, spaceAfter: 4);
        foreach (var query in partial)
        {
            _flow.Paragraph($"Query {query.QueryId}: {query.Why}.", _s.BodyBold, _s.InkBrush, indent: 10, spaceAfter: 2, marker: "\u2022", markerWidth: 10);
            foreach (var line in query.LeftOut)
            {
                _flow.Paragraph(line, _s.Small, _s.InkBrush, indent: 24, spaceAfter: 1, marker: "\u2013", markerWidth: 10);
            }
        }

        _flow.Gfx.DrawRectangle(brush, _flow.Left, _flow.Y + 2, _flow.Width, 1);
        _flow.Y += 12;
    }
}
