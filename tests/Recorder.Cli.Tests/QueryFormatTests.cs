using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary><c>recorder query --format</c> gives the format asked for, or says why it cannot.</summary>
public sealed class QueryFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-query-format");

    public QueryFormatTests()
    {
        // Ethernet, raw IP and Linux cooked capture in one pcapng.
        var sample = _directory.File("multi-link.pcapng");
        Synthesis.TrafficSynthesizer.Write(sample, new Synthesis.SynthesisOptions
        {
            TargetPackets = 600, Seed = 3, Format = Core.Formats.CaptureFileFormat.Pcapng, MultipleLinkTypes = true,
        });
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
    }

    private string Store => _directory.File("store");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void FormatPcap_WhenTheAnswerHasSeveralLinkTypes_ExitsTwoNamingThem_WritesNothing_AndRecordsTheFailure()
    {
        var output = _directory.File("answer.pcap");

        var result = Cli.Run("--store", Store, "query", "--format", "pcap", "--out", output, "--case", "C-1", "--reason", "format test");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("1 (EN10MB)", result.Error, StringComparison.Ordinal);
        Assert.Contains("101 (RAW)", result.Error, StringComparison.Ordinal);
        Assert.Contains("113 (LINUX_SLL)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--format pcapng", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(_directory.Path, "answer*"));
        var last = Cli.Run("--store", Store, "ledger", "--json").Json.AsArray().Last()!;
        Assert.Equal("query.failed", last["action"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("pcapng", "pcapng")]
    [InlineData(null, "pcapng")]
    public void OtherFormats_WithSeveralLinkTypes_WritePcapng(string? format, string expected)
    {
        var output = _directory.File("answer.pcapng");
        string[] args = ["--store", Store, "query", "--out", output, "--case", "C-1", "--reason", "format test", "--json"];

        var result = Cli.Run(format is null ? args : [.. args, "--format", format]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, result.Json["format"]!.GetValue<string>());
        Assert.Equal(3, result.Json["linkTypes"]!.AsArray().Count);
    }
}
