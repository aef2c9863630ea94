using System.Diagnostics;
using Xunit.Abstractions;

namespace Recorder.Reporting.Tests.Document;

/// <summary>A package with hundreds of custody entries and dozens of files: tables paginate, headers repeat, it stays quick.</summary>
public sealed class LargeReportTests(ITestOutputHelper output)
{
    [Fact]
    public void Render_LargeModel_PaginatesTablesWithRepeatedHeadersQuickly()
    {
        var model = SampleReports.Large();
        var watch = Stopwatch.StartNew();
        var (pdf, pages) = RenderHarness.Render(model);
        watch.Stop();
        output.WriteLine($"{model.Custody.Entries.Count} custody entries, {model.Files.Count} files, {model.Provenance.Segments.Count} segments, " +
            $"{model.Traffic.Series.Buckets.Count} buckets: {pages} pages, {pdf.Length:N0} bytes in {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"rendering took {watch.Elapsed}");

        using var document = RenderHarness.Open(pdf);
        var texts = RenderHarness.PageTexts(document);

        // Every page that holds ledger rows starts with the table's header row.
        var custodyPages = texts.Select((t, i) => (t, i)).Where(p => p.t.Contains("Entry hash", StringComparison.Ordinal)).ToArray();
        Assert.True(custodyPages.Length >= 10, $"custody table on only {custodyPages.Length} pages");
        Assert.Equal(custodyPages.Length, custodyPages[^1].i - custodyPages[0].i + 1);
        foreach (var (text, index) in custodyPages)
        {
            Assert.Contains("Seq Time (UTC) Actor Action Subject", text, StringComparison.Ordinal);
            if (index != custodyPages[0].i)
            {
                Assert.Contains("Ledger entries (continued)", text, StringComparison.Ordinal);
            }
        }

        var all = string.Join("\n", texts);
        foreach (var entry in model.Custody.Entries)
        {
            Assert.Contains("Entry hash " + entry.EntryHash, all, StringComparison.Ordinal);
        }

        // The evidence table spans pages too, its header repeated.
        var evidencePages = texts.Where(t => t.Contains("Evidence files (continued)", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(evidencePages);
        Assert.All(evidencePages, t => Assert.Contains("# File Packets Size (bytes) Link type", t, StringComparison.Ordinal));
        foreach (var file in model.Files)
        {
            Assert.Contains("SHA-256 " + file.Sha256, all, StringComparison.Ordinal);
        }

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages}", texts[i], StringComparison.Ordinal);
        }

        // 2000 one-minute buckets do not fit as bars: the chart sums neighbours and says so.
        Assert.Contains("Packets per 10 min", all, StringComparison.Ordinal);
    }
}

public sealed class ConcurrentRenderTests
{
    [Fact]
    public async Task Render_OnSeveralThreadsAtOnce_GivesTheSameBytesAsAlone()
    {
        var model = SampleReports.Typical();
        var (alone, _) = RenderHarness.Render(model);
        var renders = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            RenderHarness.Render(i % 2 == 0 ? model : SampleReports.Typical()).Pdf)));
        Assert.All(renders, r => Assert.Equal(alone, r));
    }
}
