using System.Globalization;
using PdfSharp.Drawing;
using Recorder.Core.Time;
using Recorder.Reporting.Model;

namespace Recorder.Reporting.Layout;

/// <summary>
/// The traffic-over-time chart: packets per bucket above, bytes per bucket below, sharing a UTC
/// time axis. Drawn with vector graphics (rectangles and lines), no image. When there are more
/// buckets than fit as bars, adjacent buckets are summed (the panel titles give the width drawn).
/// </summary>
internal static class TrafficChart
{
    private const double AxisLabelWidth = 46;
    private const double MinBarWidth = 1.6;

    private static readonly long[] TickIntervals =
    [
        1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000, 200_000_000, 500_000_000,
        Sec(1), Sec(2), Sec(5), Sec(10), Sec(15), Sec(30),
        Sec(60), Sec(120), Sec(300), Sec(600), Sec(900), Sec(1800),
        Sec(3600), Sec(7200), Sec(3 * 3600), Sec(6 * 3600), Sec(12 * 3600),
        Sec(86400), Sec(2 * 86400), Sec(7 * 86400), Sec(14 * 86400), Sec(30 * 86400), Sec(91 * 86400), Sec(365 * 86400),
    ];

    /// <summary>Draws the chart in <paramref name="area"/>; returns the width of one drawn bar in nanoseconds.</summary>
    public static long Draw(PageFlow flow, XRect area, TrafficSeries series)
    {
        var style = flow.Style;
        var gfx = flow.Gfx;
        gfx.DrawRectangle(new XPen(style.Rule, 0.5), area);

        var plotLeft = area.Left + 10 + AxisLabelWidth;
        var plotRight = area.Right - 12;
        var plotWidth = plotRight - plotLeft;
        var maxBars = Math.Max(1, (int)Math.Floor(plotWidth / MinBarWidth));
        var (buckets, width) = Merge(series, maxBars);

        var titleHeight = ReportStyle.LineHeight(style.SmallBold) + 8;
        var axisHeight = (ReportStyle.LineHeight(style.Small) * 2) + 8;
        var gap = 10.0;
        var panelHeight = (area.Height - 8 - (2 * titleHeight) - gap - axisHeight) / 2;
        var top1 = area.Top + 6 + titleHeight;
        var top2 = top1 + panelHeight + gap + titleHeight;

        var duration = Duration(width);
        Panel(flow, plotLeft, plotWidth, top1, panelHeight, buckets.Select(b => b.Packets).ToArray(),
            "Packets per " + duration, FormatCount, style.Accent);
        Panel(flow, plotLeft, plotWidth, top2, panelHeight, buckets.Select(b => b.Bytes).ToArray(),
            "Bytes per " + duration, FormatBytes, style.AccentLight);

        var start = series.Start.UnixNanoseconds;
        var span = checked(width * buckets.Count);
        TimeAxis(flow, plotLeft, plotWidth, top2 + panelHeight, start, span);
        if (buckets.Count == 0 || buckets.All(b => b.Packets == 0))
        {
            var text = "No packets in the evidence";
            flow.DrawLine(text, style.Note, style.MutedBrush, plotLeft + ((plotWidth - flow.TextWidth(text, style.Note)) / 2), top1 + (panelHeight / 2));
        }

        return width;
    }

    private static void Panel(PageFlow flow, double left, double width, double top, double height, long[] values,
        string title, Func<double, string> format, XColor color)
    {
        var style = flow.Style;
        var gfx = flow.Gfx;
        flow.DrawLine(title, style.SmallBold, style.AccentBrush, left - AxisLabelWidth, top - ReportStyle.LineHeight(style.SmallBold) - 8);

        var max = values.Length == 0 ? 0 : values.Max();
        var (step, axisMax) = NiceScale(max);
        var grid = new XPen(XColor.FromArgb(0xdd, 0xe2, 0xe8), 0.4);
        var axis = new XPen(style.Muted, 0.6);
        var labelFont = style.Small;
        for (var v = 0.0; v <= axisMax + (step / 2); v += step)
        {
            var y = top + height - (v / axisMax * height);
            if (v > 0)
            {
                gfx.DrawLine(grid, left, y, left + width, y);
            }

            gfx.DrawLine(axis, left - 3, y, left, y);
            var label = format(v);
            flow.DrawLineRight(label, labelFont, style.MutedBrush, left - 5, y - (ReportStyle.LineHeight(labelFont) / 2));
        }

        if (values.Length > 0)
        {
            var barWidth = width / values.Length;
            var gap = barWidth > 4 ? barWidth * 0.15 : 0;
            var brush = new XSolidBrush(color);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] <= 0)
                {
                    continue;
                }

                var h = Math.Max(0.6, values[i] / axisMax * height);
                gfx.DrawRectangle(brush, left + (i * barWidth) + (gap / 2), top + height - h, Math.Max(0.4, barWidth - gap), h);
            }
        }

        gfx.DrawLine(axis, left, top, left, top + height);
        gfx.DrawLine(axis, left, top + height, left + width, top + height);
    }

    private static void TimeAxis(PageFlow flow, double left, double width, double baseline, long start, long span)
    {
        var style = flow.Style;
        var font = style.Small;
        var axis = new XPen(style.Muted, 0.6);
        if (span <= 0)
        {
            return;
        }

        var labelWidth = flow.TextWidth("00-00 00:00:00.000", font) * 0.75;
        var maxTicks = Math.Max(2, (int)(width / (labelWidth + 14)));
        var interval = TickIntervals.FirstOrDefault(i => span / i <= maxTicks, TickIntervals[^1]);
        var end = checked(start + span);
        var oneDay = DayOf(start) == DayOf(end - 1);
        var first = FloorTo(start, interval);
        if (first < start)
        {
            first = checked(first + interval);
        }

        for (var t = first; t <= end; t = checked(t + interval))
        {
            var x = left + ((double)(t - start) / span * width);
            flow.Gfx.DrawLine(axis, x, baseline, x, baseline + 3);
            var label = TickLabel(t, interval, oneDay);
            var w = flow.TextWidth(label, font);
            flow.DrawLine(label, font, style.MutedBrush, Math.Clamp(x - (w / 2), left - 20, left + width + 10 - w), baseline + 4);
        }

        var title = oneDay
            ? $"Time (UTC) on {DayText(start)}"
            : $"Time (UTC), {DayText(start)} to {DayText(end - 1)}";
        var tw = flow.TextWidth(title, style.SmallBold);
        flow.DrawLine(title, style.SmallBold, style.MutedBrush, left + ((width - tw) / 2), baseline + 5 + ReportStyle.LineHeight(font));
    }

    private static (IReadOnlyList<TrafficBucket> Buckets, long Width) Merge(TrafficSeries series, int maxBars)
    {
        var n = series.Buckets.Count;
        if (n <= maxBars)
        {
            return (series.Buckets, series.BucketNanoseconds);
        }

        // Sum neighbours in groups whose width is a round duration (10 min rather than 8 min) when one fits.
        var factor = (n + maxBars - 1) / maxBars;
        var bucket = series.BucketNanoseconds;
        var round = TickIntervals.FirstOrDefault(w => w % bucket == 0 && w / bucket >= factor && w / bucket <= factor * 2);
        if (round > 0)
        {
            factor = checked((int)(round / bucket));
        }

        var merged = new List<TrafficBucket>((n + factor - 1) / factor);
        for (var i = 0; i < n; i += factor)
        {
            long packets = 0, bytes = 0;
            for (var j = i; j < Math.Min(n, i + factor); j++)
            {
                packets = checked(packets + series.Buckets[j].Packets);
                bytes = checked(bytes + series.Buckets[j].Bytes);
            }

            merged.Add(new TrafficBucket(packets, bytes));
        }

        return (merged, checked(series.BucketNanoseconds * factor));
    }

    /// <summary>An axis maximum and step of 1, 2, 2.5 or 5 × 10^n giving four or five gridlines.</summary>
    internal static (double Step, double Max) NiceScale(long max)
    {
        if (max <= 0)
        {
            return (1, 4);
        }

        var raw = max / 4.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        step = Math.Max(1, step);
        return (step, Math.Ceiling(max / step) * step);
    }

    internal static string FormatCount(double value) => value switch
    {
        < 10_000 => value.ToString("#,0.##", CultureInfo.InvariantCulture),
        < 1_000_000 => (value / 1_000).ToString("0.##", CultureInfo.InvariantCulture) + " k",
        < 1_000_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + " M",
        _ => (value / 1_000_000_000).ToString("0.##", CultureInfo.InvariantCulture) + " G",
    };

    internal static string FormatBytes(double value) => value switch
    {
        < 1_000 => value.ToString("0", CultureInfo.InvariantCulture) + " B",
        < 1_000_000 => (value / 1_000).ToString("0.##", CultureInfo.InvariantCulture) + " kB",
        < 1_000_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + " MB",
        _ => (value / 1_000_000_000).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>A duration in the largest whole unit, e.g. <c>5 min</c>, <c>250 ms</c>.</summary>
    internal static string Duration(long nanoseconds)
    {
        (long Size, string Unit)[] units =
        [
            (Sec(86400), "day"), (Sec(3600), "h"), (Sec(60), "min"), (Sec(1), "s"), (1_000_000, "ms"), (1_000, "\u00b5s"), (1, "ns"),
        ];
        foreach (var (size, unit) in units)
        {
            if (nanoseconds >= size && nanoseconds % size == 0)
            {
                var n = nanoseconds / size;
                return n == 1 ? unit == "day" ? "day" : "1 " + unit : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(unit == "day" ? "s" : string.Empty)}";
            }
        }

        return nanoseconds.ToString(CultureInfo.InvariantCulture) + " ns";
    }

    private static string TickLabel(long t, long interval, bool oneDay)
    {
        var time = new Timestamp(t).ToDateTimeOffset();
        var format = interval switch
        {
            >= 86_400_000_000_000 => "yyyy-MM-dd",
            >= 60_000_000_000 => oneDay ? "HH:mm" : "MM-dd HH:mm",
            >= 1_000_000_000 => oneDay ? "HH:mm:ss" : "MM-dd HH:mm:ss",
            _ => "HH:mm:ss.fff",
        };
        return time.ToString(format, CultureInfo.InvariantCulture);
    }

    private static long DayOf(long t) => new Timestamp(t).Seconds / 86400;

    private static string DayText(long t) => new Timestamp(t).ToDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long FloorTo(long t, long interval)
    {
        var r = t % interval;
        return r < 0 ? t - r - interval : t - r;
    }

    private static long Sec(long seconds) => seconds * 1_000_000_000;
}
