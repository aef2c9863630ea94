using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Recorder.Benchmarks;

/// <summary>
/// The dashboard's history pages with a long history (issue 11: under 200 ms with 10 000 queries),
/// against a real <c>recorder serve</c> on loopback. A store gets one real query, which is then
/// copied (its <c>query.json</c> with a new id, case, owner and time) into N query directories, as
/// months of investigations would leave them; then the cases list, a case, the query list and the
/// HTML pages are each requested R times and the median and maximum printed.
/// </summary>
public static class HistoryFigures
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- history [--queries N] [--requests R] [--work DIR] [--cli DIR]
          --queries N   queries in the history (default 10000)
          --requests R  requests per endpoint (default 50)
          --work DIR    scratch directory (default /tmp/recorder-bench-history)
          --cli DIR     an already published recorder (default: published into WORK/cli)
        """;

    private const double TargetMs = 200;

    public static int Run(string[] args)
    {
        var queries = 10_000;
        var requests = 50;
        var work = "/tmp/recorder-bench-history";
        string? cli = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--queries" when i + 1 < args.Length: queries = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--requests" when i + 1 < args.Length: requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--work" when i + 1 < args.Length: work = args[++i]; break;
                case "--cli" when i + 1 < args.Length: cli = args[++i]; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        return RunAsync(queries, requests, work, cli).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int queries, int requests, string work, string? cli)
    {
        Directory.CreateDirectory(work);
        var recorder = Path.Combine(cli ?? Comparison.EnsureCli(null, work), "recorder");
        var store = Path.Combine(work, "store");
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }

        var capture = Path.Combine(work, "sample.pcap");
        Check(Processes.Run(recorder, ["synth", "--out", capture, "--packets", "20000"]), "synth");
        Check(Processes.Run(recorder, ["--store", store, "import", capture]), "import");
        var tokens = new Dictionary<string, string>();
        foreach (var (user, role) in new[] { ("alice", "investigator"), ("lena", "legal") })
        {
            var added = Processes.Run(recorder, ["--store", store, "user", "add", "--name", user, "--role", role, "--json"]);
            Check(added, "user add");
            tokens[user] = JsonNode.Parse(added.Output)!["token"]!.GetValue<string>();
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?")}");
        string template;
        using (var serve = ServiceLoad.Serve.Start(recorder, store, 1))
        using (var alice = Client(serve.Address, tokens["alice"]))
        {
            using var submitted = await alice.PostAsync("/api/queries", new StringContent(
                """{"case":"SEED","reason":"benchmark seed","filter":{"ports":[443],"from":"2023-11-14T00:00:00Z","to":"2023-11-16T00:00:00Z"}}""",
                System.Text.Encoding.UTF8, "application/json"));
            var id = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            while (JsonNode.Parse(await alice.GetStringAsync("/api/queries/" + id))!["state"]!.GetValue<string>() is "queued" or "running")
            {
                await Task.Delay(100);
            }

            template = await File.ReadAllTextAsync(Path.Combine(store, "extractions", id, "query.json"));
        }

        // The history: copies of the real record under other ids, 500 cases, two users, one a minute.
        var stopwatch = Stopwatch.StartNew();
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 1; i < queries; i++)
        {
            var record = JsonNode.Parse(template)!.AsObject();
            var id = Guid.NewGuid().ToString("D");
            record["id"] = id;
            record["case"] = $"IR-2024-{i % 500:000}";
            record["owner"] = i % 2 == 0 ? "alice" : "lena";
            record["submittedAt"] = start.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'.000000000Z'", CultureInfo.InvariantCulture);
            Directory.CreateDirectory(Path.Combine(store, "extractions", id));
            await File.WriteAllTextAsync(Path.Combine(store, "extractions", id, "query.json"), record.ToJsonString());
        }

        Console.WriteLine($"history: {queries:N0} queries in {Directory.GetDirectories(Path.Combine(store, "extractions")).Length:N0} directories (written in {stopwatch.Elapsed.TotalSeconds:0.0} s)");

        using var service = ServiceLoad.Serve.Start(recorder, store, 1);
        using var lena = Client(service.Address, tokens["lena"]);
        using var investigator = Client(service.Address, tokens["alice"]);
        var first = Stopwatch.StartNew();
        using (var warm = await lena.GetAsync("/api/cases"))
        {
            Console.WriteLine($"first listing after start (builds the summaries from {queries:N0} files): {first.Elapsed.TotalMilliseconds:0} ms, {(int)warm.StatusCode}");
        }

        var ok = true;
        Console.WriteLine($"{"request",-58} {"median ms",10} {"max ms",8}  target {TargetMs} ms");
        foreach (var (client, who, path) in new[]
        {
            (lena, "lena", "/api/cases"),
            (lena, "lena", "/api/cases?search=IR-2024-04&sort=case&page=2&pageSize=25"),
            (investigator, "alice", "/api/cases?from=2024-01-02&to=2024-01-03"),
            (lena, "lena", "/api/cases/IR-2024-017"),
            (lena, "lena", "/api/queries?limit=100"),
            (investigator, "alice", "/api/queries?case=IR-2024-017"),
            (investigator, "alice", "/api/queries/options"),
            (lena, "lena", "/api/traffic"),
            (lena, "lena", "/ui/cases"),
            (lena, "lena", "/ui/cases/IR-2024-017"),
            (investigator, "alice", "/ui/queries/new"),
            (lena, "lena", "/ui/"),
        })
        {
            var times = new List<double>();
            for (var r = 0; r < requests; r++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await client.GetAsync(path);
                _ = await response.Content.ReadAsByteArrayAsync();
                times.Add(watch.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Console.WriteLine($"  {path}: {(int)response.StatusCode}");
                    ok = false;
                    break;
                }
            }

            times.Sort();
            var median = times[times.Count / 2];
            var max = times[^1];
            ok &= median < TargetMs;
            Console.WriteLine($"{who + " " + path,-58} {median,10:0.0} {max,8:0.0}  {(median < TargetMs ? "ok" : "SLOW")}");
        }

        return ok ? 0 : 1;
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static void Check(Measured run, string what)
    {
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"recorder {what} exited {run.ExitCode}: {run.Error}");
        }
    }
}
