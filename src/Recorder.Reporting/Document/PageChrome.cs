using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Recorder.Reporting.Layout;
using Recorder.Reporting.Model;

namespace Recorder.Reporting.Document;

/// <summary>
/// The second pass over the finished pages: the running header (case id, report id), "Page X of Y"
/// and the contents page, all of which need the final page count and every heading's page.
/// Drawn with <see cref="XGraphicsPdfPageOptions.Append"/> over the content already there.
/// </summary>
internal static class PageChrome
{
    public static void Draw(PdfDocument document, ReportStyle style, PageGeometry geometry, ReportModel model, int contentsPage, double contentsTop, IReadOnlyList<OutlineEntry> outline)
    {
        var total = document.PageCount;
        for (var i = 0; i < total; i++)
        {
            var page = document.Pages[i];
            using var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            using var flow = new ChromeFlow(gfx, style, geometry);
            flow.Header(model);
            flow.Footer(i + 1, total);
            if (i + 1 == contentsPage)
            {
                flow.Contents(outline, contentsTop);
            }
        }

        foreach (var entry in outline.Where(e => e.Level == 1))
        {
            var title = entry.Number.Length == 0 ? entry.Title : $"{entry.Number} {entry.Title}";
            document.Outlines.Add(title, document.Pages[entry.Page - 1]);
        }

        document.PageMode = PdfPageMode.UseOutlines;
    }

    private sealed class ChromeFlow(XGraphics gfx, ReportStyle style, PageGeometry geometry) : IDisposable
    {
        private double Left => geometry.MarginLeft;

        private double Right => geometry.Width - geometry.MarginRight;

        public void Header(ReportModel model)
        {
            var font = style.Chrome;
            var bold = style.ChromeBold;
            var y = geometry.MarginTop - 30;
            var right = "Report " + model.ReportId;
            var rightWidth = Width(right, font);
            var label = "Case " + model.Case.Id;
            Draw(label, bold, style.Accent, Left, y);
            var titleLeft = Left + Width(label, bold) + 6;
            var title = Ellipsize(model.Case.Title, font, Right - rightWidth - 16 - titleLeft);
            Draw(title, font, style.Muted, titleLeft, y);
            Draw(right, font, style.Muted, Right - rightWidth, y);
            var ruleY = y + ReportStyle.LineHeight(font) + 1;
            gfx.DrawLine(new XPen(style.Rule, 0.5), Left, ruleY, Right, ruleY);
        }

        public void Footer(int number, int total)
        {
            var font = style.Chrome;
            var y = geometry.Height - geometry.MarginBottom + 18;
            gfx.DrawLine(new XPen(style.Rule, 0.5), Left, y - 4, Right, y - 4);
            var text = $"Page {number.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)}";
            Draw(text, style.ChromeBold, style.Ink, Left + ((Right - Left - Width(text, style.ChromeBold)) / 2), y);
            Draw("All times UTC", font, style.Muted, Left, y);
            var right = "Network traffic evidence report";
            Draw(right, font, style.Muted, Right - Width(right, font), y);
        }

        public void Contents(IReadOnlyList<OutlineEntry> outline, double top)
        {
            var y = top;
            var certifications = false;
            foreach (var entry in outline)
            {
                if (entry.Number.Length == 0 && !certifications)
                {
                    certifications = true;
                    y += 8;
                    Draw("Certifications", style.BodyBold, style.Accent, Left, y);
                    y += ReportStyle.LineHeight(style.BodyBold) + 4;
                }

                var font = entry.Level == 1 && entry.Number.Length > 0 ? style.BodyBold : style.Body;
                var indent = entry.Level == 1 ? 0 : 24;
                var numberWidth = entry.Level == 1 ? 24 : 30;
                var page = entry.Page.ToString(CultureInfo.InvariantCulture);
                var pageWidth = Width(page, font);
                var x = Left + indent;
                if (entry.Number.Length > 0)
                {
                    Draw(entry.Number, font, style.Ink, x, y);
                    x += numberWidth;
                }
                else
                {
                    x += 24;
                }

                var title = Ellipsize(entry.Title, font, Right - pageWidth - 30 - x);
                Draw(title, font, style.Ink, x, y);
                var dotsFrom = x + Width(title, font) + 6;
                var dotsTo = Right - pageWidth - 6;
                var dot = Width(".", style.Small);
                var dots = Math.Max(0, (int)((dotsTo - dotsFrom) / (dot * 2)));
                if (dots > 0)
                {
                    var leader = string.Join(" ", Enumerable.Repeat(".", dots));
                    Draw(leader, style.Small, style.Rule, dotsTo - Width(leader, style.Small), y + 1);
                }

                Draw(page, font, style.Ink, Right - pageWidth, y);
                y += ReportStyle.LineHeight(font) + (entry.Level == 1 ? 5 : 2);
            }
        }

        public void Dispose()
        {
        }

        private double Width(string text, XFont font) => text.Length == 0 ? 0 : gfx.MeasureString(text, font).Width;

        private void Draw(string text, XFont font, XColor color, double x, double top) =>
            gfx.DrawString(text, font, new XSolidBrush(color), x, top + ReportStyle.BaselineOffset(font));

        private string Ellipsize(string text, XFont font, double width)
        {
            if (Width(text, font) <= width)
            {
                return text;
            }

            var cut = text.Length;
            while (cut > 1 && Width(text[..cut] + "\u2026", font) > width)
            {
                cut--;
            }

            return text[..cut].TrimEnd() + "\u2026";
        }
    }
}
