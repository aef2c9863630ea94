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
            await using var a = await ServeProcess.StartAsync(store, workers: 0, connection, schema);
            await using var b = await ServeProcess.StartAsync(store, workers: 2, connection, schema);
            await using var c = await ServeProcess.StartAsync(store, workers: 2, connection, schema);
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
}
