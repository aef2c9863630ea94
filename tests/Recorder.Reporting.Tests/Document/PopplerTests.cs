using System.Diagnostics;
using Recorder.TestSupport;

namespace Recorder.Reporting.Tests.Document;

/// <summary>An independent PDF reader (poppler) opens every page without complaint and sees the fonts embedded.</summary>
public sealed class PopplerTests
{
    [SkippableFact]
    public void Poppler_ReadsEveryPageWithoutErrorsAndFindsEveryFontEmbedded()
    {
        Skip.If(!OnPath("pdfinfo") || !OnPath("pdffonts") || !OnPath("pdftoppm"), "poppler-utils (pdfinfo, pdffonts, pdftoppm) is not installed");
        var (pdf, pages) = RenderHarness.Render(SampleReports.Typical());
        using var dir = new TempDirectory("recorder-report");
        var path = dir.File("report.pdf");
        File.WriteAllBytes(path, pdf);

        var (info, infoErr) = Run("pdfinfo", path);
        Assert.Equal(string.Empty, infoErr);
        Assert.Contains($"Pages:           {pages}", info, StringComparison.Ordinal);
        Assert.Contains("letter", info, StringComparison.Ordinal);

        var (fonts, fontsErr) = Run("pdffonts", path);
        Assert.Equal(string.Empty, fontsErr);
        var rows = fonts.Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToArray();
        Assert.True(rows.Length >= 5, fonts);
        Assert.All(rows, r => Assert.Matches(@"\byes\s+yes\s+yes\b", r));

        var (_, renderErr) = Run("pdftoppm", "-png", "-r", "30", path, dir.File("page"));
        Assert.Equal(string.Empty, renderErr);
        Assert.Equal(pages, Directory.GetFiles(dir.Path, "page-*.png").Length);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static (string Out, string Err) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return (stdout.Result, stderr);
    }
}
