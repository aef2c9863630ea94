using System.Text.Json.Nodes;
using Recorder.TestSupport;
using PdfDocument = UglyToad.PdfPig.PdfDocument;

namespace Recorder.Cli.Tests;

/// <summary>
/// Nothing is ever silently partial: a query that cannot read a segment says so (exit 1, stderr,
/// ledger), and a package of it is refused unless allowed, and then says PARTIAL on its cover.
/// </summary>
public sealed class PartialExtractionTests : IDisposable
{
    private const string Case = "CASE-PARTIAL-1";

    private readonly TempDirectory _directory = new("recorder-partial");
    private readonly long _firstPackets;
    private readonly long _secondPackets;

    public PartialExtractionTests()
    {
        var first = Cli.Run("--store", Store, "import", Cli.Sample(_directory, packets: 1500, seed: 1).Path);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(0, Cli.Run("--store", Store, "import", Cli.Sample(_directory, packets: 2500, seed: 2).Path).ExitCode);
        _firstPackets = Packets(FirstManifest);
        _secondPackets = Packets(FirstManifest.Replace("000000000001", "000000000002", StringComparison.Ordinal));
    }

    private string Store => _directory.File("store");

    private string FirstManifest => Path.Combine(Store, "segments", "000000", "000000000001.manifest.json");

    [Fact]
    public void Query_WhenASegmentsManifestIsGarbage_ExitsOne_NamesTheSegment_AndLedgersPartial()
    {
        File.WriteAllText(FirstManifest, "garbage");
        var output = _directory.File("all.pcap");

        var query = Query(output, "--json");

        Assert.True(query.ExitCode == 1, query.ToString());
        var error = Assert.Single(query.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("PARTIAL", error, StringComparison.Ordinal);
        Assert.Contains("segment 1: manifest segments/000000/000000000001.manifest.json is damaged", error, StringComparison.Ordinal);
        Assert.True(query.Json["partial"]!.GetValue<bool>());
        Assert.Equal(1, query.Json["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        Assert.Equal(_secondPackets, query.Json["packets"]!.GetValue<long>());
        Assert.Equal(_secondPackets, CaptureFiles.Read(output).Count);

        var extraction = Cli.Run("--store", Store, "ledger", "--json", "--action", "extraction.written").Json.AsArray().Single()!;
        Assert.True(extraction["details"]!["partial"]!.GetValue<bool>());
        var leftOut = Assert.Single(extraction["details"]!["segmentsLeftOut"]!.AsArray());
        Assert.Equal(1, leftOut!["segment"]!.GetValue<long>());
        Assert.Contains("damaged", leftOut["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Query_OfAnUntouchedStore_IsCompleteAndExitsZero()
    {
        var query = Query(_directory.File("all.pcap"), "--json");

        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.False(query.Json["partial"]!.GetValue<bool>());
        Assert.Equal(_firstPackets + _secondPackets, query.Json["packets"]!.GetValue<long>());
    }

    [Fact]
    public void Package_OfAPartialExtraction_IsRefusedUnlessAllowed_ThenLedgeredAndPartialOnTheCover()
    {
        File.WriteAllText(FirstManifest, "garbage");
        var queryId = Query(_directory.File("all.pcap"), "--json").Json["queryId"]!.GetValue<string>();

        var refused = Cli.Run("--store", Store, "package", "--query", queryId, "--out", _directory.File("refused"));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("partial extraction", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-partial", refused.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.File("refused")));

        var package = _directory.File("package");
        var built = Cli.Run("--store", Store, "package", "--query", queryId, "--out", package, "--allow-partial", "--json");
        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.True(built.Json["partial"]!.GetValue<bool>());

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!;
        Assert.True(manifest["partial"]!.GetValue<bool>());
        Assert.Equal(1, manifest["queries"]![0]!["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        var ledger = Cli.Run("--store", Store, "ledger", "--json", "--action", "package.built").Json.AsArray().Single()!;
        Assert.True(ledger["details"]!["allowPartial"]!.GetValue<bool>());
        Assert.Equal(queryId, ledger["details"]!["partialQueries"]![0]!.GetValue<string>());
        using (var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf")))
        {
            var cover = pdf.GetPage(1).Text;
            Assert.Contains("PARTIAL EVIDENCE", cover, StringComparison.Ordinal);
            Assert.Contains($"Query {queryId}", cover, StringComparison.Ordinal);
            Assert.Contains("segment 1:", cover, StringComparison.Ordinal);
        }

        var verified = Cli.Run("verify-package", package);
        Assert.True(verified.ExitCode == 0, verified.ToString());
    }

    [Fact]
    public void Package_ReHashesItsSourceSegments_RecordsIt_AndRefusesOneThatChanged()
    {
        var queryId = Query(_directory.File("all.pcap"), "--json").Json["queryId"]!.GetValue<string>();
        var package = _directory.File("package");

        var built = Cli.Run("--store", Store, "package", "--query", queryId, "--out", package);

        Assert.True(built.ExitCode == 0, built.ToString());
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!;
        Assert.All(manifest["segments"]!.AsArray(), s => Assert.Equal(s!["sha256"]!.GetValue<string>(), s["recomputedSha256"]!.GetValue<string>()));
        Assert.False(manifest["partial"]!.GetValue<bool>());
        using (var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf")))
        {
            // The status sits in a table cell and wraps: compare without the line breaks PdfPig drops.
            var text = string.Concat(string.Concat(pdf.GetPages().Select(p => p.Text)).Where(c => !char.IsWhiteSpace(c)));
            Assert.Contains("re-computedwhilepackagingandequal", text, StringComparison.Ordinal);
        }

        var segment = Directory.GetFiles(Path.Combine(Store, "segments", "000000"), "000000000002.pcap*").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
        var refused = Cli.Run("--store", Store, "package", "--query", queryId, "--out", _directory.File("second"));

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("segment 2:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("changed since it was sealed", refused.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private static long Packets(string manifest) => JsonNode.Parse(File.ReadAllText(manifest))!["packets"]!.GetValue<long>();

    private CliResult Query(string output, params string[] extra) =>
        Cli.Run(["--store", Store, "query", "--out", output, "--case", Case, "--reason", "everything, to check completeness", .. extra]);
}
