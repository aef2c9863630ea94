namespace Recorder.Reporting.Tests;

public sealed class ReportRendererTests
{
    [Fact]
    public void Render_TypicalModel_ReturnsThePageCountOfThePdf()
    {
        var (pdf, pages) = RenderHarness.Render(SampleReports.Typical());
        using var document = RenderHarness.Open(pdf);
        Assert.Equal(document.NumberOfPages, pages);
        Assert.True(pages >= 10, $"only {pages} pages");
    }
}
