namespace Recorder.Reporting.Layout;

/// <summary>Page size and margins in points (1/72 inch).</summary>
internal sealed record PageGeometry(double Width, double Height, double MarginLeft, double MarginRight, double MarginTop, double MarginBottom)
{
    /// <summary>US Letter, 8.5 × 11 in, with 0.9 in side margins and room for the running header and footer.</summary>
    public static PageGeometry Letter { get; } = new(612, 792, 65, 65, 72, 64);

    /// <summary>ISO A4, 210 × 297 mm, with the same margins.</summary>
    public static PageGeometry A4 { get; } = new(595.28, 841.89, 62, 62, 72, 64);

    public double ContentWidth => Width - MarginLeft - MarginRight;
}
