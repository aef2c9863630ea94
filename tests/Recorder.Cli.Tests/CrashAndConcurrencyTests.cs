using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

public sealed class CrashAndConcurrencyTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-crash");

    private string Store => _directory.File("store");

    [Fact]
    public void Import_KilledWithSigkill_NextStartSealsTheCompletePackets_AndVerifyPasses()
    {
        var big = _directory.File("big.pcap");
        Synthesis.TrafficSynthesizer.Write(big, new Synthesis.SynthesisOptions { TargetBytes = 120_000_000, Seed = 5 });
        var environment = new Dictionary<string, string> { ["RECORDER_SEGMENT_MAX_BYTES"] = "1048576" };
        using (var import = Cli.StartProcess(environment, "--store", Store, "import", big))
        {
            var open = Path.Combine(Store, "open");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromMinutes(2) && !import.HasExited
                   && (!Directory.Exists(open) || Directory.GetFiles(open, "*.pcapng", SearchOption.AllDirectories).Length < 6))
            {
                Thread.Sleep(5);
            }

            Assert.False(import.HasExited, "the import finished before it could be killed");
            var seen = Directory.GetFiles(open, "*.pcapng", SearchOption.AllDirectories).Length;
            import.Kill(); // SIGKILL
            import.WaitForExit();
            Assert.True(import.ExitCode == 137, $"exit {import.ExitCode} after {waited.ElapsedMilliseconds} ms with {seen} open files");
        }

        var segments = Cli.Run("--store", Store, "segments", "--json");

        Assert.Equal(0, segments.ExitCode);
        Assert.True(segments.Error.Contains("recovered", StringComparison.Ordinal), segments.ToString() + string.Join("\n", Directory.GetFiles(Store, "*", SearchOption.AllDirectories)));
        var sealedSegments = segments.Json.AsArray();
        Assert.True(sealedSegments.Count >= 5, segments.ToString());
        Assert.All(sealedSegments, s => Assert.Equal("recovered", s!["sealReason"]!.GetValue<string>()));
        var verify = Cli.Run("--store", Store, "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        // What was recovered is exactly a prefix of the input, packet for packet.
        var all = _directory.File("all.pcap");
        Assert.Equal(0, Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", "--out", all).ExitCode);
        var recovered = CaptureFiles.Read(all);
        var source = CaptureFiles.Read(big).Take(recovered.Count).ToList();
        Assert.Equal(CaptureFiles.Digest(source), CaptureFiles.Digest(recovered));
    }

    [Fact]
    public void VerbatimImport_KilledWhileCopying_RecoversTheCompleteRecordsOfTheCopy()
    {
        var big = _directory.File("verbatim.pcap");
        Synthesis.TrafficSynthesizer.Write(big, new Synthesis.SynthesisOptions { TargetBytes = 150_000_000, Seed = 8 });
        using (var import = Cli.StartProcess(null, "--store", Store, "import", big))
        {
            var open = Path.Combine(Store, "open");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromMinutes(2) && !import.HasExited
                   && (!Directory.Exists(open) || Directory.GetFiles(open, "*.pcap", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) < 20_000_000))
            {
                Thread.Sleep(2);
            }

            Assert.False(import.HasExited, "the import finished before it could be killed");
            import.Kill();
            import.WaitForExit();
        }

        var segments = Cli.Run("--store", Store, "segments", "--json");

        Assert.True(segments.ExitCode == 0, segments.ToString());
        var segment = Assert.Single(segments.Json.AsArray())!;
        Assert.Equal("recovered", segment["sealReason"]!.GetValue<string>());
        Assert.EndsWith(".pcap", segment["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
        var recovered = CaptureFiles.Read(segment["path"]!.GetValue<string>());
        Assert.True(recovered.Count > 1000);
        Assert.Equal(CaptureFiles.Digest(CaptureFiles.Read(big).Take(recovered.Count)), CaptureFiles.Digest(recovered));
    }

    [Fact]
    public async Task Readers_WhileAnotherProcessImports_SeeEverySealedSegment_AndNeverFail()
    {
        var (first, firstTruth) = Cli.Sample(_directory, packets: 3000, seed: 11);
        Assert.Equal(0, Cli.Run("--store", Store, "import", first).ExitCode);
        var big = _directory.File("big.pcap");
        // The second capture starts a day later: the same needle addresses appear in it, outside the window queried.
        Synthesis.TrafficSynthesizer.Write(big, new Synthesis.SynthesisOptions
        {
            TargetBytes = 80_000_000, Seed = 12, Start = Synthesis.SynthesisOptions.DefaultStart with { UnixNanoseconds = Synthesis.SynthesisOptions.DefaultStart.UnixNanoseconds + 86_400_000_000_000L },
        });
        var environment = new Dictionary<string, string> { ["RECORDER_SEGMENT_MAX_BYTES"] = "4194304" };

        using var import = Cli.StartProcess(environment, "--store", Store, "import", big);
        var importOutput = import.StandardOutput.ReadToEndAsync();
        var importError = import.StandardError.ReadToEndAsync();
        var rounds = 0;
        while (!import.HasExited || rounds == 0)
        {
            var segments = Cli.Run("--store", Store, "segments", "--json");
            Assert.True(segments.ExitCode == 0, segments.ToString());
            Assert.True(segments.Json.AsArray().Count >= 1);
            var needle = firstTruth.Needles[0];
            var query = Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", "--host", needle.Query.Hosts[0], "--port", needle.Query.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--to", "1700086400", "--out", _directory.File($"q{rounds}.pcap"), "--json");
            Assert.True(query.ExitCode == 0, query.ToString());
            Assert.Equal(needle.Packets, query.Json["packets"]!.GetValue<long>());
            rounds++;
        }

        await import.WaitForExitAsync();
        Assert.True(import.ExitCode == 0, $"import exited {import.ExitCode}: {await importError} {await importOutput}");
        Assert.True(rounds > 1, "the import ended before a reader ran beside it");
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
    }

    [Fact]
    public void TwoImports_InTwoProcessesAtOnce_BothSeal_AndTheChainHolds()
    {
        var (a, truthA) = Cli.Sample(_directory, packets: 40_000, seed: 21);
        var (b, truthB) = Cli.Sample(_directory, packets: 40_000, seed: 22);
        var environment = new Dictionary<string, string> { ["RECORDER_SEGMENT_MAX_BYTES"] = "2097152" };

        using var first = Cli.StartProcess(environment, "--store", Store, "import", a);
        using var second = Cli.StartProcess(environment, "--store", Store, "import", b);
        first.WaitForExit();
        second.WaitForExit();

        Assert.True(first.ExitCode == 0, first.StandardError.ReadToEnd());
        Assert.True(second.ExitCode == 0, second.StandardError.ReadToEnd());
        var stats = Cli.Run("--store", Store, "stats", "--json");
        Assert.Equal(truthA.Packets + truthB.Packets, stats.Json["packets"]!.GetValue<long>());
        var verify = Cli.Run("--store", Store, "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    public void Dispose() => _directory.Dispose();
}
