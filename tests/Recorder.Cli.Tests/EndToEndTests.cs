using System.Globalization;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

public sealed class EndToEndTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-cli");

    private string Store => _directory.File("store");

    [Fact]
    public void Import_Query_Verify_Segments_Stats_FollowTheContract()
    {
        var (sample, truth) = Cli.Sample(_directory);

        var import = Cli.Run("--store", Store, "import", sample, "--json");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(truth.Packets, import.Json["packets"]!.GetValue<long>());
        Assert.Equal(CaptureFiles.Sha256(sample), import.Json["files"]![0]!["sha256"]!.GetValue<string>());

        var segments = Cli.Run("--store", Store, "segments", "--json");
        Assert.Equal(0, segments.ExitCode);
        var first = segments.Json.AsArray()[0]!;
        foreach (var field in new[] { "id", "path", "manifestPath", "signaturePath", "sha256", "packets", "bytes", "firstTimestamp", "lastTimestamp" })
        {
            Assert.True(first[field] is not null, $"segments --json lacks {field}");
        }

        Assert.Equal(CaptureFiles.Sha256(first["path"]!.GetValue<string>()), first["sha256"]!.GetValue<string>());
        Assert.Equal(truth.FirstTimestamp, first["firstTimestamp"]!.GetValue<string>());

        var stats = Cli.Run("--store", Store, "stats", "--json");
        Assert.Equal(0, stats.ExitCode);
        Assert.Equal(1, stats.Json["segments"]!.GetValue<int>());
        Assert.Equal(truth.Packets, stats.Json["packets"]!.GetValue<long>());
        Assert.Equal(new FileInfo(first["path"]!.GetValue<string>()).Length, stats.Json["dataBytes"]!.GetValue<long>());
        Assert.True(stats.Json["indexBytes"]!.GetValue<long>() > 0);

        foreach (var needle in truth.Needles)
        {
            var output = _directory.File($"{needle.Name}.pcap");
            var args = new List<string> { "--store", Store, "query", "--case", "T-1", "--reason", "tests", "--out", output, "--json" };
            args.AddRange(needle.Query.Hosts.SelectMany(h => new[] { "--host", h }));
            args.AddRange(needle.Query.Ports.SelectMany(p => new[] { "--port", p.ToString(CultureInfo.InvariantCulture) }));
            args.AddRange(needle.Query.Protocols.SelectMany(p => new[] { "--proto", p }));
            var query = Cli.Run([.. args]);
            Assert.True(query.ExitCode == 0, query.ToString());
            Assert.True(needle.Packets == query.Json["packets"]!.GetValue<long>(), $"{needle.Name} {needle.Bpf}: {query.Json}");
            Assert.Equal(needle.Packets, query.Json["packets"]!.GetValue<long>());
            Assert.Equal(CaptureFiles.Sha256(output), query.Json["sha256"]!.GetValue<string>());
            Assert.Equal(new FileInfo(output).Length, query.Json["bytes"]!.GetValue<long>());
            Assert.False(string.IsNullOrEmpty(query.Json["queryId"]!.GetValue<string>()));
        }

        var verify = Cli.Run("--store", Store, "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json["passed"]!.GetValue<bool>());
    }

    [Fact]
    public void Query_EveryTruthQuery_ReturnsTheTruthsCount()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 8000, seed: 3);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        foreach (var entry in truth.Queries)
        {
            var args = new List<string> { "--store", Store, "query", "--case", "T-1", "--reason", "tests", "--out", _directory.File(entry.Name + ".pcap"), "--json" };
            var q = entry.Query;
            if (q.Hosts.Count + q.Ports.Count + q.Protocols.Count == 0 && q.From is null && q.To is null && !string.IsNullOrEmpty(q.Bpf))
            {
                // A condition only BPF can say (e.g. "vlan and host X"): the candidates are filtered by libpcap.
                Skip.IfNot(Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
                args.AddRange(["--bpf", q.Bpf]);
            }

            args.AddRange(q.Hosts.SelectMany(h => new[] { "--host", h }));
            args.AddRange(q.Ports.SelectMany(p => new[] { "--port", p.ToString(CultureInfo.InvariantCulture) }));
            args.AddRange(q.Protocols.SelectMany(p => new[] { "--proto", p }));
            if (q.From is not null)
            {
                args.AddRange(["--from", q.From]);
            }

            if (q.To is not null)
            {
                args.AddRange(["--to", q.To]);
            }

            var result = Cli.Run([.. args]);
            Assert.True(result.ExitCode == 0, $"{entry.Name}: {result}");
            Assert.True(entry.Packets == result.Json["packets"]!.GetValue<long>(), $"{entry.Name} ({entry.Description}): expected {entry.Packets}, got {result.Json["packets"]}");
        }
    }

    [Fact]
    public void Import_MalformedFile_ExitsTwo_NamesFileAndOffset_AndStoresNothing()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 200);
        var bad = _directory.File("cut.pcap");
        var bytes = File.ReadAllBytes(sample);
        File.WriteAllBytes(bad, bytes[..^3]);

        var result = Cli.Run("--store", Store, "import", sample, bad);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cut.pcap", line, StringComparison.Ordinal);
        Assert.Contains("offset", line, StringComparison.Ordinal);
        Assert.Contains("--accept-truncated", line, StringComparison.Ordinal);
        Assert.Equal("[]", Cli.Run("--store", Store, "segments", "--json").Json.ToJsonString());

        var accepted = Cli.Run("--store", Store, "import", bad, "--accept-truncated", "--json");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal(199, accepted.Json["packets"]!.GetValue<long>());
        Assert.NotNull(accepted.Json["files"]![0]!["truncated"]);
    }

    [SkippableFact]
    public void KeyExport_VerifiesEveryManifestSignatureWithOpenssl()
    {
        var openssl = ExternalTools.Require("openssl", "openssl");
        var (sample, _) = Cli.Sample(_directory, packets: 300);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var key = _directory.File("key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", key).ExitCode);

        var segment = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;
        var (code, output, error) = ExternalTools.Run(openssl, ["pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin",
            "-in", segment["manifestPath"]!.GetValue<string>(), "-sigfile", segment["signaturePath"]!.GetValue<string>()]);

        Assert.True(code == 0, output + error);
        Assert.Contains("Signature Verified Successfully", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Segments_OpenInCapinfosAndTshark_AsTheyAre()
    {
        var capinfos = ExternalTools.Require("capinfos", "tshark");
        var (sample, truth) = Cli.Sample(_directory, packets: 400, format: Core.Formats.CaptureFileFormat.Pcapng);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var segment = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;

        var (code, output, error) = ExternalTools.Run(capinfos, ["-c", "-M", segment["path"]!.GetValue<string>()]);

        Assert.True(code == 0, error);
        Assert.Contains($"Number of packets:   {truth.Packets}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AfterOneFlippedByte_ExitsOne_AndNamesTheSegment()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 300);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var path = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!["path"]!.GetValue<string>();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        var result = Cli.Run("--store", Store, "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("segment 1: sha256", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexRebuild_GivesAnIndexThatVerifies_AndTheSameAnswers()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 2000);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var needle = truth.Needles[1];
        // Two outputs: an extraction never writes over an earlier one.
        string[] Query(string output) => ["--store", Store, "query", "--case", "T-1", "--reason", "tests", "--host", needle.Server, "--out", _directory.File(output), "--json"];
        var before = Cli.Run(Query("a.pcap")).Json["sha256"]!.GetValue<string>();

        var rebuild = Cli.Run("--store", Store, "index", "rebuild");

        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Equal(before, Cli.Run(Query("b.pcap")).Json["sha256"]!.GetValue<string>());
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
    }

    public void Dispose() => _directory.Dispose();
}
