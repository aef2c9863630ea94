using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Recorder.Reporting.Fonts;

namespace Recorder.Reporting.Layout;

/// <summary>The report's typography and colours, in one place so every page looks alike.</summary>
internal sealed class ReportStyle
{
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);

    public XFont Body { get; } = Sans(9.2);

    public XFont BodyBold { get; } = Sans(9.2, XFontStyleEx.Bold);

    public XFont Small { get; } = Sans(7.8);

    public XFont SmallBold { get; } = Sans(7.8, XFontStyleEx.Bold);

    public XFont Note { get; } = Sans(7.8, XFontStyleEx.Italic);

    public XFont Mono { get; } = new(ReportFontResolver.MonoFamily, 7.4, XFontStyleEx.Regular, Unicode);

    public XFont MonoBody { get; } = new(ReportFontResolver.MonoFamily, 8.4, XFontStyleEx.Regular, Unicode);

    public XFont Heading1 { get; } = Sans(14, XFontStyleEx.Bold);

    public XFont Heading2 { get; } = Sans(10.5, XFontStyleEx.Bold);

    public XFont CoverTitle { get; } = Sans(22, XFontStyleEx.Bold);

    public XFont CoverSubtitle { get; } = Sans(12.5);

    public XFont Chrome { get; } = Sans(7.2);

    public XFont ChromeBold { get; } = Sans(7.2, XFontStyleEx.Bold);

    public XFont Serif { get; } = new(ReportFontResolver.SerifFamily, 9.8, XFontStyleEx.Regular, Unicode);

    public XFont SerifBold { get; } = new(ReportFontResolver.SerifFamily, 9.8, XFontStyleEx.Bold, Unicode);

    public XFont SerifTitle { get; } = new(ReportFontResolver.SerifFamily, 13, XFontStyleEx.Bold, Unicode);

    public XFont SerifSubtitle { get; } = new(ReportFontResolver.SerifFamily, 10, XFontStyleEx.Regular, Unicode);

    public XFont SerifSmall { get; } = new(ReportFontResolver.SerifFamily, 8, XFontStyleEx.Regular, Unicode);

    public XColor Ink { get; } = XColor.FromArgb(0x1a, 0x1a, 0x1a);

    public XColor Muted { get; } = XColor.FromArgb(0x5a, 0x5f, 0x66);

    public XColor Accent { get; } = XColor.FromArgb(0x1f, 0x3a, 0x5f);

    public XColor AccentLight { get; } = XColor.FromArgb(0x4f, 0x86, 0xb8);

    public XColor Rule { get; } = XColor.FromArgb(0xb4, 0xbb, 0xc4);

    public XColor HeaderFill { get; } = XColor.FromArgb(0xe3, 0xe9, 0xf1);

    public XColor ZebraFill { get; } = XColor.FromArgb(0xf5, 0xf7, 0xfa);

    public XBrush InkBrush => new XSolidBrush(Ink);

    public XBrush MutedBrush => new XSolidBrush(Muted);

    public XBrush AccentBrush => new XSolidBrush(Accent);

    /// <summary>Line height used for text set in <paramref name="font"/>.</summary>
    public static double LineHeight(XFont font) => font.Size * 1.3;

    /// <summary>Distance from the top of a line box to the baseline.</summary>
    public static double BaselineOffset(XFont font)
    {
        var metrics = font.Metrics;
        var ascent = metrics.Ascent * font.Size / metrics.UnitsPerEm;
        var descent = metrics.Descent * font.Size / metrics.UnitsPerEm;
        return ((LineHeight(font) - (ascent + descent)) / 2) + ascent;
    }

    private static XFont Sans(double size, XFontStyleEx style = XFontStyleEx.Regular) =>
        new(ReportFontResolver.SansFamily, size, style, Unicode);
}
