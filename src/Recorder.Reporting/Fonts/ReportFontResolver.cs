using PdfSharp.Fonts;

namespace Recorder.Reporting.Fonts;

/// <summary>
/// Resolves the report's font families to the DejaVu fonts shipped inside this assembly (see
/// <c>Fonts/LICENSE-DejaVu.txt</c>), so reports look the same on every machine and embed their fonts.
/// Families it does not know go to an optional inner resolver.
/// </summary>
/// <remarks>
/// PDFsharp keeps one font resolver per process (<see cref="GlobalFontSettings.FontResolver"/>).
/// <see cref="ReportRenderer"/> installs one instance of this class when none is installed. A host
/// that has its own resolver installs <c>new ReportFontResolver(itsOwnResolver)</c> instead, before
/// any PDF is drawn; the renderer accepts any installed resolver that resolves the families below.
/// </remarks>
public sealed class ReportFontResolver : IFontResolver
{
    /// <summary>Proportional sans-serif family (DejaVu Sans): body text, headings, tables.</summary>
    public const string SansFamily = "Recorder Sans";

    /// <summary>Monospaced family (DejaVu Sans Mono): hashes, ids, commands.</summary>
    public const string MonoFamily = "Recorder Mono";

    /// <summary>Serif family (DejaVu Serif): certification pages.</summary>
    public const string SerifFamily = "Recorder Serif";

    private const string ResourcePrefix = "Recorder.Reporting.Fonts.";

    private readonly IFontResolver? _inner;

    /// <summary>Creates a resolver; <paramref name="inner"/> resolves every other family, if given.</summary>
    public ReportFontResolver(IFontResolver? inner = null) => _inner = inner;

    /// <inheritdoc />
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        ArgumentNullException.ThrowIfNull(familyName);
        var face = Face(familyName, bold, italic);
        if (face is null)
        {
            return _inner?.ResolveTypeface(familyName, bold, italic);
        }

        // Monospace has no bold face shipped: PDFsharp simulates it. Italic sans uses the oblique face;
        // serif italic is simulated too.
        var simulateBold = bold && face.Value.Bold == false;
        var simulateItalic = italic && face.Value.Italic == false;
        return new FontResolverInfo(face.Value.FaceName, simulateBold, simulateItalic);
    }

    /// <inheritdoc />
    public byte[]? GetFont(string faceName)
    {
        ArgumentNullException.ThrowIfNull(faceName);
        if (!faceName.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        {
            return _inner?.GetFont(faceName);
        }

        using var stream = typeof(ReportFontResolver).Assembly.GetManifestResourceStream(faceName)
            ?? throw new InvalidOperationException($"The font resource {faceName} is missing from {typeof(ReportFontResolver).Assembly.GetName().Name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static (string FaceName, bool Bold, bool Italic)? Face(string familyName, bool bold, bool italic) => familyName switch
    {
        SansFamily when bold => (ResourcePrefix + "DejaVuSans-Bold.ttf", true, false),
        SansFamily when italic => (ResourcePrefix + "DejaVuSans-Oblique.ttf", false, true),
        SansFamily => (ResourcePrefix + "DejaVuSans.ttf", false, false),
        MonoFamily => (ResourcePrefix + "DejaVuSansMono.ttf", false, false),
        SerifFamily when bold => (ResourcePrefix + "DejaVuSerif-Bold.ttf", true, false),
        SerifFamily => (ResourcePrefix + "DejaVuSerif.ttf", false, false),
        _ => null,
    };
}
