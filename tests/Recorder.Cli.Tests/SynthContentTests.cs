using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary><c>recorder synth --content</c>: the content synthesizer's capture and truth from the CLI.</summary>
public sealed class SynthContentTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-synth-content");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SynthContent_WritesTheCaptureAndItsContentTruth_SameSeedSameBytes()
    {
        var first = _directory.File("a.pcap");
        var result = Cli.Run("synth", "--content", "--out", first, "--seed", "4", "--truth", _directory.File("a.json"), "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new FileInfo(first).Length, result.Json["bytes"]!.GetValue<long>());
        Assert.Equal(4, result.Json["httpObjects"]!.GetValue<int>());
        Assert.Equal(3, result.Json["smtpAttachments"]!.GetValue<int>());
        Assert.Equal(2, result.Json["ftpTransfers"]!.GetValue<int>());
        Assert.Equal(1, result.Json["quicConnections"]!.GetValue<int>());
        var truth = JsonNode.Parse(File.ReadAllText(_directory.File("a.json")))!;
        Assert.Equal(4UL, truth["seed"]!.GetValue<ulong>());
        Assert.Single(truth["tlsHandshakes"]!.AsArray());
        Assert.Equal("quoted-printable", truth["smtpMessages"]![0]!["attachments"]![2]!["transferEncoding"]!.GetValue<string>());
        Assert.Equal("ftp-data", truth["ftpSessions"]![0]!["transfers"]![0]!["dataSession"]!["application"]!.GetValue<string>());
        Assert.Equal("q13d0308h3_55b375c5d22e_138986f623f9", truth["quicConnections"]![0]!["ja4"]!.GetValue<string>());

        var second = _directory.File("b.pcap");
        Assert.Equal(0, Cli.Run("synth", "--content", "--out", second, "--seed", "4").ExitCode);
        Assert.Equal(CaptureFiles.Sha256(first), CaptureFiles.Sha256(second));
    }

    [Fact]
    public void SynthContent_WithAPacketCount_IsAUsageError_AndWritesNothing()
    {
        var path = _directory.File("c.pcap");
        var result = Cli.Run("synth", "--content", "--packets", "5000", "--out", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--content", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
