using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Synthesis;

namespace Recorder.Benchmarks;

/// <summary>
/// The figures issue by issue, side by side with the baselines named there, each measured once in
/// the same run on the same file (the machine is small and noisy: read ratios, not absolutes).
/// </summary>
public static class Comparison
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- [--capture FILE] [--work DIR] [--cli DIR] [--bytes N]
          --capture FILE  a classic pcap with a gen.c or synthesizer truth file beside it (default: /tmp/corpus/large/big-2g.pcap,
                          made with ../shared/corpus/gen/make-large.sh when that exists, else synthesized)
          --work DIR      scratch directory (default /tmp/recorder-bench)
          --cli DIR       an already published recorder (default: published into WORK/cli with dotnet publish)
          --bytes N       size of the synthesized capture when one must be made (default 2200000000)
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
        var capture = EnsureCapture(options.Capture, options.Work, options.Bytes);
        var cli = EnsureCli(options.Cli, options.Work);
        var recorder = Path.Combine(cli, "recorder");
        var store = Path.Combine(options.Work, "store");
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }

        var size = new FileInfo(capture.Path).Length;
        var table = new Table();
        Console.WriteLine($"capture: {capture.Path}: {Bytes(size)}; needle {capture.Needle}; elephant {capture.Elephant}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        Console.WriteLine();

        // Warm the page cache so every reader starts from the same place.
        Processes.Run("sh", ["-c", "cat \"$0\" > /dev/null", capture.Path]);
        var sha = Processes.RunTimed("openssl", ["dgst", "-sha256", capture.Path]);
        table.Add("sha256 of the file (openssl, one core)", sha, size);
        var copy = Path.Combine(options.Work, "copy.pcap");
        var tcpdumpCopy = Processes.RunTimed("tcpdump", ["-r", capture.Path, "-w", copy]);
        table.Add("tcpdump -r FILE -w copy.pcap", tcpdumpCopy, size);
        var sync = Processes.RunTimed("sync", [copy]);
        table.Add("  then sync copy.pcap to disk", sync, size);
        File.Delete(copy);

        var import = Processes.RunTimed(recorder, ["--store", store, "import", capture.Path, "--json"]);
        Check(import, "import");
        table.Add("recorder import (hash, sign, index, durable)", import, size);
        var stats = JsonNode.Parse(Processes.Run(recorder, ["--store", store, "stats", "--json"]).Output)!;
        var dataBytes = stats["dataBytes"]!.GetValue<long>();
        var indexBytes = stats["indexBytes"]!.GetValue<long>();

        var needle = QueryFigures(recorder, store, capture.Path, capture.Needle, options.Work, table, "needle");
        var elephant = QueryFigures(recorder, store, capture.Path, capture.Elephant, options.Work, table, "elephant");
        var verify = Processes.RunTimed(recorder, ["--store", store, "verify", "--json"]);
        Check(verify, "verify");
        table.Add("recorder verify (re-hash, re-index, signatures)", verify, size);

        Console.WriteLine(table.Render());
        Console.WriteLine();
        Console.WriteLine("targets (issue 2):");
        Console.WriteLine($"  import vs tcpdump copy:          {Ratio(tcpdumpCopy.Seconds, import.Seconds)}  (target >= 2x; tcpdump does not fsync, recorder does)");
        Console.WriteLine($"  import vs tcpdump copy + sync:   {Ratio(tcpdumpCopy.Seconds + sync.Seconds, import.Seconds)}");
        Console.WriteLine($"  import vs sha256 of the file:    {Ratio(sha.Seconds, import.Seconds)}  (one core's SHA-256 is the limit)");
        Console.WriteLine($"  needle, whole process:           {Ratio(needle.Tcpdump.Seconds, needle.Recorder.Seconds)}  (target >= 5x)");
        var warmNeedle = InProcess(store, capture.Needle, options.Work);
        var warmElephant = InProcess(store, capture.Elephant, options.Work);
        Console.WriteLine($"  needle, query in process:        {Ratio(needle.Tcpdump.Seconds, needle.QuerySeconds)}  ({needle.QuerySeconds * 1000:0.00} ms: index lookup and packets, first query of a fresh process)");
        Console.WriteLine($"  needle, query in process, warm:  {Ratio(needle.Tcpdump.Seconds, warmNeedle.Query.TotalSeconds)}  ({warmNeedle.Query.TotalMilliseconds:0.000} ms: the whole query as a running service runs it: index freshness check and lookup, read and re-check every candidate, packets discarded; target >= 500x)");
        Console.WriteLine($"    with the output file hashed and flushed to disk: {warmNeedle.WithDurableOutput.TotalMilliseconds:0.000} ms ({Ratio(needle.Tcpdump.Seconds, warmNeedle.WithDurableOutput.TotalSeconds)})");
        Console.WriteLine($"  elephant, whole process:         {Ratio(elephant.Tcpdump.Seconds, elephant.Recorder.Seconds)}  ({elephant.Packets:N0} packets)");
        Console.WriteLine($"  elephant, query in process:      {Ratio(elephant.Tcpdump.Seconds, elephant.QuerySeconds)}  ({elephant.QuerySeconds * 1000:0.0} ms; warm, packets discarded: {warmElephant.Query.TotalMilliseconds:0.0} ms, {Ratio(elephant.Tcpdump.Seconds, warmElephant.Query.TotalSeconds)}; with the durable output {warmElephant.WithDurableOutput.TotalMilliseconds:0.0} ms)");
        Console.WriteLine($"  index size:                      {Bytes(indexBytes)} = {100.0 * indexBytes / dataBytes:0.000}% of {Bytes(dataBytes)} of segments (target <= 1%)");
        Console.WriteLine($"  peak memory: import {Bytes(import.PeakBytes)}, needle query {Bytes(needle.Recorder.PeakBytes)}, elephant query {Bytes(elephant.Recorder.PeakBytes)} (target < 512 MB)");
        return 0;
    }

    private static (Measured Tcpdump, Measured Recorder, double QuerySeconds, long Packets) QueryFigures(
        string recorder, string store, string capture, string bpf, string work, Table table, string name)
    {
        var tcpdumpOut = Path.Combine(work, name + ".tcpdump.pcap");
        var tcpdump = Processes.RunTimed("tcpdump", ["-r", capture, "-w", tcpdumpOut, bpf]);
        table.Add($"tcpdump -r FILE -w out.pcap '{bpf}'", tcpdump, null);
        var arguments = new List<string> { "--store", store, "query", "--case", "BENCH", "--reason", "benchmark", "--out", Path.Combine(work, name + ".pcap"), "--json" };
        var tokens = bpf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is "host" or "port")
            {
                arguments.AddRange(["--" + tokens[i], tokens[++i]]);
            }
        }

        var run = Processes.RunTimed(recorder, arguments);
        Check(run, "query " + bpf);
        var json = JsonNode.Parse(run.Output)!;
        var packets = json["packets"]!.GetValue<long>();
        table.Add($"recorder query {string.Join(' ', arguments.Skip(7).Where(a => !a.Contains('/', StringComparison.Ordinal) && a != "--json" && a != "--out"))} ({packets:N0} packets)", run, null);
        File.Delete(tcpdumpOut);
        return (tcpdump, run, json["queryMilliseconds"]!.GetValue<double>() / 1000, packets);
    }

    /// <summary>
    /// The query itself inside a process that already runs (the service's case): the store and index
    /// open, 2 s of runs to warm up (tiered compilation optimises the query path), then the median of 21 runs of the whole query with the packets
    /// discarded, and of the same writing, hashing and flushing the output file.
    /// </summary>
    private static (TimeSpan Query, TimeSpan WithDurableOutput) InProcess(string store, string bpf, string work)
    {
        var tokens = bpf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var text = new Recorder.Core.Query.QueryText
        {
            Hosts = tokens.Select((t, i) => (t, i)).Where(p => p.t == "host").Select(p => tokens[p.i + 1]).ToList(),
            Ports = tokens.Select((t, i) => (t, i)).Where(p => p.t == "port").Select(p => tokens[p.i + 1]).ToList(),
        };
        var filter = Recorder.Core.Query.QueryParser.Parse(text).Query!;
        var opened = Recorder.Application.StoreAccess.Open(store, create: false, new Recorder.Application.StoreAccessOptions(), ledgerOnDemand: true);
        using var index = opened.Store.OpenIndexReader();
        var executor = new Recorder.Storage.Query.QueryExecutor(opened.Store, null, index);
        var segments = executor.Snapshot(filter);
        var times = new List<TimeSpan>();
        var queries = new List<TimeSpan>();

        // Warm as a service that has been answering for a while is: tiered compilation has replaced
        // the first, unoptimised code of the query path. It counts calls only once no new method has
        // been compiled for 100 ms, then recompiles in the background: a few dozen quick queries in a
        // row are not enough (40 runs gave 1.45 ms, 2 s of runs 0.6 ms), so warm up for 2 seconds.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            executor.Execute(filter, segments, new DiscardingSink());
        }

        const int Runs = 21;
        for (var run = 0; run < Runs; run++)
        {
            var path = Path.Combine(work, "inprocess.pcap");
            File.Delete(path);
            // The query: everything Execute does (the index view's freshness check, the lookup, reading
            // and re-checking every candidate) with the packets discarded; then the same with the
            // output file written, hashed and flushed.
            var query = System.Diagnostics.Stopwatch.StartNew();
            executor.Execute(filter, segments, new DiscardingSink());
            queries.Add(query.Elapsed);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            using (var output = new Recorder.Storage.Query.CaptureFileOutput(path, false, "bench"))
            {
                executor.Execute(filter, segments, output);
                output.Complete();
            }

            times.Add(stopwatch.Elapsed);
        }

        opened.Store.Dispose();
        return (queries.Order().ElementAt(Runs / 2), times.Order().ElementAt(Runs / 2));
    }

    private sealed class DiscardingSink : Recorder.Storage.Query.IQueryPacketSink
    {
        public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
        {
        }
    }

    /// <summary>The capture to measure (made or synthesized when absent) and its needle and elephant filters.</summary>
    internal static (string Path, string Needle, string Elephant) EnsureCapture(string? capture, string work, long bytes)
    {
        var path = capture ?? "/tmp/corpus/large/big-2g.pcap";
        if (!File.Exists(path) && capture is null)
        {
            var make = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "corpus", "gen", "make-large.sh"));
            if (File.Exists(make))
            {
                Console.WriteLine($"making {path} with {make} (about 20 s plus disk)");
                var made = Processes.Run("bash", [make], new Dictionary<string, string> { ["OUT"] = Path.GetDirectoryName(path)! });
                Check(made, "make-large.sh");
            }
            else
            {
                path = Path.Combine(work, "synth-large.pcap");
                if (!File.Exists(path))
                {
                    Console.WriteLine($"../shared is absent: synthesizing {Bytes(bytes)} into {path}");
                    var truth = TrafficSynthesizer.Write(path, new SynthesisOptions { TargetBytes = bytes, Flows = 100_000, Duration = TimeSpan.FromHours(1) });
                    File.WriteAllText(Path.ChangeExtension(path, ".truth.json"), truth.ToJson());
                }
            }
        }

        return (path, Needle(path, elephant: false), Needle(path, elephant: true));
    }

    private static string Needle(string capture, bool elephant)
    {
        var truthPath = Path.ChangeExtension(capture, ".truth.json");
        var truth = JsonNode.Parse(File.ReadAllText(truthPath))!;
        if (truth["needles"]?[0]?["bpf_simple"] is not null)
        {
            // gen.c's truth: the issue names these two flows.
            var needles = truth["needles"]!.AsArray();
            var wanted = elephant ? "host 203.0.113.20 and port 443" : "host 203.0.113.11 and port 443";
            return needles.Select(n => n!["bpf_simple"]!.GetValue<string>()).FirstOrDefault(b => b == wanted)
                ?? needles.OrderBy(n => n!["packets"]!.GetValue<long>() * (elephant ? -1 : 1)).First()!["bpf_simple"]!.GetValue<string>();
        }

        var synthesized = Synthesis.Truth.SynthesisTruth.FromJson(File.ReadAllText(truthPath));
        var flow = elephant ? synthesized.Elephant : synthesized.Needles[0];
        return $"host {flow.Query.Hosts[0]} and port {flow.Query.Ports[0]}";
    }

    /// <summary>The published CLI: <paramref name="cli"/>, or published into WORK/cli.</summary>
    internal static string EnsureCli(string? cli, string work)
    {
        if (cli is not null)
        {
            return cli;
        }

        var output = Path.Combine(work, "cli");
        Console.WriteLine($"publishing the CLI into {output} (dotnet publish src/Recorder.Cli -c Release)");
        var publish = Processes.Run("dotnet", ["publish", Path.Combine(RepositoryRoot(), "src", "Recorder.Cli"), "-c", "Release", "-o", output]);
        Check(publish, "dotnet publish");
        return output;
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Recorder.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Environment.CurrentDirectory;
    }

    private static void Check(Measured measured, string what)
    {
        if (measured.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit {measured.ExitCode}): {measured.Error}");
        }
    }

    private static string Ratio(double baseline, double ours) =>
        ours <= 0 ? "-" : (baseline / ours).ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Bytes(long bytes) => bytes >= 1_000_000_000
        ? (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB"
        : (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";

    private static Options? Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--capture" when i + 1 < args.Length:
                    options = options with { Capture = Path.GetFullPath(args[++i]) };
                    break;
                case "--work" when i + 1 < args.Length:
                    options = options with { Work = Path.GetFullPath(args[++i]) };
                    break;
                case "--cli" when i + 1 < args.Length:
                    options = options with { Cli = Path.GetFullPath(args[++i]) };
                    break;
                case "--bytes" when i + 1 < args.Length && long.TryParse(args[i + 1], out var bytes):
                    options = options with { Bytes = bytes };
                    i++;
                    break;
                default:
                    return null;
            }
        }

        return options;
    }

    private sealed record Options
    {
        public string? Capture { get; init; }

        public string Work { get; init; } = "/tmp/recorder-bench";

        public string? Cli { get; init; }

        public long Bytes { get; init; } = 2_200_000_000;
    }

    private sealed class Table
    {
        private readonly List<(string Name, Measured Run, long? Bytes)> _rows = [];

        public void Add(string name, Measured run, long? bytes) => _rows.Add((name, run, bytes));

        public string Render()
        {
            var width = _rows.Max(r => r.Name.Length) + 2;
            var lines = new List<string> { $"{"what".PadRight(width)}{"time",10}{"rate",14}{"peak RSS",12}" };
            foreach (var (name, run, bytes) in _rows)
            {
                var rate = bytes is { } b && run.Seconds > 0 ? Bytes((long)(b / run.Seconds)) + "/s" : string.Empty;
                lines.Add($"{name.PadRight(width)}{run.Seconds.ToString("0.000", CultureInfo.InvariantCulture) + " s",10}{rate,14}{Bytes(run.PeakBytes),12}");
            }

            return string.Join('\n', lines);
        }
    }
}
