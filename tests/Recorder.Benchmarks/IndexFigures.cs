using Recorder.Benchmarks.Harnesses;

namespace Recorder.Benchmarks;

/// <summary>The index alone on a capture with a gen.c truth file: size per column family, lookups.</summary>
public static class IndexFigures
{
    public static int Run(string[] args)
    {
        var capture = args.Length == 2 && args[0] == "--capture" ? args[1] : "/tmp/corpus/large/big-2g.pcap";
        if (!File.Exists(capture))
        {
            Console.Error.WriteLine($"usage: ... -- index [--capture FILE]   ({capture} not found; make it with ../shared/corpus/gen/make-large.sh)");
            return 2;
        }

        var work = Path.Combine(Path.GetTempPath(), "recorder-bench-index-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        try
        {
            var result = IndexBenchmark.Run(capture, work);
            foreach (var line in result.Lines())
            {
                Console.WriteLine(line);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
