using PdfSharp.Fonts;

namespace Recorder.Reporting.Fonts;

/// <summary>
/// Makes sure PDFsharp's process-wide font resolver can resolve the report's families. PDFsharp
/// allows the resolver to be set once, before any font is used; this is the one place that sets it,
/// under a lock, and it never replaces a resolver someone else installed.
/// </summary>
internal static class ReportFontSetup
{
    private static readonly Lock Gate = new();

    // Immutable; PDFsharp asks for the same instance to be given on every set.
    private static readonly ReportFontResolver Shared = new();

    internal static void Ensure()
    {
        lock (Gate)
        {
            var current = GlobalFontSettings.FontResolver;
            if (current is null)
            {
                GlobalFontSettings.FontResolver = Shared;
                return;
            }

            if (current is ReportFontResolver)
            {
                return;
            }

            if (current.ResolveTypeface(ReportFontResolver.SansFamily, false, false) is not null
                && current.ResolveTypeface(ReportFontResolver.MonoFamily, false, false) is not null
                && current.ResolveTypeface(ReportFontResolver.SerifFamily, false, false) is not null)
            {
                return;
            }

            throw new ReportFontException(
                $"PDFsharp already has a font resolver ({current.GetType().FullName}) that does not resolve the report's font families " +
                $"'{ReportFontResolver.SansFamily}', '{ReportFontResolver.MonoFamily}' and '{ReportFontResolver.SerifFamily}'. " +
                $"Install new {nameof(ReportFontResolver)}(yourResolver) as GlobalFontSettings.FontResolver instead, before any PDF is drawn.");
        }
    }
}
