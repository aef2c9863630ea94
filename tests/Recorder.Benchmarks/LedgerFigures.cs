using Recorder.Benchmarks.Harnesses;

namespace Recorder.Benchmarks;

/// <summary>Issue 3's figures: durable appends per second, verification of a million entries, inclusion proofs.</summary>
public static class LedgerFigures
{
    public static int Run(string[] args)
    {
        var entries = 1_000_000;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--entries" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n))
            {
                entries = n;
                i++;
            }
            else
            {
                Console.Error.WriteLine("usage: ... -- ledger [--entries N]");
                return 2;
            }
        }

        var work = Path.Combine(Path.GetTempPath(), "recorder-bench-ledger-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
            var result = LedgerBenchmark.Run(new LedgerBenchmarkOptions { WorkDirectory = work, VerifyEntries = entries }, Console.Out);
            Console.WriteLine(result);
            Console.WriteLine("targets (issue 3): >= 20 000 durable appends/s; verify 1 000 000 entries < 10 s; inclusion proof < 1 ms, O(log n) hashes");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
