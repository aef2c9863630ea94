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
            var name = Path.Combine(dump, $"{model.ReportId}-{model.Files.Count}f-{model.Custody.Entries.Count}c-{pages}p");
            File.WriteAllBytes(name + ".pdf", bytes);
            using var document = Open(bytes);
            File.WriteAllLines(name + ".txt", PageTexts(document).Select((t, i) => $"--- page {i + 1}\n{t}"));
        }

        return (bytes, pages);
    }

    public static PigDocument Open(byte[] pdf) => PigDocument.Open(pdf);

    /// <summary>
    /// Every page's text in reading order: words grouped into lines by their baseline, lines top to
    /// bottom, words left to right, all joined by single spaces. (PdfPig's own word order follows the
    /// content stream, which for tables drawn column by column is not the order a reader sees.)
    /// </summary>
    public static IReadOnlyList<string> PageTexts(PigDocument document) =>
        document.GetPages().Select(p => string.Join(' ', Lines(p))).ToArray();

    private static IEnumerable<string> Lines(UglyToad.PdfPig.Content.Page page)
    {
        var lines = new List<(double Baseline, List<UglyToad.PdfPig.Content.Word> Words)>();
        foreach (var word in page.GetWords().OrderByDescending(w => w.BoundingBox.Bottom))
        {
            var baseline = word.Letters[0].StartBaseLine.Y;
            var line = lines.FindIndex(l => Math.Abs(l.Baseline - baseline) < 1.5);
            if (line < 0)
            {
                lines.Add((baseline, [word]));
            }
            else
            {
                lines[line].Words.Add(word);
            }
        }

        return lines.OrderByDescending(l => l.Baseline)
            .Select(l => string.Join(' ', l.Words.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text)));
    }
}
