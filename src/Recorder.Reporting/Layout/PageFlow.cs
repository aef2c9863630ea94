using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Recorder.Reporting.Layout;

/// <summary>
/// Lays content out top to bottom over as many pages as it needs: holds the current page, its
/// graphics and the vertical position, breaks pages, wraps and draws text. One per render.
/// </summary>
internal sealed class PageFlow : IDisposable
{
    private readonly PdfDocument _document;

    // Tables measure and wrap the same cells more than once (to fit, then to draw): remember.
    private readonly Dictionary<(string Text, XFont Font), double> _widths = [];
    private readonly Dictionary<(string Text, XFont Font, double Width), IReadOnlyList<string>> _wraps = [];
    private XGraphics? _gfx;

    public PageFlow(PdfDocument document, ReportStyle style, PageGeometry geometry)
    {
        _document = document;
        Style = style;
        Geometry = geometry;
    }

    public ReportStyle Style { get; }

    public PageGeometry Geometry { get; }

    public XGraphics Gfx => _gfx ?? throw new InvalidOperationException("No page has been started.");

    public PdfPage Page => _document.Pages[_document.PageCount - 1];

    /// <summary>1-based number of the current page.</summary>
    public int PageNumber => _document.PageCount;

    public double Y { get; set; }

    public double Left => Geometry.MarginLeft;

    public double Right => Geometry.Width - Geometry.MarginRight;

    public double Width => Geometry.ContentWidth;

    public double Top => Geometry.MarginTop;

    public double Bottom => Geometry.Height - Geometry.MarginBottom;

    public double Remaining => Bottom - Y;

    public void NewPage()
    {
        _gfx?.Dispose();
        var page = _document.AddPage();
        page.Width = XUnit.FromPoint(Geometry.Width);
        page.Height = XUnit.FromPoint(Geometry.Height);
        _gfx = XGraphics.FromPdfPage(page);
        Y = Top;
    }

    public bool Fits(double height) => Y + height <= Bottom + 0.01;

    public void EnsureSpace(double height)
    {
        if (!Fits(height))
        {
            NewPage();
        }
    }

    public double TextWidth(string text, XFont font)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        if (!_widths.TryGetValue((text, font), out var width))
        {
            width = Gfx.MeasureString(text, font).Width;
            _widths[(text, font)] = width;
        }

        return width;
    }

    /// <summary><paramref name="text"/> wrapped into lines no wider than <paramref name="width"/> (see <see cref="TextWrap"/>).</summary>
    public IReadOnlyList<string> Wrap(string text, XFont font, double width)
    {
        var key = (text, font, Math.Round(width, 3));
        if (!_wraps.TryGetValue(key, out var lines))
        {
            lines = TextWrap.Wrap(this, text, font, width);
            _wraps[key] = lines;
        }

        return lines;
    }

    /// <summary>Draws one line of text with its line box's top at <paramref name="top"/>.</summary>
    public void DrawLine(string text, XFont font, XBrush brush, double x, double top) =>
        Gfx.DrawString(text, font, brush, x, top + ReportStyle.BaselineOffset(font));

    /// <summary>Draws one line right-aligned at <paramref name="right"/>.</summary>
    public void DrawLineRight(string text, XFont font, XBrush brush, double right, double top) =>
        DrawLine(text, font, brush, right - TextWidth(text, font), top);

    /// <summary>A wrapped paragraph at the current position; breaks pages between lines (never leaving a single line behind).</summary>
    public void Paragraph(string text, XFont font, XBrush? brush = null, double indent = 0, double spaceAfter = 5, string? marker = null, double markerWidth = 0)
    {
        brush ??= Style.InkBrush;
        var lineHeight = ReportStyle.LineHeight(font);
        var lines = Wrap(text, font, Width - indent - markerWidth);
        EnsureSpace(Math.Min(lines.Count, 2) * lineHeight);
        for (var i = 0; i < lines.Count; i++)
        {
            if (!Fits(lineHeight))
            {
                NewPage();
            }

            if (i == 0 && marker is not null)
            {
                DrawLine(marker, font, brush, Left + indent, Y);
            }

            DrawLine(lines[i], font, brush, Left + indent + markerWidth, Y);
            Y += lineHeight;
        }

        Y += spaceAfter;
    }

    /// <summary>Height of <paramref name="text"/> wrapped to <paramref name="width"/>.</summary>
    public double MeasureParagraph(string text, XFont font, double width) =>
        Wrap(text, font, width).Count * ReportStyle.LineHeight(font);

    public void Rule(XColor color, double thickness = 0.5, double spaceBefore = 2, double spaceAfter = 6)
    {
        Y += spaceBefore;
        Gfx.DrawLine(new XPen(color, thickness), Left, Y, Right, Y);
        Y += spaceAfter;
    }

    public void Dispose()
    {
        _gfx?.Dispose();
        _gfx = null;
    }
}
