using System.Globalization;
using Recorder.Application;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;

namespace Recorder.Benchmarks;

/// <summary>
/// Session metadata size and search time (issue 12: answered from the index in milliseconds, index
/// growth ≤ 1% of the data): for a store whose metadata was built (<c>recorder import --sessions</c>),
/// prints data bytes, metadata file bytes (records and index) and their share of the data, then for
/// a fixed set of searches the first search in this process (cold: JIT, index not yet read) and the
/// median of the following runs (warm), with the records read and the matches. With
/// <c>--baseline DIR</c> (the same capture imported by a build that wrote <c>.sessions.jsonl</c>)
/// the same searches run there too, and the answers' SHA-256 must be equal.
/// </summary>
public static class SessionIndexFigures
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- session-index --store DIR [--baseline DIR] [--runs N]
          --store DIR      a store whose session metadata is built (recorder import --sessions FILE)
          --baseline DIR   a store of the same capture with first-layout metadata (.sessions.jsonl): scanned for comparison
          --runs N         warm runs per search (default 7)
        """;

    private static readonly SessionFilterArguments[] Searches =
    [
        new() { Sni = "www.example.com" },
        new() { Domain = "*.example.net" },
        new() { Domain = "api2166*" },
        new() { Host = "10.1.3.219" },
        new() { Port = "22" },
        new() { App = "tls" },
        new() { Proto = "udp", Port = "53", Domain = "api2166*" },
        new() { Url = "*.zip" },
        new() { UserAgent = "curl/*" },
        new() { Ja3 = "00000000000000000000000000000000" },
        new() { From = "1700000100", To = "1700000101" },
    ];

    public static int Run(string[] args)
    {
        string? store = null, baseline = null;
        var runs = 7;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--store" when i + 1 < args.Length:
                    store = args[++i];
                    break;
                case "--baseline" when i + 1 < args.Length:
                    baseline = args[++i];
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) && runs > 0:
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (store is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var opened = StoreAccess.Open(store, create: false, new StoreAccessOptions(), ledgerOnDemand: true);
        using var evidence = opened.Store;
        long data = 0, blocks = 0, plain = 0;
        foreach (var segment in evidence.ListSegments())
        {
            data += new FileInfo(segment.Path).Length;
            var path = evidence.Layout.ExistingSessionsFile(segment.Id);
            if (path is null)
            {
                continue;
            }

            var bytes = new FileInfo(path).Length;
            if (path.EndsWith(".zst", StringComparison.Ordinal))
            {
                blocks += bytes;
            }
            else
            {
                plain += bytes;
            }
        }

        Console.WriteLine($"store {store}: data {data / 1e6:F1} MB; block metadata files {blocks / 1e6:F2} MB ({100.0 * blocks / data:F2}% of the data)" +
            (plain > 0 ? $"; first-layout files {plain / 1e6:F2} MB ({100.0 * plain / data:F2}%)" : string.Empty));
        var baselineStore = baseline is null ? null : StoreAccess.Open(baseline, create: false, new StoreAccessOptions(), ledgerOnDemand: true).Store;
        Console.WriteLine($"{"search",-44} {"matches",8} {"read",8} {"cold ms",9} {"warm ms",9}" + (baselineStore is null ? string.Empty : $" {"scan ms",9} same"));
        foreach (var arguments in Searches)
        {
            var (filter, error) = SessionFilter.Parse(arguments);
            if (filter is null)
            {
                Console.Error.WriteLine($"{error!.Option}: {error.Message}");
                return 1;
            }

            var cold = SessionSearch.Run(evidence, filter);
            var warm = new List<double>();
            SessionSearchResult last = cold;
            for (var run = 0; run < runs; run++)
            {
                last = SessionSearch.Run(evidence, filter);
                warm.Add(last.Elapsed.TotalMilliseconds);
            }

            var line = $"{Describe(filter),-44} {last.Matches.Count,8} {last.RecordsRead,8} {cold.Elapsed.TotalMilliseconds,9:F1} {Median(warm),9:F1}";
            if (baselineStore is not null)
            {
                var scan = SessionSearch.Run(baselineStore, filter);
                line += $" {scan.Elapsed.TotalMilliseconds,9:F0} {(scan.AnswerSha256 == last.AnswerSha256 ? "yes" : "NO")}";
            }

            Console.WriteLine(line);
        }

        baselineStore?.Dispose();
        return 0;
    }

    private static string Describe(SessionFilter filter) => string.Join(" ", filter.Given().Select(p => $"--{p.Key} {p.Value}"));

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
