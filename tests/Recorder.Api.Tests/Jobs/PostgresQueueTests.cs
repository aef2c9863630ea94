using System.Diagnostics;
using Npgsql;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Jobs;

/// <summary>
/// Several <c>recorder serve</c> processes on one PostgreSQL share one job queue, and each job runs
/// exactly once. Needs a PostgreSQL server named by <c>RECORDER_TEST_POSTGRES</c> (.ci/run starts
/// one on 127.0.0.1:55432); skipped, visibly, without it.
/// </summary>
public sealed class PostgresQueueTests
{
    [SkippableFact]
    public async Task TwoServers_OnOnePostgres_ShareTheQueue_AndRunEachJobOnce()
    {
        var connection = Environment.GetEnvironmentVariable("RECORDER_TEST_POSTGRES");
        Skip.If(string.IsNullOrEmpty(connection), "RECORDER_TEST_POSTGRES is not set: no PostgreSQL to share a queue on (.ci/run starts one)");
        var schema = "recorder_test_" + Guid.NewGuid().ToString("N")[..12];
        using var store = ServiceTestStore.Create(packets: 10_000);
        try
        {
            var needles = store.Truth.Needles.Take(6).ToList();
            var expected = needles.Select(n => store.Expected(n.Server, n.ServerPort).Sha256).ToList();

            // A takes queries but runs none; B and C run them. A query accepted by A can only run
            // through the shared queue, and B and C compete for every job.
            await using var a = await ServeProcess.StartAsync(store, connection!, schema, workers: 0);
            await using var b = await ServeProcess.StartAsync(store, connection!, schema, workers: 2);
            await using var c = await ServeProcess.StartAsync(store, connection!, schema, workers: 2);
            var submitted = new List<(string Id, int Needle)>();
            foreach (var (server, index) in new[] { a, b, c, a }.SelectMany(s => needles.Select((_, i) => (s, i))))
            {
                using var alice = server.As(store.Tokens["alice"]);
                var needle = needles[index];
                submitted.Add((await alice.SubmitAsync(ApiClient.Query(needle.Server, needle.ServerPort, store.Window)), index));
            }

            var ranOn = new List<string>();
            using (var alice = a.As(store.Tokens["alice"]))
            {
                foreach (var (id, needle) in submitted)
                {
                    var done = await alice.WaitSettledAsync(id, TimeSpan.FromSeconds(120));
                    Assert.Equal("succeeded", done["state"]!.GetValue<string>());
                    Assert.Equal(expected[needle], done["result"]!["sha256"]!.GetValue<string>());
                    Assert.Equal(1, done["attempt"]!.GetValue<int>());
                    ranOn.Add(done["node"]!.GetValue<string>());
                }
            }

            Assert.DoesNotContain(ranOn, node => node.EndsWith(":" + a.ProcessId, StringComparison.Ordinal));
            Assert.All(ranOn, node => Assert.True(node.EndsWith(":" + b.ProcessId, StringComparison.Ordinal) || node.EndsWith(":" + c.ProcessId, StringComparison.Ordinal)));

            // Let any duplicate delivery show itself before counting.
            await Task.Delay(2000);
            foreach (var (id, _) in submitted)
            {
                var actions = LedgerFile.ForQuery(store.StorePath, id).Select(e => e["action"]!.GetValue<string>()).ToList();
                Assert.Equal(1, actions.Count(x => x == "query.submitted"));
                Assert.Equal(1, actions.Count(x => x == "query.started"));
                Assert.Equal(1, actions.Count(x => x == "extraction.written"));
            }

            Console.WriteLine($"jobs run by B: {ranOn.Count(n => n.EndsWith(":" + b.ProcessId, StringComparison.Ordinal))}, " +
                $"by C: {ranOn.Count(n => n.EndsWith(":" + c.ProcessId, StringComparison.Ordinal))}");
        }
        finally
        {
            await using var database = new NpgsqlConnection(connection);
            await database.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", database);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A real <c>recorder serve</c> process.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServeProcess(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public int ProcessId => _process.Id;

        public static async Task<ServeProcess> StartAsync(ServiceTestStore store, string connection, string schema, int workers)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "recorder.dll"), "--store", store.StorePath, "serve", "--urls", "http://127.0.0.1:0",
                "--policies", store.PoliciesPath, "--postgres-schema", schema, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            // The connection string travels in the environment, not on the command line other users can read.
            start.Environment["RECORDER_POSTGRES"] = connection;
            var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var stopwatch = Stopwatch.StartNew();
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
            {
                var line = await process.StandardOutput.ReadLineAsync();
                if (line is null)
                {
                    break;
                }

                const string marker = "recorder serve: listening on ";
                if (line.StartsWith(marker, StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new ServeProcess(process, new Uri(line[marker.Length..]));
                }
            }

            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("recorder serve did not start: " + await error);
        }

        public ApiClient As(string token) => new(new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) }, token);

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // SIGTERM: the service stops cleanly (as systemd stops it).
                Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }
    }
}
