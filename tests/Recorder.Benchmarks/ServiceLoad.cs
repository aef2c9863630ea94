using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Recorder.Benchmarks;

/// <summary>
/// The investigation service under load (issue 4), against a real <c>recorder serve</c> on loopback:
/// 20 clients submit 200 queries in total over the capture while one more client streams the
/// elephant flow. Every query must complete with the same bytes <c>recorder query</c> writes, the
/// ledger must hold exactly one submission and one completion per query, and no answer may be a
/// 5xx. Reports the time to the first chunk of the needle and of the elephant (idle and under
/// load) and the elephant's whole streaming rate.
/// </summary>
public static class ServiceLoad
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- service [--capture FILE] [--work DIR] [--cli DIR] [--clients N] [--queries N] [--workers N]
          --capture FILE  a classic pcap with its truth file beside it (default: /tmp/corpus/large/big-2g.pcap, made or synthesized as for the main benchmark)
          --work DIR      scratch directory (default /tmp/recorder-bench-service)
          --cli DIR       an already published recorder (default: published into WORK/cli)
          --clients N     concurrent clients submitting queries (default 20)
          --queries N     queries in all (default 200)
          --workers N     job workers of the service (default 4)
        """;

    public static int Run(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Options options)
    {
        Directory.CreateDirectory(options.Work);
        var (capture, needleBpf, elephantBpf) = Comparison.EnsureCapture(options.Capture, options.Work, 2_200_000_000);
        var recorder = Path.Combine(options.Cli ?? Comparison.EnsureCli(null, options.Work), "recorder");
        var store = Path.Combine(options.Work, "store");
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }

        Console.WriteLine($"capture: {capture} ({new FileInfo(capture).Length / 1e9:0.00} GB); needle {needleBpf}; elephant {elephantBpf}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?")}");
        var import = Processes.Run(recorder, ["--store", store, "import", capture]);
        Check(import, "import");
        Console.WriteLine($"imported in {import.Seconds:0.0} s");

        var (first, last) = CaptureSpan(capture);
        var window = (From: first.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            To: last.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var flows = Flows(capture, needleBpf, elephantBpf);
        var needle = flows.Single(f => f.Bpf == needleBpf);
        var elephant = flows.Single(f => f.Bpf == elephantBpf);
        var mix = flows.Where(f => f != elephant).ToList();

        // The oracle: what `recorder query` writes for each flow, outside the timed part.
        var expected = new Dictionary<string, (string Sha256, long Packets)>();
        foreach (var flow in flows)
        {
            var output = Path.Combine(options.Work, "expected-" + expected.Count + ".pcap");
            var run = Processes.Run(recorder, ["--store", store, "query", .. flow.CliArguments, "--from", window.From, "--to", window.To, "--out", output,
                "--case", "oracle", "--reason", "benchmark oracle", "--json"]);
            Check(run, "query " + flow.Bpf);
            var json = JsonNode.Parse(run.Output)!;
            expected[flow.Bpf] = (json["sha256"]!.GetValue<string>(), json["packets"]!.GetValue<long>());
            File.Delete(output);
        }

        var tokens = new Dictionary<string, string>();
        foreach (var user in Enumerable.Range(1, options.Clients).Select(i => $"inv{i:00}").Append("streamer"))
        {
            var added = Processes.Run(recorder, ["--store", store, "user", "add", "--name", user, "--role", "investigator", "--json"]);
            Check(added, "user add");
            tokens[user] = JsonNode.Parse(added.Output)!["token"]!.GetValue<string>();
        }

        using var serve = Serve.Start(recorder, store, options.Workers);
        Console.WriteLine($"service: {serve.Address} ({options.Workers} workers, SQLite job storage in the store)");
        var statuses = new ConcurrentDictionary<int, int>();

        // Idle figures first: one needle, one elephant, nothing else running (after one query that
        // warms the new process up: JIT, the index's first open).
        using var idleClient = Client(serve.Address, tokens["streamer"], statuses);
        var warmUp = await RunQuery(idleClient, mix[^1], window, expected);
        var idleNeedle = await TimeToFirstChunk(idleClient, needle, window, expected);
        var idleElephant = await TimeToFirstChunk(idleClient, elephant, window, expected);

        // Under load: 20 clients, 200 queries; one client streams the elephant meanwhile.
        var results = new ConcurrentBag<QueryOutcome>();
        var perClient = Enumerable.Range(0, options.Clients)
            .Select(c => Enumerable.Range(0, options.Queries).Where(q => q % options.Clients == c).ToList()).ToList();
        var wall = Stopwatch.StartNew();
        var streaming = Task.Run(() => StreamElephant(serve.Address, tokens["streamer"], elephant, window, expected, statuses));
        var clients = perClient.Select((queries, c) => Task.Run(async () =>
        {
            using var client = Client(serve.Address, tokens[$"inv{c + 1:00}"], statuses);
            foreach (var q in queries)
            {
                var flow = mix[q % mix.Count];
                results.Add(await RunQuery(client, flow, window, expected));
            }
        })).ToList();
        await Task.WhenAll(clients);
        var loadSeconds = wall.Elapsed.TotalSeconds;
        var stream = await streaming;
        serve.Dispose();

        // The ledger, read as an auditor would: one submission and one completion per query.
        var ledger = File.ReadLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();
        var byQuery = ledger.Where(e => e["subjects"]?["queryId"] is not null)
            .GroupBy(e => e["subjects"]!["queryId"]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => g.Select(e => e["action"]!.GetValue<string>()).ToList());
        var all = results.ToList();
        var ids = all.Select(r => r.Id).Append(stream.Id).Append(idleNeedle.Id).Append(idleElephant.Id).Append(warmUp.Id).ToList();
        var ledgerProblems = ids.Where(id => !byQuery.TryGetValue(id, out var actions)
            || actions.Count(a => a == "query.submitted") != 1 || actions.Count(a => a == "extraction.written") != 1).ToList();
        var wrong = all.Where(r => !r.Correct).ToList();
        var serverErrors = statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

        Console.WriteLine();
        Console.WriteLine($"load: {all.Count} queries from {options.Clients} clients in {loadSeconds:0.0} s ({all.Count / loadSeconds:0.0} queries/s), plus one client streaming the elephant");
        Console.WriteLine($"  every result equals recorder query's:  {(wrong.Count == 0 ? "yes" : $"NO ({wrong.Count} differ: {string.Join(", ", wrong.Take(5).Select(w => w.Flow))})")}");
        Console.WriteLine($"  ledger: one submission and one completion per query: {(ledgerProblems.Count == 0 ? "yes" : $"NO ({ledgerProblems.Count} queries)")} ({ledger.Count:N0} entries)");
        Console.WriteLine($"  HTTP answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value:N0}"))}; 5xx: {serverErrors}");
        Console.WriteLine($"  query completion under load: median {Percentile(all.Select(r => r.Total), 0.5):0} ms, p95 {Percentile(all.Select(r => r.Total), 0.95):0} ms, max {all.Max(r => r.Total.TotalMilliseconds):0} ms");
        Console.WriteLine($"  time to first chunk under load (needles): median {Percentile(all.Select(r => r.FirstChunk), 0.5):0} ms, p95 {Percentile(all.Select(r => r.FirstChunk), 0.95):0} ms");
        var loadNeedle = all.Where(r => r.Flow == needleBpf).Select(r => r.FirstChunk).ToList();
        Console.WriteLine();
        Console.WriteLine($"needle   {needleBpf} ({expected[needleBpf].Packets:N0} packets): time to first chunk idle {idleNeedle.FirstChunk.TotalMilliseconds:0} ms, " +
            $"under load median {Percentile(loadNeedle, 0.5):0} ms (of {loadNeedle.Count})");
        Console.WriteLine($"elephant {elephantBpf} ({expected[elephantBpf].Packets:N0} packets): time to first chunk idle {idleElephant.FirstChunk.TotalMilliseconds:0} ms, " +
            $"under load {stream.FirstChunk.TotalMilliseconds:0} ms; first streamed bytes after {stream.FirstBytes.TotalMilliseconds:0} ms");
        Console.WriteLine($"elephant streamed whole under load: {stream.Bytes / 1e6:0.0} MB in {stream.Elapsed.TotalSeconds:0.00} s = {stream.Bytes / 1e6 / stream.Elapsed.TotalSeconds:0.0} MB/s, " +
            $"{expected[elephantBpf].Packets / stream.Elapsed.TotalSeconds:N0} packets/s; bytes equal the result file: {(stream.Correct ? "yes" : "NO")}");
        Console.WriteLine($"elephant idle (no load): whole query in {idleElephant.Total.TotalSeconds:0.00} s");
        var ok = wrong.Count == 0 && ledgerProblems.Count == 0 && serverErrors == 0 && stream.Correct && idleNeedle.Correct && idleElephant.Correct && warmUp.Correct;
        Console.WriteLine(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    private static async Task<QueryOutcome> TimeToFirstChunk(HttpClient client, Flow flow, (string From, string To) window, Dictionary<string, (string Sha256, long Packets)> expected) =>
        await RunQuery(client, flow, window, expected);

    private static async Task<QueryOutcome> RunQuery(HttpClient client, Flow flow, (string From, string To) window, Dictionary<string, (string Sha256, long Packets)> expected)
    {
        var started = Stopwatch.StartNew();
        var id = await Submit(client, flow, window);
        TimeSpan? firstChunk = null;
        while (true)
        {
            var status = JsonNode.Parse(await client.GetStringAsync("/api/queries/" + id))!;
            if (firstChunk is null && status["chunks"]!.AsArray().Count > 0)
            {
                firstChunk = started.Elapsed;
            }

            var state = status["state"]!.GetValue<string>();
            if (state is "succeeded" or "failed" or "cancelled")
            {
                var sha = status["result"]?["sha256"]?.GetValue<string>();
                return new QueryOutcome(id, flow.Bpf, firstChunk ?? started.Elapsed, started.Elapsed, state == "succeeded" && sha == expected[flow.Bpf].Sha256);
            }

            await Task.Delay(20);
        }
    }

    private static async Task<StreamOutcome> StreamElephant(Uri address, string token, Flow elephant, (string From, string To) window,
        Dictionary<string, (string Sha256, long Packets)> expected, ConcurrentDictionary<int, int> statuses)
    {
        using var client = Client(address, token, statuses);
        var started = Stopwatch.StartNew();
        var id = await Submit(client, elephant, window);
        var firstChunk = Task.Run(async () =>
        {
            while (JsonNode.Parse(await client.GetStringAsync("/api/queries/" + id))!["chunks"]!.AsArray().Count == 0)
            {
                await Task.Delay(10);
            }

            return started.Elapsed;
        });
        using var response = await client.GetAsync($"/api/queries/{id}/pcap", HttpCompletionOption.ResponseHeadersRead);
        statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 20];
        long bytes = 0;
        TimeSpan? firstBytes = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            firstBytes ??= started.Elapsed;
            hash.AppendData(buffer, 0, read);
            bytes += read;
        }

        var elapsed = started.Elapsed;
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        return new StreamOutcome(id, await firstChunk, firstBytes ?? elapsed, elapsed, bytes, sha == expected[elephant.Bpf].Sha256);
    }

    private static async Task<string> Submit(HttpClient client, Flow flow, (string From, string To) window)
    {
        var body = new JsonObject
        {
            ["case"] = "BENCH-1",
            ["reason"] = "service load benchmark",
            ["filter"] = flow.Filter(window.From, window.To),
        };
        using var response = await client.PostAsync("/api/queries", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"submit {flow.Bpf}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    private static HttpClient Client(Uri address, string token, ConcurrentDictionary<int, int> statuses)
    {
        var client = new HttpClient(new CountingHandler(statuses) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static List<Flow> Flows(string capture, string needle, string elephant)
    {
        var truth = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(capture, ".truth.json")))!;
        var bpfs = truth["needles"]?[0]?["bpf_simple"] is not null
            ? truth["needles"]!.AsArray().Select(n => n!["bpf_simple"]!.GetValue<string>()).ToList()
            : Synthesis.Truth.SynthesisTruth.FromJson(File.ReadAllText(Path.ChangeExtension(capture, ".truth.json"))).Needles
                .Select(n => $"host {n.Query.Hosts[0]} and port {n.Query.Ports[0]}").Append(elephant).ToList();
        return bpfs.Distinct().Select(Flow.FromBpf).Where(f => f is not null).Select(f => f!).Where(f => f.Bpf == needle || f.Bpf == elephant || f.Hosts.Count > 0).ToList();
    }

    private static (DateTimeOffset First, DateTimeOffset Last) CaptureSpan(string capture)
    {
        using var reader = Core.Formats.CaptureFileReader.Open(capture);
        reader.TryRead(out var packet);
        var first = DateTimeOffset.FromUnixTimeMilliseconds(packet.TimestampNanoseconds / 1_000_000);

        // The synthesizers write an hour at most; a day either side of the first packet covers it.
        return (first, first.AddHours(2));
    }

    private static double Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static void Check(Measured measured, string what)
    {
        if (measured.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit {measured.ExitCode}): {measured.Error}");
        }
    }

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
                case "--clients" when i + 1 < args.Length && int.TryParse(args[i + 1], out var clients) && clients > 0:
                    options = options with { Clients = clients };
                    i++;
                    break;
                case "--queries" when i + 1 < args.Length && int.TryParse(args[i + 1], out var queries) && queries > 0:
                    options = options with { Queries = queries };
                    i++;
                    break;
                case "--workers" when i + 1 < args.Length && int.TryParse(args[i + 1], out var workers) && workers > 0:
                    options = options with { Workers = workers };
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

        public string Work { get; init; } = "/tmp/recorder-bench-service";

        public string? Cli { get; init; }

        public int Clients { get; init; } = 20;

        public int Queries { get; init; } = 200;

        public int Workers { get; init; } = 4;
    }

    private sealed record QueryOutcome(string Id, string Flow, TimeSpan FirstChunk, TimeSpan Total, bool Correct);

    private sealed record StreamOutcome(string Id, TimeSpan FirstChunk, TimeSpan FirstBytes, TimeSpan Elapsed, long Bytes, bool Correct);

    /// <summary>One flow of the truth file as a service filter and as recorder query arguments.</summary>
    private sealed record Flow(string Bpf, IReadOnlyList<string> Hosts, IReadOnlyList<int> Ports, IReadOnlyList<string> Protocols)
    {
        public IEnumerable<string> CliArguments =>
            Hosts.SelectMany(h => new[] { "--host", h })
                .Concat(Ports.SelectMany(p => new[] { "--port", p.ToString(CultureInfo.InvariantCulture) }))
                .Concat(Protocols.SelectMany(p => new[] { "--proto", p }));

        public static Flow? FromBpf(string bpf)
        {
            var tokens = bpf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var hosts = new List<string>();
            var ports = new List<int>();
            var protocols = new List<string>();
            for (var i = 0; i < tokens.Length; i++)
            {
                switch (tokens[i])
                {
                    case "host" when i + 1 < tokens.Length:
                        hosts.Add(tokens[++i]);
                        break;
                    case "port" when i + 1 < tokens.Length:
                        ports.Add(int.Parse(tokens[++i], CultureInfo.InvariantCulture));
                        break;
                    case "tcp" or "udp" or "icmp" or "icmp6":
                        protocols.Add(tokens[i]);
                        break;
                    case "and":
                        break;
                    default:
                        return null;
                }
            }

            return new Flow(bpf, hosts, ports, protocols);
        }

        public JsonObject Filter(string from, string to) => new()
        {
            ["hosts"] = new JsonArray(Hosts.Select(h => (JsonNode)h).ToArray()),
            ["ports"] = new JsonArray(Ports.Select(p => (JsonNode)p).ToArray()),
            ["proto"] = new JsonArray(Protocols.Select(p => (JsonNode)p).ToArray()),
            ["from"] = from,
            ["to"] = to,
        };
    }

    /// <summary>Counts every HTTP status the service answers.</summary>
    private sealed class CountingHandler(ConcurrentDictionary<int, int> statuses) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            return response;
        }
    }

    /// <summary>A <c>recorder serve</c> process, stopped with SIGTERM.</summary>
    internal sealed class Serve : IDisposable
    {
        private readonly Process _process;

        private Serve(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static Serve Start(string recorder, string store, int workers)
        {
            var start = new ProcessStartInfo(recorder) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "--store", store, "serve", "--urls", "http://127.0.0.1:0", "--workers", workers.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            _ = process.StandardError.ReadToEndAsync();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                const string marker = "recorder serve: listening on ";
                if (line.StartsWith(marker, StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new Serve(process, new Uri(line[marker.Length..]));
                }
            }

            throw new InvalidOperationException("recorder serve did not start");
        }

        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }
    }
}
