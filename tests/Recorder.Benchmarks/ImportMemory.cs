using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Synthesis;

namespace Recorder.Benchmarks;

/// <summary>
/// Peak memory of <c>recorder import</c> as the capture grows: the issue asks that a 200 GB capture
/// import in the same memory as a 2 GB one. Each size is imported into a fresh store by the published
/// CLI under <c>/usr/bin/time</c>; the figures printed are the peak resident set, the segments sealed
/// and the wall time, with the ratio of every peak to the smallest size's.
/// </summary>
public static class ImportMemory
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- import-memory [--sizes 2,20] [--segment-bytes N] [--work DIR] [--cli DIR] [--keep]
          --sizes LIST        capture sizes in GB (default 2; add 20 for the issue's second figure: ~20 GB of disk and minutes of generation)
          --segment-bytes N   segment size limit (RECORDER_SEGMENT_MAX_BYTES; default the store's 4 GiB). A small one
                              (e.g. 268435456) gives many segments from a small capture: the same per-segment growth, sooner.
          --work DIR          scratch directory (default /tmp/recorder-bench-memory); captures are made there with
                              ../shared/corpus/gen/make-large.sh (else synthesized) and deleted afterwards unless --keep
          --cli DIR           an already published recorder (default: published into WORK/cli)
        """;

    public static int Run(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Directory.CreateDirectory(options.Work);
        var recorder = Path.Combine(Comparison.EnsureCli(options.Cli, options.Work), "recorder");
        var environment = new Dictionary<string, string>();
        if (options.SegmentBytes is { } segmentBytes)
        {
            environment["RECORDER_SEGMENT_MAX_BYTES"] = segmentBytes.ToString(CultureInfo.InvariantCulture);
        }

        Console.WriteLine($"import peak memory; segment limit {(options.SegmentBytes is { } s ? s + " bytes" : "default (4 GiB)")}; load average {LoadAverage()}");
        Console.WriteLine($"{"capture",-12}{"segments",10}{"wall",10}{"peak RSS",12}{"vs first",10}");
        long? firstPeak = null;
        foreach (var gigabytes in options.Sizes)
        {
            var capture = MakeCapture(options.Work, gigabytes);
            var store = Path.Combine(options.Work, "store");
            if (Directory.Exists(store))
            {
                Directory.Delete(store, recursive: true);
            }

            var import = Processes.RunTimed(recorder, ["--store", store, "import", capture, "--json"], environment);
            if (import.ExitCode != 0)
            {
                throw new InvalidOperationException($"import of {capture} failed (exit {import.ExitCode}): {import.Error}");
            }

            var segments = JsonNode.Parse(import.Output)?["segments"]?.AsArray().Count ?? 0;
            firstPeak ??= import.PeakBytes;
            var ratio = ((double)import.PeakBytes / firstPeak.Value).ToString("0.00", CultureInfo.InvariantCulture) + "x";
            Console.WriteLine($"{(gigabytes + " GB"),-12}{segments,10}{import.Seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",10}{(import.PeakBytes / 1e6).ToString("0", CultureInfo.InvariantCulture) + " MB",12}{ratio,10}");
            Directory.Delete(store, recursive: true);
            if (!options.Keep)
            {
                File.Delete(capture);
            }
        }

        return 0;
    }

    private static string MakeCapture(string work, double gigabytes)
    {
        var name = "memory-" + gigabytes.ToString("0.##", CultureInfo.InvariantCulture) + "g";
        var path = Path.Combine(work, name + ".pcap");
        if (File.Exists(path))
        {
            return path;
        }

        var bytes = (long)(gigabytes * 1e9);
        var make = Path.GetFullPath(Path.Combine(Comparison.RepositoryRoot(), "..", "shared", "corpus", "gen", "make-large.sh"));
        if (File.Exists(make))
        {
            // More flows and a longer span as the capture grows, so a bigger capture is more of the same traffic.
            var flows = Math.Max(100_000, (long)(gigabytes * 45_000));
            var made = Processes.Run("bash", [make], new Dictionary<string, string>
            {
                ["OUT"] = work,
                ["NAME"] = name,
                ["BYTES"] = bytes.ToString(CultureInfo.InvariantCulture),
                ["FLOWS"] = flows.ToString(CultureInfo.InvariantCulture),
                ["DURATION"] = ((long)Math.Max(3600, gigabytes * 1600)).ToString(CultureInfo.InvariantCulture),
            });
            if (made.ExitCode != 0)
            {
                throw new InvalidOperationException($"make-large.sh failed (exit {made.ExitCode}): {made.Error}");
            }
        }
        else
        {
            TrafficSynthesizer.Write(path, new SynthesisOptions { TargetBytes = bytes, Flows = 100_000, Duration = TimeSpan.FromHours(1) });
        }

        return path;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";

    private static Options? Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--sizes" when value is not null:
                    var sizes = value.Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var g) && g > 0 ? g : -1).ToList();
                    if (sizes.Any(g => g < 0))
                    {
                        return null;
                    }

                    options = options with { Sizes = sizes };
                    i++;
                    break;
                case "--segment-bytes" when value is not null && long.TryParse(value, CultureInfo.InvariantCulture, out var segment):
                    options = options with { SegmentBytes = segment };
                    i++;
                    break;
                case "--work" when value is not null:
                    options = options with { Work = value };
                    i++;
                    break;
                case "--cli" when value is not null:
                    options = options with { Cli = value };
                    i++;
                    break;
                case "--keep":
                    options = options with { Keep = true };
                    break;
                default:
                    return null;
            }
        }

        return options;
    }

    private sealed record Options
    {
        public IReadOnlyList<double> Sizes { get; init; } = [2];

        public long? SegmentBytes { get; init; }

        public string Work { get; init; } = "/tmp/recorder-bench-memory";

        public string? Cli { get; init; }

        public bool Keep { get; init; }
    }
}
