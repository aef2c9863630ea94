using System.Globalization;
using System.Text.RegularExpressions;
using Recorder.Reporting.Model;

namespace Recorder.Reporting.Tests.Document;

/// <summary>Reads the rendered PDF back with PdfPig and checks that the facts of the model are in it.</summary>
public sealed class ReportContentTests
{
    private static readonly Lazy<(ReportModel Model, byte[] Pdf, int Pages, IReadOnlyList<string> Texts)> Typical = new(() =>
    {
        var model = SampleReports.Typical();
        var (pdf, pages) = RenderHarness.Render(model);
        using var document = RenderHarness.Open(pdf);
        return (model, pdf, pages, RenderHarness.PageTexts(document));
    });

    private static string All => string.Join("\n", Typical.Value.Texts);

    [Fact]
    public void Render_ReturnsThePageCountOfThePdf()
    {
        var (_, pdf, pages, _) = Typical.Value;
        using var document = RenderHarness.Open(pdf);
        Assert.Equal(document.NumberOfPages, pages);
        Assert.InRange(pages, 12, 40);
    }

    [Fact]
    public void Cover_StatesCaseRequestBuilderTimeVersionReportIdAndManifestHash()
    {
        var (m, _, _, texts) = Typical.Value;
        var cover = texts[0];
        Assert.Contains("Case " + m.Case.Id, cover, StringComparison.Ordinal);
        Assert.Contains("unauthorised transfer of design files", cover, StringComparison.Ordinal);
        Assert.Contains(m.Request.Investigator, cover, StringComparison.Ordinal);
        Assert.Contains("for the search warrant affidavit", cover, StringComparison.Ordinal);
        Assert.Contains($"{m.Build.Actor} on host {m.Build.Host}", cover, StringComparison.Ordinal);
        Assert.Contains("27 November 2026, 18:35:37 UTC", cover, StringComparison.Ordinal);
        Assert.Contains(m.Build.BuiltAt.ToString(), cover, StringComparison.Ordinal);
        Assert.Contains($"Recorder {m.Tool.Version}, source revision {m.Tool.SourceRevision}", cover, StringComparison.Ordinal);
        Assert.Contains(m.ReportId, cover, StringComparison.Ordinal);
        Assert.Contains(m.ManifestSha256, cover, StringComparison.Ordinal);
    }

    [Fact]
    public void EvidenceTable_HoldsEveryFileWithItsHashesInFull()
    {
        var (m, _, _, texts) = Typical.Value;
        var words = texts.SelectMany(t => t.Split(' ')).ToHashSet(StringComparer.Ordinal);
        foreach (var file in m.Files)
        {
            // Each hash is one unbroken word: not wrapped, not cut.
            Assert.Contains(file.Sha256, words);
            Assert.Contains(file.Sha1, words);
            Assert.Contains(file.Md5, words);
            Assert.Contains(file.Name, words);
            Assert.Contains(file.SizeBytes.ToString("#,0", CultureInfo.InvariantCulture), All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Provenance_HoldsSegmentHashesSignatureStatusAndAcquisitionDetails()
    {
        var (m, _, _, texts) = Typical.Value;
        var words = texts.SelectMany(t => t.Split(' ')).ToHashSet(StringComparer.Ordinal);
        foreach (var segment in m.Provenance.Segments)
        {
            Assert.Contains(segment.Id, words);
            Assert.Contains(segment.Sha256, words);
            Assert.Contains(segment.ManifestSha256, words);
        }

        Assert.Contains("Valid Ed25519 signature by the store key", All, StringComparison.Ordinal);
        Assert.Contains("Capture 1: interface ens1f0", All, StringComparison.Ordinal);
        Assert.Contains("not port 22", All, StringComparison.Ordinal);
        Assert.Contains("kernel 0, interface 0, Recorder 0", All, StringComparison.Ordinal);
        foreach (var original in m.Provenance.Acquisitions.SelectMany(a => a.OriginalFiles))
        {
            Assert.Contains(original.Name, words);
            Assert.Contains(original.Sha256, words);
        }
    }

    [Fact]
    public void Custody_ListsEverySequenceAndEntryHashInLedgerOrder()
    {
        var (m, _, _, _) = Typical.Value;
        var all = All;
        var last = -1;
        foreach (var entry in m.Custody.Entries.OrderBy(e => e.Sequence))
        {
            var at = all.IndexOf($"{entry.Sequence} {entry.Time}", StringComparison.Ordinal);
            Assert.True(at >= 0, $"sequence {entry.Sequence} with its time is missing");
            var hashAt = all.IndexOf("Entry hash " + entry.EntryHash, StringComparison.Ordinal);
            Assert.True(hashAt > at, $"entry hash of {entry.Sequence} is missing or before its row");
            Assert.True(at > last, $"entry {entry.Sequence} is out of order");
            last = hashAt;
        }
    }

    [Fact]
    public void Custody_StatesTheCheckpointAndItsTimeStamp()
    {
        var (m, _, _, _) = Typical.Value;
        var cp = m.Custody.Checkpoint;
        Assert.Contains("Root hash " + cp.RootHash, All, StringComparison.Ordinal);
        Assert.Contains("Tree size 1,029 entries", All, StringComparison.Ordinal);
        Assert.Contains("RFC 3161 time-stamp " + cp.TimeStamp.Time, All, StringComparison.Ordinal);
        Assert.Contains(cp.TimeStamp.Authority + " (built into Recorder)", All, StringComparison.Ordinal);
        Assert.Contains("not an attestation by an independent third party", All, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPage_CarriesPageXOfYAndTheRunningHeader()
    {
        var (m, _, pages, texts) = Typical.Value;
        Assert.Equal(pages, texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages}", texts[i], StringComparison.Ordinal);
            Assert.Contains("Case " + m.Case.Id, texts[i], StringComparison.Ordinal);
            Assert.Contains("Report " + m.ReportId, texts[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Contents_GivesThePageOfEachSection()
    {
        var (_, _, _, texts) = Typical.Value;
        var contents = texts[1];
        Assert.Contains("Contents", contents, StringComparison.Ordinal);
        string[] sections = ["Request and scope", "Summary of the evidence", "Evidence files", "Provenance", "Chain of custody", "Method", "Independent verification"];
        for (var i = 0; i < sections.Length; i++)
        {
            var match = Regex.Match(contents, $@"{i + 1} {Regex.Escape(sections[i])} [. ]*(\d+)");
            Assert.True(match.Success, $"contents has no entry for {sections[i]}");
            var page = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Contains($"{i + 1} {sections[i]}", texts[page - 1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Summary_HasTheTrafficChartWithAxesLabelsAndBars()
    {
        var (m, pdf, _, texts) = Typical.Value;
        var chartPage = texts.Select((t, i) => (t, i)).Single(p => p.t.Contains("Packets per 1 min", StringComparison.Ordinal)).i;
        var text = texts[chartPage];
        Assert.Contains("Bytes per 1 min", text, StringComparison.Ordinal);
        Assert.Contains("Time (UTC) on 2026-11-02", text, StringComparison.Ordinal);
        Assert.Contains("08:15", text, StringComparison.Ordinal);
        Assert.Contains("08:30", text, StringComparison.Ordinal);
        Assert.Contains("2 MB", text, StringComparison.Ordinal);

        using var document = RenderHarness.Open(pdf);
        var page = document.GetPage(chartPage + 1);
        var filled = page.Paths.Count(p => p.IsFilled);
        // One bar per non-empty bucket in each of the two panels, plus table and box fills.
        Assert.True(filled >= 2 * m.Traffic.Series.Buckets.Count, $"only {filled} filled paths on the chart page");
    }

    [Fact]
    public void Summary_ListsTopHostsAndPortsAndSumsUpTheRest()
    {
        var (m, _, _, _) = Typical.Value;
        Assert.Contains("10.20.30.41 20,817", All, StringComparison.Ordinal);
        Assert.Contains($"{m.Traffic.Hosts.Count - 10} other hosts", All, StringComparison.Ordinal);
        Assert.Contains($"{m.Traffic.Ports.Count - 10} other ports", All, StringComparison.Ordinal);
        Assert.Contains("TCP 443", All, StringComparison.Ordinal);
        Assert.Contains("TCP 80.0 %, UDP 17.0 %", All, StringComparison.Ordinal);
    }

    [Fact]
    public void Verification_GivesTheStandardCommands()
    {
        Assert.Contains("sha256sum -c SHA256SUMS", All, StringComparison.Ordinal);
        Assert.Contains("openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in manifest.json -sigfile manifest.sig", All, StringComparison.Ordinal);
        Assert.Contains("openssl ts -verify -data custody/checkpoint.txt -in custody/checkpoint.tsr -CAfile custody/tsa.pem", All, StringComparison.Ordinal);
        Assert.Contains("capinfos", All, StringComparison.Ordinal);
        Assert.Contains("recorder verify-package PATH", All, StringComparison.Ordinal);
    }

    [Fact]
    public void Certifications_Fre902_13And14_ArePrefilledWithBlanksForTheDeclarant()
    {
        var (m, _, _, texts) = Typical.Value;
        var first13 = texts.ToList().FindIndex(t => t.Contains("Federal Rule of Evidence 902(13)", StringComparison.Ordinal));
        var first14 = texts.ToList().FindIndex(t => t.Contains("Federal Rule of Evidence 902(14)", StringComparison.Ordinal));
        Assert.True(first13 > 2 && first14 > first13, $"902(13) at {first13}, 902(14) at {first14}");
        Assert.Contains("Certification of Records Generated by an Electronic Process", texts[first13], StringComparison.Ordinal);
        Assert.Contains("Certification of Data Copied from an Electronic Device", texts[first14], StringComparison.Ordinal);

        var cert13 = string.Join("\n", texts.Skip(first13).Take(first14 - first13));
        var cert14 = string.Join("\n", texts.Skip(first14));
        foreach (var cert in new[] { cert13, cert14 })
        {
            Assert.Contains("28 U.S.C. § 1746", cert, StringComparison.Ordinal);
            Assert.Contains("I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.", cert, StringComparison.Ordinal);
            Assert.Matches("Executed on _{10,}", cert);
            Assert.Contains("Signature of declarant", cert, StringComparison.Ordinal);
            Assert.Contains("Printed name of declarant", cert, StringComparison.Ordinal);
            Assert.Contains("Qualification or title", cert, StringComparison.Ordinal);
            Assert.Contains("Date", cert, StringComparison.Ordinal);
            Assert.Contains(m.ManifestSha256, cert, StringComparison.Ordinal);
            Assert.Contains("Case: " + m.Case.Id, cert, StringComparison.Ordinal);
        }

        // 902(13): the process; 902(14): every hash and how to check it.
        Assert.Contains("(a) Acquisition", cert13, StringComparison.Ordinal);
        Assert.Contains("started a live capture on interface ens1f0", cert13, StringComparison.Ordinal);
        foreach (var file in m.Files)
        {
            Assert.Contains(file.Sha256, cert14, StringComparison.Ordinal);
        }

        Assert.Contains("sha256sum -c SHA256SUMS", cert14, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", cert13 + cert14, StringComparison.Ordinal);
    }

    [Fact]
    public void Certification_SignatureLinesShareAPageWithTheDeclaration()
    {
        var (_, _, _, texts) = Typical.Value;
        foreach (var page in texts.Where(t => t.Contains("Signature of declarant", StringComparison.Ordinal)))
        {
            Assert.Contains("I declare under penalty of perjury", page, StringComparison.Ordinal);
            Assert.Contains("Executed on", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Metadata_ComesFromTheModel()
    {
        var (m, pdf, _, _) = Typical.Value;
        using var document = RenderHarness.Open(pdf);
        var info = document.Information;
        Assert.Equal($"Network traffic evidence report {m.ReportId}, case {m.Case.Id}", info.Title);
        Assert.Equal(m.Build.Actor, info.Author);
        Assert.Contains(m.Case.Id, info.Subject, StringComparison.Ordinal);
        Assert.Contains(m.ManifestSha256, info.Subject, StringComparison.Ordinal);
        Assert.Equal("Recorder 0.1.0 (fc8ebc1cfd9db35f3daaca39421fad40d38d491f)", info.Creator);
        Assert.Equal(m.Build.BuiltAt.ToDateTimeOffset().AddTicks(-(m.Build.BuiltAt.ToDateTimeOffset().Ticks % TimeSpan.TicksPerSecond)), info.GetCreatedDateTimeOffset());
        Assert.True(document.TryGetBookmarks(out var bookmarks));
        Assert.Contains(bookmarks.Roots, b => b.Title == "5 Chain of custody");
    }

    [Fact]
    public void Fonts_AreTheShippedDejaVuFacesAndAllEmbedded()
    {
        var (_, pdf, _, _) = Typical.Value;
        using var document = RenderHarness.Open(pdf);
        var names = document.GetPages().SelectMany(p => p.Letters).Select(l => l.FontName ?? string.Empty).Distinct().ToArray();
        Assert.All(names, n => Assert.Contains("DejaVu", n, StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("DejaVuSansMono", StringComparison.Ordinal) || n.Contains("DejaVu Sans Mono", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("Serif", StringComparison.Ordinal));

        // PDFsharp writes font dictionaries uncompressed: every descriptor must point at an embedded TrueType program.
        var raw = System.Text.Encoding.Latin1.GetString(pdf);
        var descriptors = Regex.Matches(raw, "/Type/FontDescriptor").Count;
        var programs = Regex.Matches(raw, "/FontFile2 ").Count;
        Assert.True(descriptors >= 5, $"{descriptors} font descriptors");
        Assert.Equal(descriptors, programs);
    }

    [Fact]
    public void Render_SameModelTwice_GivesTheSameBytes()
    {
        var model = SampleReports.Typical();
        var (first, _) = RenderHarness.Render(model);
        var (second, _) = RenderHarness.Render(model);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(first)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(second)));
    }

    [Fact]
    public void Render_DifferentModel_GivesADifferentFileIdentifier()
    {
        var a = SampleReports.Typical();
        var b = a with { ReportId = "RPT-2026-0142-004" };
        var idA = FileId(RenderHarness.Render(a).Pdf);
        var idB = FileId(RenderHarness.Render(b).Pdf);
        Assert.NotEqual(idA, idB);

        static string FileId(byte[] pdf) => Regex.Match(System.Text.Encoding.Latin1.GetString(pdf), @"/ID\s*\[\s*<([0-9A-Fa-f]+)>").Groups[1].Value;
    }

    [Fact]
    public void Render_OnA4_UsesA4Pages()
    {
        var (pdf, _) = RenderHarness.Render(SampleReports.Typical(), options: new ReportOptions { PageSize = ReportPageSize.A4 });
        using var document = RenderHarness.Open(pdf);
        Assert.All(document.GetPages(), p => Assert.Equal(595.28, p.Width, 1));
    }

    [Fact]
    public void Render_ModelWithoutPackets_StillRendersEverySection()
    {
        var m = SampleReports.Typical();
        var empty = m with
        {
            Files = [],
            Traffic = m.Traffic with { Packets = 0, Bytes = 0, First = null, Last = null, Hosts = [], Ports = [], Protocols = [], Series = m.Traffic.Series with { Buckets = [] } },
            Queries = [],
            Provenance = new Provenance([], []),
            Custody = m.Custody with { Entries = [] },
        };
        var (pdf, pages) = RenderHarness.Render(empty);
        using var document = RenderHarness.Open(pdf);
        var all = string.Join("\n", RenderHarness.PageTexts(document));
        Assert.Contains("No packets in the evidence", all, StringComparison.Ordinal);
        Assert.Contains("No audited query is recorded", all, StringComparison.Ordinal);
        Assert.Contains("Seq Time (UTC) Actor Action Subject None.", all, StringComparison.Ordinal);
        Assert.Contains($"Page {pages} of {pages}", all, StringComparison.Ordinal);
    }
}
