using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Recorder.Reporting.Pdf;
using Recorder.TestSupport;

namespace Recorder.Reporting.Tests.Pdf;

/// <summary>
/// report.pdf is a clean PDF (qpdf finds nothing to warn about; every FlateDecode stream is a
/// complete RFC 1950 zlib stream) and carries what PDF/A-2b asks for that can be checked here:
/// an sRGB output intent, the XMP PDF/A identification, no transparency groups.
/// </summary>
public sealed class ReportPdfStandardsTests
{
    private static readonly Lazy<byte[]> Typical = new(() => RenderHarness.Render(SampleReports.Typical()).Pdf);

    [SkippableFact]
    public void Report_QpdfCheck_FindsNoWarningOrError()
    {
        var qpdf = ExternalTools.Require("qpdf", "qpdf");
        using var directory = new TempDirectory("recorder-report-qpdf");
        var path = directory.File("report.pdf");
        File.WriteAllBytes(path, Typical.Value);

        var (exitCode, output, error) = ExternalTools.Run(qpdf, ["--check", path]);

        // qpdf exits 3 when it only warns (PDFsharp's streams gave 30 warnings here), 2 on errors.
        Assert.True(exitCode == 0, output + error);
        Assert.DoesNotContain("WARNING", output + error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("No syntax or stream encoding errors found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_EveryFlateDecodeStream_EndsWithTheAdler32OfItsInflatedData()
    {
        var checkedStreams = 0;
        PdfObjectRewriter.Rewrite(Typical.Value, stream =>
        {
            if (stream.Dictionary.Filters.Contains("/FlateDecode"))
            {
                var data = stream.Data;
                using var inflater = new DeflateStream(new MemoryStream(data, 2, data.Length - 6), CompressionMode.Decompress);
                using var inflated = new MemoryStream();
                inflater.CopyTo(inflated);
                Assert.True(Adler32(inflated.ToArray()) == BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(data.Length - 4)), $"object {stream.Number}: no Adler-32 trailer");
                checkedStreams++;
            }

            return null;
        });

        // Content streams of every page, font programs, ToUnicode maps, the ICC profile.
        Assert.True(checkedStreams > 20, $"{checkedStreams} FlateDecode streams");
    }

    [Fact]
    public void Report_DeclaresPdfA2b_WithAnSrgbOutputIntent_AndHasNoTransparencyGroup()
    {
        string? outputIntents = null;
        string? xmp = null;
        var pages = 0;
        var profiles = new List<byte[]>();
        PdfObjectRewriter.Rewrite(Typical.Value,
            stream =>
            {
                if (stream.Dictionary.Type == "/Metadata")
                {
                    xmp = Encoding.UTF8.GetString(stream.Data);
                }
                else if (stream.Dictionary.Find("/N")?.Value == "3")
                {
                    profiles.Add(ZlibStreams.Inflate(stream.Data, stream.Number));
                }

                return null;
            },
            (_, dictionary) =>
            {
                if (dictionary.Type == "/Catalog")
                {
                    outputIntents = dictionary.Find("/OutputIntents")?.Value;
                }
                else if (dictionary.Type == "/Page")
                {
                    pages++;
                    Assert.Null(dictionary.Find("/Group"));
                }

                return null;
            });

        Assert.True(pages > 5);
        Assert.NotNull(outputIntents);
        Assert.Matches(@"/S\s*/GTS_PDFA1\b", outputIntents);
        Assert.Matches(@"/OutputConditionIdentifier\s*\(sRGB IEC61966-2\.1\)", outputIntents);
        var profile = Assert.Single(profiles);
        Assert.Equal("acsp", Encoding.ASCII.GetString(profile, 36, 4)); // ICC.1 §7.2: the profile file signature
        Assert.Equal("mntrRGB ", Encoding.ASCII.GetString(profile, 12, 8)); // a display profile for RGB

        Assert.NotNull(xmp);
        var packet = new XmlDocument();
        packet.LoadXml(xmp[xmp.IndexOf("<x:xmpmeta", StringComparison.Ordinal)..(xmp.IndexOf("</x:xmpmeta>", StringComparison.Ordinal) + "</x:xmpmeta>".Length)]);
        var ns = new XmlNamespaceManager(packet.NameTable);
        ns.AddNamespace("pdfaid", "http://www.aiim.org/pdfa/ns/id/");
        Assert.Equal("2", packet.SelectSingleNode("//pdfaid:part", ns)?.InnerText);
        Assert.Equal("B", packet.SelectSingleNode("//pdfaid:conformance", ns)?.InnerText);

        // ISO 19005-2 §6.6.2.3: the XMP states what the document information dictionary states.
        // The sample case title (in the subject) holds an ampersand, which PDFsharp's own packet left unescaped.
        ns.AddNamespace("dc", "http://purl.org/dc/elements/1.1/");
        ns.AddNamespace("xmp", "http://ns.adobe.com/xap/1.0/");
        using var pig = RenderHarness.Open(Typical.Value);
        Assert.Contains("&", pig.Information.Subject, StringComparison.Ordinal);
        Assert.Equal(pig.Information.Title, packet.SelectSingleNode("//dc:title//*[local-name()='li']", ns)?.InnerText);
        Assert.Equal(pig.Information.Subject, packet.SelectSingleNode("//dc:description//*[local-name()='li']", ns)?.InnerText);
        Assert.Equal(pig.Information.Creator, packet.SelectSingleNode("//xmp:CreatorTool", ns)?.InnerText);
    }

    [Fact]
    public void Finish_WhenAStreamLengthIsWrong_ThrowsNamingTheObject()
    {
        using var document = new PdfSharp.Pdf.PdfDocument();
        document.AddPage();
        using var saved = new MemoryStream();
        document.Save(saved, false);
        var text = Encoding.Latin1.GetString(saved.ToArray());
        var length = text.IndexOf("/Length ", StringComparison.Ordinal);
        Assert.True(length > 0, "PDFsharp wrote a stream");
        var digit = length + "/Length ".Length;
        var broken = text[..digit] + (char)(text[digit] == '9' ? '1' : text[digit] + 1) + text[(digit + 1)..];

        var thrown = Assert.Throws<ReportPdfStructureException>(() => PdfArchival.Finish(Encoding.Latin1.GetBytes(broken), "<x:xmpmeta/>"u8.ToArray()));

        Assert.True(thrown.ObjectNumber > 0, thrown.Message);
        Assert.Contains($"object {thrown.ObjectNumber}", thrown.Message, StringComparison.Ordinal);
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        // RFC 1950 §8.2, written out here so the test does not trust the code under test.
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        return (b << 16) | a;
    }
}
