using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

public sealed class BadArgumentTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-args");

    public BadArgumentTests()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 100);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
    }

    private string Store => _directory.File("store");

    [Theory]
    [InlineData("--host", "10.0.0.300")]
    [InlineData("--host", "10.0.0.0/33")]
    [InlineData("--host", "10.0.0.1/24")]
    [InlineData("--host", "example.org")]
    [InlineData("--port", "65536")]
    [InlineData("--port", "-1")]
    [InlineData("--port", "http")]
    [InlineData("--proto", "tcpx")]
    [InlineData("--proto", "256")]
    [InlineData("--from", "yesterday")]
    [InlineData("--to", "2023-11-14T22:13:20")]
    public void Query_BadValue_ExitsTwo_WithOneLineNamingTheArgument(string option, string value)
    {
        var result = Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", option, value, "--out", _directory.File("x.pcap"));

        AssertUsageError(result, option);
        Assert.False(File.Exists(_directory.File("x.pcap")));
    }

    [Fact]
    public void Query_FromAfterTo_ExitsTwo()
    {
        var result = Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", "--from", "1700000100", "--to", "1700000000", "--out", _directory.File("x.pcap"));

        AssertUsageError(result, "--from");
        Assert.Contains("empty", result.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Query_InvalidBpf_ExitsTwo_WithLibpcapsMessage()
    {
        Skip.IfNot(Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");

        var result = Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", "--bpf", "tcp and and port", "--out", _directory.File("x.pcap"));

        AssertUsageError(result, "--bpf");
        Assert.Contains("syntax error", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("query --out x.pcap --reason why")]
    [InlineData("query --out x.pcap --case C-1")]
    [InlineData("query --case C-1 --reason why --format xml --out x.pcap")]
    [InlineData("query --out")]
    [InlineData("import")]
    [InlineData("frobnicate")]
    [InlineData("query --no-such-option 1 --out x.pcap")]
    [InlineData("key export")]
    [InlineData("capture")]
    public void MissingOrUnknownArguments_ExitTwo(string command)
    {
        var result = Cli.Run(["--store", Store, .. command.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEmpty(result.Error.Trim());
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Import_MissingFile_ExitsTwo_NamingIt()
    {
        var result = Cli.Run("--store", Store, "import", _directory.File("nope.pcap"));

        AssertUsageError(result, "nope.pcap");
    }

    [Fact]
    public void Query_OnAStoreThatDoesNotExist_ExitsTwo()
    {
        var result = Cli.Run("--store", _directory.File("missing"), "query", "--case", "T-1", "--reason", "tests", "--out", _directory.File("x.pcap"));

        AssertUsageError(result, "no Recorder store");
        Assert.False(Directory.Exists(_directory.File("missing")));
    }

    [Fact]
    public void Capture_BadDuration_ExitsTwo_BeforeTouchingAnyInterface()
    {
        var result = Cli.Run("--store", Store, "capture", "--interface", "lo", "--duration", "-3");

        AssertUsageError(result, "--duration");
    }

    private static void AssertUsageError(CliResult result, string mention)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(mention, line, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
