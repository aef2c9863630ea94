using PdfSharp.Drawing;

namespace Recorder.Reporting.Layout;

/// <summary>A table column: header text, relative width, default alignment.</summary>
internal sealed record Column(string Header, double Weight, bool AlignRight = false);

/// <summary>
/// A table cell. <see cref="Label"/> is printed in small bold before the text, which then starts
/// <see cref="LabelWidth"/> further right (used for "SHA-256  hash" lines).
/// </summary>
internal sealed record Cell(string Text, XFont? Font = null, int Span = 1, bool? AlignRight = null, XColor? Color = null, string? Label = null, double LabelWidth = 0);

/// <summary>One row of cells; spans must add up to the number of columns.</summary>
internal sealed record Row(IReadOnlyList<Cell> Cells);

/// <summary>Rows kept together on one page and shaded as one (a record spread over several lines).</summary>
internal sealed record RowGroup(IReadOnlyList<Row> Rows)
{
    public static RowGroup Of(params Cell[] cells) => new([new Row(cells)]);
}

/// <summary>
/// Draws tables that paginate: groups never split across pages, the header row is repeated at the
/// top of every page the table continues on, under a "(continued)" caption.
/// </summary>
internal sealed class Table
{
    private const double PadX = 4;
    private const double PadY = 2.6;

    private readonly IReadOnlyList<Column> _columns;

    public Table(IReadOnlyList<Column> columns, string caption)
    {
        _columns = columns;
        Caption = caption;
    }

    /// <summary>Name of the table, repeated with "(continued)" on each further page.</summary>
    public string Caption { get; }

    public bool ShowHeader { get; init; } = true;

    public bool Zebra { get; init; } = true;

    /// <summary>Font of cells that do not name one.</summary>
    public XFont? Font { get; init; }

    /// <summary>Draws the table at the current position over as many pages as needed.</summary>
    public void Draw(PageFlow flow, IReadOnlyList<RowGroup> groups)
    {
        if (groups.Count == 0)
        {
            groups = [RowGroup.Of(new Cell("None.", flow.Style.Note, _columns.Count))];
        }

        var widths = Widths(flow.Width);
        var headerHeight = ShowHeader ? HeaderHeight(flow, widths) : 0;
        var first = groups.Count > 0 ? GroupHeight(flow, widths, groups[0]) : 0;
        flow.EnsureSpace(headerHeight + first);
        if (ShowHeader)
        {
            DrawHeader(flow, flow.Left, widths, headerHeight);
        }

        var usable = flow.Bottom - flow.Top - headerHeight - ContinuedHeight(flow);
        for (var g = 0; g < groups.Count; g++)
        {
            var height = GroupHeight(flow, widths, groups[g]);
            if (height > usable)
            {
                // Taller than a page: keep rows whole but let the group break between them.
                foreach (var row in groups[g].Rows)
                {
                    var rowHeight = RowHeight(flow, widths, row);
                    Break(flow, widths, headerHeight, rowHeight);
                    DrawRow(flow, flow.Left, widths, row, rowHeight, g % 2 == 1 && Zebra);
                    flow.Y += rowHeight;
                }

                DrawGroupRule(flow, flow.Left, widths.Sum());
                continue;
            }

            Break(flow, widths, headerHeight, height);
            DrawGroup(flow, flow.Left, widths, groups[g], g % 2 == 1 && Zebra);
        }

        flow.Y += 6;
    }

    /// <summary>Height the table takes at <paramref name="width"/> without page breaks.</summary>
    public double Measure(PageFlow flow, double width, IReadOnlyList<RowGroup> groups)
    {
        var widths = Widths(width);
        return (ShowHeader ? HeaderHeight(flow, widths) : 0) + groups.Sum(g => GroupHeight(flow, widths, g));
    }

    /// <summary>Draws the whole table at (<paramref name="x"/>, current Y) in <paramref name="width"/>, without page breaks; Y is left unchanged.</summary>
    public void DrawAt(PageFlow flow, double x, double width, IReadOnlyList<RowGroup> groups)
    {
        var widths = Widths(width);
        var saved = flow.Y;
        if (ShowHeader)
        {
            var headerHeight = HeaderHeight(flow, widths);
            DrawHeader(flow, x, widths, headerHeight);
        }

        for (var g = 0; g < groups.Count; g++)
        {
            DrawGroup(flow, x, widths, groups[g], g % 2 == 1 && Zebra);
        }

        flow.Y = saved;
    }

    private void Break(PageFlow flow, double[] widths, double headerHeight, double needed)
    {
        if (flow.Fits(needed))
        {
            return;
        }

        flow.NewPage();
        var font = flow.Style.Note;
        flow.DrawLine(Caption + " (continued)", font, flow.Style.MutedBrush, flow.Left, flow.Y);
        flow.Y += ContinuedHeight(flow);
        if (ShowHeader)
        {
            DrawHeader(flow, flow.Left, widths, headerHeight);
        }
    }

    private static double ContinuedHeight(PageFlow flow) => ReportStyle.LineHeight(flow.Style.Note) + 2;

    private double[] Widths(double total)
    {
        var sum = _columns.Sum(c => c.Weight);
        return _columns.Select(c => total * c.Weight / sum).ToArray();
    }

    private double HeaderHeight(PageFlow flow, double[] widths)
    {
        var font = flow.Style.SmallBold;
        var lines = 1;
        for (var i = 0; i < _columns.Count; i++)
        {
            lines = Math.Max(lines, flow.Wrap(_columns[i].Header, font, widths[i] - (2 * PadX)).Count);
        }

        return (lines * ReportStyle.LineHeight(font)) + (2 * PadY) + 1;
    }

    private void DrawHeader(PageFlow flow, double x, double[] widths, double height)
    {
        var style = flow.Style;
        var font = style.SmallBold;
        flow.Gfx.DrawRectangle(new XSolidBrush(style.HeaderFill), x, flow.Y, widths.Sum(), height);
        var cx = x;
        var brush = new XSolidBrush(style.Accent);
        for (var i = 0; i < _columns.Count; i++)
        {
            var lines = flow.Wrap(_columns[i].Header, font, widths[i] - (2 * PadX));
            var ly = flow.Y + PadY;
            foreach (var line in lines)
            {
                if (_columns[i].AlignRight)
                {
                    flow.DrawLineRight(line, font, brush, cx + widths[i] - PadX, ly);
                }
                else
                {
                    flow.DrawLine(line, font, brush, cx + PadX, ly);
                }

                ly += ReportStyle.LineHeight(font);
            }

            cx += widths[i];
        }

        flow.Gfx.DrawLine(new XPen(style.Accent, 0.8), x, flow.Y + height, x + widths.Sum(), flow.Y + height);
        flow.Y += height;
    }

    private double GroupHeight(PageFlow flow, double[] widths, RowGroup group) =>
        group.Rows.Sum(r => RowHeight(flow, widths, r)) + 0.5;

    private void DrawGroup(PageFlow flow, double x, double[] widths, RowGroup group, bool shaded)
    {
        var total = widths.Sum();
        if (shaded)
        {
            flow.Gfx.DrawRectangle(new XSolidBrush(flow.Style.ZebraFill), x, flow.Y, total, GroupHeight(flow, widths, group));
        }

        foreach (var row in group.Rows)
        {
            var height = RowHeight(flow, widths, row);
            DrawRow(flow, x, widths, row, height, false);
            flow.Y += height;
        }

        DrawGroupRule(flow, x, total);
    }

    private static void DrawGroupRule(PageFlow flow, double x, double total)
    {
        flow.Gfx.DrawLine(new XPen(flow.Style.Rule, 0.35), x, flow.Y + 0.25, x + total, flow.Y + 0.25);
        flow.Y += 0.5;
    }

    private double RowHeight(PageFlow flow, double[] widths, Row row)
    {
        var baseline = RowBaseline(flow, row);
        var height = 0.0;
        foreach (var (cell, _, width) in Place(widths, row))
        {
            var font = FontOf(flow, cell);
            var lines = flow.Wrap(cell.Text, font, width - (2 * PadX) - cell.LabelWidth);
            var shift = baseline - ReportStyle.BaselineOffset(font);
            height = Math.Max(height, shift + (lines.Count * ReportStyle.LineHeight(font)));
        }

        return height + (2 * PadY);
    }

    // Cells of one row in different sizes share the baseline of their first line.
    private double RowBaseline(PageFlow flow, Row row) =>
        row.Cells.Max(c => ReportStyle.BaselineOffset(FontOf(flow, c)));

    private XFont FontOf(PageFlow flow, Cell cell) => cell.Font ?? Font ?? flow.Style.Small;

    private void DrawRow(PageFlow flow, double x, double[] widths, Row row, double height, bool shaded)
    {
        var style = flow.Style;
        if (shaded)
        {
            flow.Gfx.DrawRectangle(new XSolidBrush(style.ZebraFill), x, flow.Y, widths.Sum(), height);
        }

        var baseline = RowBaseline(flow, row);
        foreach (var (cell, offset, width) in Place(widths, row))
        {
            var font = FontOf(flow, cell);
            var brush = new XSolidBrush(cell.Color ?? style.Ink);
            var left = x + offset + PadX;
            var ly = flow.Y + PadY + baseline - ReportStyle.BaselineOffset(font);
            if (cell.Label is not null)
            {
                flow.DrawLine(cell.Label, style.SmallBold, style.MutedBrush, left, flow.Y + PadY + baseline - ReportStyle.BaselineOffset(style.SmallBold));
            }

            var alignRight = cell.AlignRight ?? (cell.Span == 1 && ColumnOf(widths, offset) is { } c && _columns[c].AlignRight);
            foreach (var line in flow.Wrap(cell.Text, font, width - (2 * PadX) - cell.LabelWidth))
            {
                if (alignRight)
                {
                    flow.DrawLineRight(line, font, brush, x + offset + width - PadX, ly);
                }
                else
                {
                    flow.DrawLine(line, font, brush, left + cell.LabelWidth, ly);
                }

                ly += ReportStyle.LineHeight(font);
            }
        }
    }

    private static int? ColumnOf(double[] widths, double offset)
    {
        var acc = 0.0;
        for (var i = 0; i < widths.Length; i++)
        {
            if (Math.Abs(acc - offset) < 0.01)
            {
                return i;
            }

            acc += widths[i];
        }

        return null;
    }

    private IEnumerable<(Cell Cell, double Offset, double Width)> Place(double[] widths, Row row)
    {
        var column = 0;
        var offset = 0.0;
        foreach (var cell in row.Cells)
        {
            var span = Math.Max(1, cell.Span);
            if (column + span > widths.Length)
            {
                throw new InvalidOperationException($"A row of table '{Caption}' spans {column + span} columns; the table has {widths.Length}.");
            }

            var width = 0.0;
            for (var i = 0; i < span; i++)
            {
                width += widths[column + i];
            }

            yield return (cell, offset, width);
            offset += width;
            column += span;
        }
    }
}
