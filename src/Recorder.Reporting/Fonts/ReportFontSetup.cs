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

    internal enum Decision
    {
        Install,
        Accept,
        Reject,
    }

    internal static void Ensure()
    {
        lock (Gate)
        {
            var current = GlobalFontSettings.FontResolver;
            switch (Decide(current))
            {
                case Decision.Install:
                    GlobalFontSettings.FontResolver = Shared;
                    break;
                case Decision.Accept:
                    break;
                default:
                    throw new ReportFontException(
                        $"PDFsharp already has a font resolver ({current!.GetType().FullName}) that does not resolve the report's font families " +
                        $"'{ReportFontResolver.SansFamily}', '{ReportFontResolver.MonoFamily}' and '{ReportFontResolver.SerifFamily}'. " +
                        $"Install new {nameof(ReportFontResolver)}(yourResolver) as GlobalFontSettings.FontResolver instead, before any PDF is drawn.");
            }
        }
    }

    /// <summary>What to do given the resolver PDFsharp has now.</summary>
    internal static Decision Decide(IFontResolver? current)
    {
        if (current is null)
        {
            return Decision.Install;
        }

        if (current is ReportFontResolver)
        {
            return Decision.Accept;
        }

        var resolvesOurs = current.ResolveTypeface(ReportFontResolver.SansFamily, false, false) is not null
            && current.ResolveTypeface(ReportFontResolver.SansFamily, true, false) is not null
            && current.ResolveTypeface(ReportFontResolver.MonoFamily, false, false) is not null
            && current.ResolveTypeface(ReportFontResolver.SerifFamily, false, false) is not null;
        return resolvesOurs ? Decision.Accept : Decision.Reject;
    }
}
