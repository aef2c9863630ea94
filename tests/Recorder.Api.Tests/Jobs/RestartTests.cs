using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Jobs;

/// <summary>Hangfire's SQLite storage inside the store: queued and running queries survive a restart and run once.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task QueuedQuery_SurvivesARestart_AndRunsExactlyOnce()
    {
        using var store = ServiceTestStore.Create(packets: 10_000);
        var expected = store.Expected(store.Needle.Server, store.Needle.ServerPort);
        string id;
        await using (var apiOnly = await KestrelService.StartAsync(store.Options(workers: 0)))
        {
            using var alice = apiOnly.As(store.Tokens["alice"]);
            id = await alice.SubmitAsync(ApiClient.Query(store.Needle.Server, store.Needle.ServerPort, store.Window));
            await Task.Delay(1000);
            Assert.Equal("queued", (await alice.GetJsonAsync("/api/queries/" + id))["state"]!.GetValue<string>());
        }

        Assert.True(File.Exists(Path.Combine(store.StorePath, "service", "hangfire.db")));
        await using (var restarted = await KestrelService.StartAsync(store.Options(workers: 2)))
        {
            using var alice = restarted.As(store.Tokens["alice"]);
            var done = await alice.WaitSettledAsync(id);
            Assert.Equal("succeeded", done["state"]!.GetValue<string>());
            Assert.Equal(expected.Sha256, done["result"]!["sha256"]!.GetValue<string>());
            Assert.Equal(1, done["attempt"]!.GetValue<int>());

            // A while later, nothing ran it again.
            await Task.Delay(1500);
        }

        var entries = LedgerFile.ForQuery(store.StorePath, id).Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal(1, entries.Count(a => a == "query.submitted"));
        Assert.Equal(1, entries.Count(a => a == "query.started"));
        Assert.Equal(1, entries.Count(a => a == "extraction.written"));
        Assert.DoesNotContain("query.restarted", entries);
    }

    [Fact]
    public async Task RunningQuery_StoppedByARestart_StartsOverCleanly_AndCompletesOnce()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var expected = store.Expected(elephant.Server, elephant.ServerPort);
        string id;
        var slow = store.Options(workers: 1) with
        {
            ExtractionBytesPerSecond = 200_000,
            Chunks = new Recorder.Api.Queries.ChunkOptions { MaxPackets = 100, MaxDelay = TimeSpan.FromMilliseconds(100) },
        };
        await using (var first = await KestrelService.StartAsync(slow))
        {
            using var alice = first.As(store.Tokens["alice"]);
            id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));
            await alice.WaitAsync(id, s => s["chunks"]!.AsArray().Count >= 2);
        }

        // Stopped cleanly mid-query: the job went back to the queue; its output is incomplete.
        Assert.Contains(LedgerFile.ForQuery(store.StorePath, id), e => e["action"]!.GetValue<string>() == "query.chunk-written");
        await using (var second = await KestrelService.StartAsync(store.Options(workers: 1)))
        {
            using var alice = second.As(store.Tokens["alice"]);
            var done = await alice.WaitSettledAsync(id);
            Assert.Equal("succeeded", done["state"]!.GetValue<string>());
            Assert.Equal(2, done["attempt"]!.GetValue<int>());
            Assert.Equal(expected.Sha256, done["result"]!["sha256"]!.GetValue<string>());
            Assert.Equal(1, done["chunks"]!.AsArray()[0]!["number"]!.GetValue<int>());
        }

        var entries = LedgerFile.ForQuery(store.StorePath, id);
        var actions = entries.Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal(2, actions.Count(a => a == "query.started"));
        var restarted = Assert.Single(entries, e => e["action"]!.GetValue<string>() == "query.restarted");
        Assert.True(restarted["details"]!["discardedChunks"]!.AsArray().Count >= 2);
        Assert.Equal(1, actions.Count(a => a == "extraction.written"));
        Assert.Contains("verified", store.Run("verify"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A service killed with SIGKILL mid-query leaves its job fetched by a worker that no longer
    /// exists. The next service on the store (SQLite: one service per store) hands it back to the
    /// queue at once instead of waiting out the 5-minute invisibility timeout.
    /// </summary>
    [Fact]
    public async Task RunningQuery_OfAKilledService_IsResumedAtTheNextStart_WithoutWaitingForTheInvisibilityTimeout()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var expected = store.Expected(elephant.Server, elephant.ServerPort);
        string id;
        await using (var first = await ServeProcess.StartAsync(store, workers: 1, extra: ["--extraction-rate", "200000", "--chunk-packets", "100", "--chunk-ms", "100"]))
        {
            using var alice = first.As(store.Tokens["alice"]);
            id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));
            await alice.WaitAsync(id, s => s["chunks"]!.AsArray().Count >= 2);
            await first.KillAsync();
        }

        Assert.DoesNotContain(LedgerFile.ForQuery(store.StorePath, id), e => e["action"]!.GetValue<string>() == "extraction.written");
        await using (var second = await ServeProcess.StartAsync(store, workers: 1))
        {
            using var alice = second.As(store.Tokens["alice"]);
            var done = await alice.WaitSettledAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal("succeeded", done["state"]!.GetValue<string>());
            Assert.Equal(2, done["attempt"]!.GetValue<int>());
            Assert.Equal(expected.Sha256, done["result"]!["sha256"]!.GetValue<string>());
        }

        var entries = LedgerFile.ForQuery(store.StorePath, id);
        var actions = entries.Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal(2, actions.Count(a => a == "query.started"));
        Assert.Single(entries, e => e["action"]!.GetValue<string>() == "query.restarted");
        Assert.Equal(1, actions.Count(a => a == "extraction.written"));
        var recovered = Assert.Single(LedgerFile.Entries(store.StorePath), e => e["action"]!.GetValue<string>() == "service.recovered");
        var job = Assert.Single(recovered["details"]!["requeuedJobs"]!.AsArray());
        Assert.Equal(id, job!["id"]!.GetValue<string>());
        Assert.Equal("query", job["kind"]!.GetValue<string>());
        Assert.Contains("verified", store.Run("verify"), StringComparison.Ordinal);
    }
}
