using Recorder.Reporting.Model;
using Recorder.Reporting.Templates;
using PigDocument = UglyToad.PdfPig.PdfDocument;

namespace Recorder.Reporting.Tests;

/// <summary>Renders a model and reads the PDF back with PdfPig.</summary>
internal static class RenderHarness
{
    public static (byte[] Pdf, int Pages) Render(ReportModel model, CertificationTemplateSet? templates = null, ReportOptions? options = null)
    {
        var renderer = new ReportRenderer(templates ?? CertificationTemplateSet.LoadDefaults(), options);
        using var output = new MemoryStream();
        var pages = renderer.Render(model, output);
        var bytes = output.ToArray();
        var dump = Environment.GetEnvironmentVariable("RECORDER_REPORT_DUMP");
        if (!string.IsNullOrEmpty(dump))
        {
            Directory.CreateDirectory(dump);
            File.WriteAllBytes(Path.Combine(dump, $"{model.ReportId}-{model.Files.Count}f-{model.Custody.Entries.Count}c.pdf"), bytes);
        }

        return (bytes, pages);
    }

    public static PigDocument Open(byte[] pdf) => PigDocument.Open(pdf);

    /// <summary>Every page's text, words joined by single spaces.</summary>
    public static IReadOnlyList<string> PageTexts(PigDocument document) =>
        document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))).ToArray();
}
