using System.Text;
using Recorder.Reporting.Document;
using Recorder.Reporting.Templates;
using Recorder.TestSupport;

namespace Recorder.Reporting.Tests.Templates;

public sealed class CertificationTemplateTests
{
    [Fact]
    public void LoadDefaults_GivesFre902_13And902_14InFileOrder()
    {
        var set = CertificationTemplateSet.LoadDefaults();
        Assert.Equal(["fre-902-13.txt", "fre-902-14.txt"], set.Templates.Select(t => t.FileName));
        Assert.StartsWith("Certification of Records Generated", set.Templates[0].Title.Text.Render(Values()), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PolicyFolder_ParsesTheSameTemplatesAsTheBuiltInDefaults()
    {
        var folder = Path.Combine(ExternalTools.RepositoryRoot, "policies", "report-templates");
        var fromDisk = CertificationTemplateSet.Load(folder);
        var builtIn = CertificationTemplateSet.LoadDefaults();
        Assert.Equal(builtIn.Templates.Select(t => t.FileName), fromDisk.Templates.Select(t => t.FileName));
        for (var i = 0; i < builtIn.Templates.Count; i++)
        {
            Assert.Equal(builtIn.Templates[i].Blocks, fromDisk.Templates[i].Blocks, BlockComparer.Instance);
        }
    }

    [Fact]
    public void Parse_UnknownPlaceholder_NamesFileLineAndPlaceholder()
    {
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplate.Parse("# Title\n\nCase {{case}}\nCourt: {{court-name}}\n", "/site/forms/state.txt"));
        Assert.Equal("/site/forms/state.txt", e.File);
        Assert.Equal(4, e.Line);
        Assert.Equal("court-name", e.Placeholder);
        Assert.StartsWith("/site/forms/state.txt:4: unknown placeholder {{court-name}}", e.Message, StringComparison.Ordinal);
        Assert.Contains("known placeholders: blank, built-at", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BlockPlaceholderInsideALine_IsRefused()
    {
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplate.Parse("# Title\nThe hashes: {{hashes}}\n", "t.txt"));
        Assert.Equal(2, e.Line);
        Assert.Equal("hashes", e.Placeholder);
        Assert.Contains("must stand alone on its line", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("# Title\nCase {{case\n", "is not closed")]
    [InlineData("# Title\nCase case}} here\n", "without an opening")]
    [InlineData("Some text first\n# Title\n", "must start with a '# Title' line")]
    [InlineData("", "must start with a '# Title' line")]
    [InlineData("#Title\n", "a heading is written")]
    public void Parse_MalformedTemplate_SaysWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplate.Parse(text, "bad.txt"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecognisesHeadingsNumberedItemsBulletsNotesBlocksAndLineBreaks()
    {
        const string text = """
            // a comment, ignored
            # Declaration of {{investigator}}
            ## Sub title

            First line \
            second line
            joined.

            1. Numbered {{case}}
            continued.
            - Bullet
            {{hashes}}
            > A note
            > on two lines.
            """;
        var t = CertificationTemplate.Parse(text, "x.txt");
        var values = Values();
        Assert.Collection(t.Blocks,
            b => Assert.Equal("Declaration of Special Agent Dana Whitfield", ((TemplateHeading)b).Text.Render(values)),
            b => Assert.Equal(2, ((TemplateHeading)b).Level),
            b => Assert.Equal("First line\nsecond line joined.", ((TemplateParagraph)b).Text.Render(values)),
            b =>
            {
                var p = (TemplateParagraph)b;
                Assert.Equal("1.", p.Marker);
                Assert.Equal("Numbered 2026-CR-0142 continued.", p.Text.Render(values));
            },
            b => Assert.Equal("\u2022", ((TemplateParagraph)b).Marker),
            b => Assert.Equal("hashes", ((TemplateBlockPlaceholder)b).Name),
            b => Assert.Equal("A note on two lines.", ((TemplateNote)b).Text.Render(values)));
    }

    [Fact]
    public void Load_MissingOrEmptyFolder_IsRefusedNamingTheFolder()
    {
        using var dir = new TempDirectory("recorder-templates");
        var missing = Path.Combine(dir.Path, "nope");
        Assert.Contains("does not exist", Assert.Throws<ReportTemplateException>(() => CertificationTemplateSet.Load(missing)).Message, StringComparison.Ordinal);
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplateSet.Load(dir.Path));
        Assert.Equal(dir.Path, e.File);
        Assert.Contains("holds no *.txt template", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileThatIsNotUtf8_IsRefusedNamingTheFile()
    {
        using var dir = new TempDirectory("recorder-templates");
        var path = dir.File("latin1.txt");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("# D\u00e9claration\n"));
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplateSet.Load(dir.Path));
        Assert.Equal(path, e.File);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidTemplateAmongValidOnes_NamesTheInvalidFile()
    {
        using var dir = new TempDirectory("recorder-templates");
        File.WriteAllText(dir.File("a.txt"), "# Good\n{{signature}}\n");
        File.WriteAllText(dir.File("b.txt"), "# Bad\n\nSigned {{signatur}}\n");
        var e = Assert.Throws<ReportTemplateException>(() => CertificationTemplateSet.Load(dir.Path));
        Assert.Equal(dir.File("b.txt"), e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("signatur", e.Placeholder);
    }

    [Fact]
    public void TemplateValues_CoverExactlyTheInlinePlaceholders()
    {
        Assert.Equal(TemplatePlaceholders.Inline.Keys.Order(StringComparer.Ordinal), Values().Keys.Order(StringComparer.Ordinal));
        Assert.Empty(TemplatePlaceholders.Inline.Keys.Intersect(TemplatePlaceholders.Block.Keys));
    }

    [Fact]
    public void Render_WithASiteTemplateFolder_PrintsTheSiteFormsInsteadOfTheDefaults()
    {
        using var dir = new TempDirectory("recorder-templates");
        File.WriteAllText(dir.File("01-affidavit.txt"), """
            # Affidavit of Authenticity of Network Records
            ## State of Example, County of Sample

            1. The records of case {{case}} ({{file-count}} files) were produced by {{tool}} on {{built-at}}.

            {{segments}}

            Sworn before me on {{blank}}.

            {{signature}}
            """);
        var model = SampleReports.Typical();
        var (pdf, pages) = RenderHarness.Render(model, CertificationTemplateSet.Load(dir.Path));
        using var document = RenderHarness.Open(pdf);
        var texts = RenderHarness.PageTexts(document);
        var all = string.Join("\n", texts);
        Assert.Contains("Affidavit of Authenticity of Network Records", all, StringComparison.Ordinal);
        Assert.Contains("The records of case 2026-CR-0142 (3 files) were produced by Recorder 0.1.0 on 2026-11-27T18:35:37.123456789Z.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("902(13)", all, StringComparison.Ordinal);
        Assert.Contains("Affidavit of Authenticity of Network Records", texts[1], StringComparison.Ordinal);
        var last = texts[pages - 1];
        Assert.Contains("Signature of declarant", last, StringComparison.Ordinal);
        Assert.Contains(model.Provenance.Segments[^1].ManifestSha256, all, StringComparison.Ordinal);
    }

    private static IReadOnlyDictionary<string, string> Values() => TemplateValues.For(SampleReports.Typical());

    private sealed class BlockComparer : IEqualityComparer<TemplateBlock>
    {
        public static readonly BlockComparer Instance = new();

        public bool Equals(TemplateBlock? x, TemplateBlock? y) => Describe(x) == Describe(y);

        public int GetHashCode(TemplateBlock obj) => Describe(obj).GetHashCode(StringComparison.Ordinal);

        private static string Describe(TemplateBlock? b) => b switch
        {
            TemplateHeading h => $"H{h.Level}:{Parts(h.Text)}",
            TemplateParagraph p => $"P{p.Marker}:{Parts(p.Text)}",
            TemplateNote n => $"N:{Parts(n.Text)}",
            TemplateBlockPlaceholder k => $"B:{k.Name}",
            _ => "?",
        };

        private static string Parts(TemplateText t) => string.Join("|", t.Parts.Select(p => (p.IsPlaceholder ? "@" : "") + p.Value));
    }
}
