using System.Diagnostics;
using System.Globalization;
using Recorder.Core.Formats;
using Recorder.Sessions;
using Recorder.Sessions.Files;

namespace Recorder.Benchmarks;

/// <summary>
/// Session metadata throughput (issue 12: ≥ 1 Gbps on one core): the <see cref="SessionBuilder"/>
/// with every default dissector and the HTTP file extractor, fed one capture on one thread. Only
/// the builder's calls are timed (a stopwatch around each; the file reader's time is left out, the
/// stopwatch's own ~50 ns per packet is in). Prints Gbps, packets/s, sessions/s, sessions by application, files
/// and peak managed memory.
/// </summary>
public static class SessionFigures
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- sessions [--capture FILE] [--runs N]
          --capture FILE   a pcap/pcapng (default: /tmp/corpus/large/sess.pcap, made with
                           ../shared/corpus/gen/make-large.sh NAME=sess BYTES=500000000 when absent)
          --runs N         runs over the same capture (default 2); each run's figures are printed
        """;

    public static int Run(string[] args)
    {
        string? capture = null;
        var runs = 2;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--capture" when i + 1 < args.Length:
                    capture = args[++i];
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) && runs > 0:
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        capture ??= DefaultCapture();
        if (capture is null)
        {
            return 1;
        }

        var fileBytes = new FileInfo(capture).Length;
        Console.WriteLine($"capture {capture}: {fileBytes / 1e6:F1} MB");
        for (var run = 1; run <= runs; run++)
        {
            Measure(capture, run);
        }

        return 0;
    }

    private static void Measure(string capture, int run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var sessions = 0L;
        var byApplication = new Dictionary<string, long>(StringComparer.Ordinal);
        var files = 0L;
        var completeFiles = 0L;
        var builder = new SessionBuilder(new SessionOptions(), record =>
        {
            sessions++;
            var app = record.Application ?? "unknown";
            byApplication[app] = byApplication.GetValueOrDefault(app) + 1;
        }, ApplicationSignatures.DefaultStreamFactories(new HttpObjectExtractor(file =>
        {
            files++;
            completeFiles += file.Complete ? 1 : 0;
        })), ApplicationSignatures.DefaultDatagramFactories());

        var packets = 0L;
        var wireBytes = 0L;
        var peakManaged = 0L;
        var elapsed = new Stopwatch();
        using (var reader = CaptureFileReader.Open(capture))
        {
            while (reader.TryRead(out var packet))
            {
                // The reader's own time is excluded: the figure is the builder's.
                elapsed.Start();
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 0, (int)packet.OriginalLength);
                elapsed.Stop();
                packets++;
                wireBytes += packet.Data.Length;
                if ((packets & 0xFFFF) == 0)
                {
                    peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                }
            }

            elapsed.Start();
            builder.Complete();
            elapsed.Stop();
        }

        peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
        var seconds = elapsed.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run}: {wireBytes * 8 / seconds / 1e9:F2} Gbps ({wireBytes / 1e6:F0} MB of frames in {seconds:F2} s), {packets / seconds / 1e6:F2} M packets/s, "
            + $"{sessions / seconds / 1e3:F1} k sessions/s ({sessions} sessions), files {files} ({completeFiles} complete), peak managed memory {peakManaged / 1048576.0:F0} MiB"));
        Console.WriteLine("  by application: " + string.Join(", ", byApplication.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
    }

    private static string? DefaultCapture()
    {
        var path = "/tmp/corpus/large/sess.pcap";
        if (File.Exists(path))
        {
            return path;
        }

        var script = Path.GetFullPath(Path.Combine(Comparison.RepositoryRoot(), "..", "shared", "corpus", "gen", "make-large.sh"));
        if (!File.Exists(script))
        {
            Console.Error.WriteLine($"no capture: pass --capture FILE ({script} is absent)");
            return null;
        }

        var start = new ProcessStartInfo(script) { UseShellExecute = false };
        start.Environment["NAME"] = "sess";
        start.Environment["BYTES"] = "500000000";
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0 && File.Exists(path) ? path : null;
    }
}
