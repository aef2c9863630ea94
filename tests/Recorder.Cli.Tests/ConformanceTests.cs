using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// Conformance over the shared corpus (../shared/corpus): real captures of many link types, and a
/// large generated capture with ground truth. Skipped, with a notice, when the corpus is absent.
/// </summary>
public sealed class ConformanceTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-conformance");

    [SkippableTheory]
    [InlineData("small")]
    [InlineData("tcpdump-tests")]
    public void Corpus_EveryCapture_Imports_AndAQueryWithNoConditionGivesBackTheSamePackets(string folder)
    {
        var shared = ExternalTools.RequireShared();
        var python = ExternalTools.Find("python3");
        var digest = Path.Combine(shared, "tools", "pcapdigest.py");
        var files = Directory.GetFiles(Path.Combine(shared, "corpus", folder))
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal) || f.EndsWith(".cap", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 4 }, file =>
        {
            var name = Path.GetFileName(file);
            var store = _directory.File("store-" + name);
            var output = _directory.File("out-" + name);
            var import = Cli.Run("--store", store, "import", file);
            if (import.ExitCode != 0)
            {
                failures.Add($"{name}: import exit {import.ExitCode}: {import.Error.Trim()}");
                return;
            }

            var query = Cli.Run("--store", store, "query", "--case", "T-1", "--reason", "tests", "--out", output);
            if (query.ExitCode != 0)
            {
                failures.Add($"{name}: query exit {query.ExitCode}: {query.Error.Trim()}");
                return;
            }

            if (python is not null)
            {
                var (code, stdout, stderr) = ExternalTools.Run(python, [digest, "--same", file, output]);
                if (code != 0)
                {
                    failures.Add($"{name}: pcapdigest --same: {stdout.Trim()} {stderr.Trim()}");
                }
            }
            else if (CaptureFiles.Digest(CaptureFiles.Read(file)) != CaptureFiles.Digest(CaptureFiles.Read(output)))
            {
                failures.Add($"{name}: packets differ");
            }

            Directory.Delete(store, recursive: true);
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {files.Count} captures failed:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal)));
    }

    [SkippableFact]
    public void GeneratedCorpus_EveryNeedleAndQuery_ReturnsTheTruthsCount_AndTheSamePacketsAsTcpdump()
    {
        var shared = ExternalTools.RequireShared();
        ExternalTools.Require("gcc", "gcc");
        var tcpdump = ExternalTools.Require("tcpdump", "tcpdump");
        Skip.IfNot(Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
        var generated = _directory.File("gen");
        var (makeCode, _, makeError) = ExternalTools.Run("bash", [Path.Combine(shared, "corpus", "gen", "make-large.sh")], TimeSpan.FromMinutes(5),
            environment: new Dictionary<string, string>
            {
                ["OUT"] = generated, ["NAME"] = "t", ["BYTES"] = "30000000", ["FLOWS"] = "6000", ["DURATION"] = "900",
                ["BIN"] = _directory.File("bin"),
            });
        Assert.True(makeCode == 0, makeError);
        var capture = Path.Combine(generated, "t.pcap");
        var truth = JsonNode.Parse(File.ReadAllText(Path.Combine(generated, "t.truth.json")))!;
        var store = _directory.File("store");
        Assert.Equal(0, Cli.Run("--store", store, "import", capture).ExitCode);

        var checks = new List<(string Name, string Bpf, long Packets, string? From, string? To)>();
        foreach (var needle in truth["needles"]!.AsArray())
        {
            checks.Add((needle!["name"]!.GetValue<string>(), needle["bpf_simple"]!.GetValue<string>(), needle["packets"]!.GetValue<long>(), null, null));
        }

        foreach (var query in truth["queries"]!.AsArray())
        {
            checks.Add((query!["name"]!.GetValue<string>(), query["bpf"]!.GetValue<string>(), query["packets"]!.GetValue<long>(),
                query["start"]?.GetValue<string>(), query["end"]?.GetValue<string>()));
        }

        var failures = new List<string>();
        foreach (var (name, bpf, packets, from, to) in checks)
        {
            var output = _directory.File(name + ".pcap");
            var args = new List<string> { "--store", store, "query", "--case", "T-1", "--reason", "tests", "--out", output, "--json" };
            args.AddRange(Translate(bpf));
            if (from is not null)
            {
                args.AddRange(["--from", from, "--to", to!]);
            }

            var result = Cli.Run([.. args]);
            if (result.ExitCode != 0)
            {
                failures.Add($"{name}: exit {result.ExitCode} {result.Error.Trim()}");
                continue;
            }

            var count = result.Json["packets"]!.GetValue<long>();
            if (count != packets)
            {
                failures.Add($"{name} ({bpf}): {count} packets, truth says {packets}");
            }

            var reference = _directory.File(name + ".tcpdump.pcap");
            var (code, _, error) = ExternalTools.Run(tcpdump,
                ["--time-stamp-precision=nano", "-r", capture, "-w", reference, .. string.IsNullOrEmpty(bpf) ? Array.Empty<string>() : [bpf]]);
            Assert.True(code == 0, error);
            var expected = CaptureFiles.Read(reference).Where(p => from is null || (p.Nanoseconds >= Epoch(from) && p.Nanoseconds < Epoch(to!)));
            if (CaptureFiles.Digest(expected) != CaptureFiles.Digest(CaptureFiles.Read(output)))
            {
                failures.Add($"{name} ({bpf}): not the same packets as tcpdump");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(checks.Count >= 20, $"only {checks.Count} checks");
    }

    /// <summary>The truth's BPF as structured options where they say the same, else as --bpf.</summary>
    private static List<string> Translate(string bpf)
    {
        var args = new List<string>();
        if (string.IsNullOrWhiteSpace(bpf))
        {
            return args;
        }

        var tokens = bpf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            switch (tokens[i])
            {
                case "and":
                    break;
                case "host" when i + 1 < tokens.Length:
                    args.AddRange(["--host", tokens[++i]]);
                    break;
                case "port" when i + 1 < tokens.Length:
                    args.AddRange(["--port", tokens[++i]]);
                    break;
                case "tcp" or "udp" or "icmp" or "icmp6":
                    args.AddRange(["--proto", tokens[i]]);
                    break;
                default:
                    return ["--bpf", bpf];
            }
        }

        return args;
    }

    private static long Epoch(string text)
    {
        var parts = text.Split('.');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture) * 1_000_000_000L) + (parts.Length > 1 ? long.Parse(parts[1].PadRight(9, '0'), CultureInfo.InvariantCulture) : 0);
    }

    public void Dispose() => _directory.Dispose();
}
