using System.Diagnostics;
using Recorder.Application;
using Recorder.Core.Query;
using Recorder.Storage.Query;

namespace Recorder.Benchmarks;

/// <summary>
/// Where a warm in-process query's time goes, on a store the comparison left behind:
/// <c>needle --store DIR --host H --port P [--runs N]</c>. Prints the median of N runs of the index
/// lookup, the packet reads with the output discarded, and the same with the output file written and
/// hashed (not flushed), as a running service pays them.
/// </summary>
internal static class NeedleProfile
{
    public static int Run(string[] args)
    {
        string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var store = Value("--store", "/tmp/recorder-bench/store");
        var runs = int.Parse(Value("--runs", "21"), System.Globalization.CultureInfo.InvariantCulture);
        var query = QueryParser.Parse(new QueryText { Hosts = [Value("--host", "203.0.113.11")], Ports = [Value("--port", "443")] }).Query!;
        var opened = StoreAccess.Open(store, create: false, new StoreAccessOptions(), ledgerOnDemand: true);
        using var index = opened.Store.OpenIndexReader();
        var executor = new QueryExecutor(opened.Store, null, index);
        var segments = executor.Snapshot(query);
        var lookups = new List<double>();
        var refreshes = new List<double>();
        var reads = new List<double>();
        var discarded = new List<double>();
        var written = new List<double>();
        long packets = 0;
        var output = Path.Combine(Path.GetTempPath(), $"needle-profile-{Environment.ProcessId}.pcap");
        // Two seconds of queries first, as the comparison does: tiered compilation optimises the query
        // path only after it has run for a while (see Comparison.InProcess).
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            executor.Execute(query, segments, new CountingSink());
        }

        for (var run = 0; run < runs + 1; run++)
        {
            var sink = new CountingSink();
            var stopwatch = Stopwatch.StartNew();
            var result = executor.Execute(query, segments, sink);
            var total = stopwatch.Elapsed.TotalMilliseconds;
            File.Delete(output);
            stopwatch.Restart();
            using (var file = new CaptureFileOutput(output, false, "bench"))
            {
                executor.Execute(query, segments, file);
            }

            var withFile = stopwatch.Elapsed.TotalMilliseconds;
            if (run > 0)
            {
                lookups.Add(result.LookupTime.TotalMilliseconds);
                refreshes.Add(result.IndexOpenTime.TotalMilliseconds);
                reads.Add(result.ReadTime.TotalMilliseconds);
                discarded.Add(total);
                written.Add(withFile);
            }

            packets = sink.Packets;
        }

        File.Delete(output);
        opened.Store.Dispose();
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine($"{packets} packets, median of {runs} warm runs:");
        Console.WriteLine($"  index freshness check            {Median(refreshes),8:0.000} ms");
        Console.WriteLine($"  index lookup                      {Median(lookups),8:0.000} ms");
        Console.WriteLine($"  packet reads, output discarded    {Median(reads),8:0.000} ms");
        Console.WriteLine($"  whole query, output discarded     {Median(discarded),8:0.000} ms");
        Console.WriteLine($"  whole query, output file + SHA-256 {Median(written),7:0.000} ms");
        return 0;
    }

    private sealed class CountingSink : IQueryPacketSink
    {
        public long Packets { get; private set; }

        public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data) => Packets++;
    }
}
