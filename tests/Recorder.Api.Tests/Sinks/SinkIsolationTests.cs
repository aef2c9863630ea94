using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Recorder.Api.Queries;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Sinks;

/// <summary>
/// Sinks fed while the query runs; a failing, a hanging, a slow sink and an HTTP sink to a closed
/// port never fail, block or slow the query or the other sinks, and each failure is recorded.
/// </summary>
public sealed class SinkIsolationTests
{
    [SkippableFact]
    public async Task FailingHangingAndSlowSinks_NeitherFailNorBlockTheQueryOrTheOtherSinks()
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        await using var receiver = await ChunkReceiver.StartAsync();
        var closedPort = FreePort();
        using var drop = new TempDirectory("recorder-drop");
        var sinks = new JsonObject
        {
            ["tshark-conv"] = new JsonObject { ["type"] = "process", ["command"] = tshark, ["args"] = new JsonArray("-r", "-", "-q", "-z", "conv,ip"), ["timeoutSeconds"] = 60 },
            ["failing"] = new JsonObject { ["type"] = "process", ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", "head -c 100 >/dev/null; echo boom >&2; exit 3") },
            ["hanging"] = new JsonObject { ["type"] = "process", ["command"] = "/bin/sleep", ["args"] = new JsonArray("600"), ["timeoutSeconds"] = 3 },
            ["slow"] = new JsonObject
            {
                ["type"] = "process",
                ["command"] = "/bin/sh",
                ["args"] = new JsonArray("-c", "while dd bs=1024 count=1 of=/dev/null 2>/dev/null; do sleep 0.1; done"),
                ["timeoutSeconds"] = 2,
            },
            ["missing-program"] = new JsonObject { ["type"] = "process", ["command"] = "/nonexistent/analyzer" },
            ["closed-port"] = new JsonObject { ["type"] = "http", ["url"] = $"http://127.0.0.1:{closedPort}/chunks", ["retries"] = 1, ["timeoutSeconds"] = 2 },
            ["receiver"] = new JsonObject { ["type"] = "http", ["url"] = receiver.Url, ["headers"] = new JsonObject { ["Authorization"] = "Bearer sink-secret" } },
            ["drop"] = new JsonObject { ["type"] = "folder", ["directory"] = drop.Path },
        };
        using var store = ServiceTestStore.Create(packets: 20_000, sinks: sinks);
        var elephant = store.Truth.Elephant;
        var expected = store.Expected(elephant.Server, elephant.ServerPort);
        var options = store.Options() with
        {
            ExtractionBytesPerSecond = 1_500_000,
            Chunks = new ChunkOptions { MaxPackets = 500, MaxDelay = TimeSpan.FromMilliseconds(200) },
        };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        var names = sinks.Select(s => s.Key).ToArray();
        var id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window, names));

        // The query ends on its own time: the hanging sink is still running when it has succeeded.
        var ended = await alice.WaitAsync(id, s => s["state"]!.GetValue<string>() != "queued" && s["state"]!.GetValue<string>() != "running");
        Assert.Equal("succeeded", ended["state"]!.GetValue<string>());
        Assert.Equal("running", Sink(ended, "hanging")["state"]!.GetValue<string>());
        var finishedAt = DateTimeOffset.Parse(ended["finishedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected.Sha256, ended["result"]!["sha256"]!.GetValue<string>());

        var done = await alice.WaitSettledAsync(id, TimeSpan.FromSeconds(90));
        Assert.Equal(expected.Sha256, done["result"]!["sha256"]!.GetValue<string>());
        var chunks = done["chunks"]!.AsArray();

        // The good sinks got everything, and began before the query ended.
        var conversations = Sink(done, "tshark-conv");
        Assert.Equal("succeeded", conversations["state"]!.GetValue<string>());
        var stdout = await (await alice.GetAsync($"/api/queries/{id}/artifacts/tshark-conv/stdout")).Content.ReadAsStringAsync();
        Assert.Contains(elephant.Server, stdout, StringComparison.Ordinal);
        Assert.Contains(elephant.Client, stdout, StringComparison.Ordinal);

        Assert.Equal("succeeded", Sink(done, "receiver")["state"]!.GetValue<string>());
        var posted = receiver.Chunks.OrderBy(c => c.Number).ToList();
        Assert.Equal(chunks.Select(c => c!["sha256"]!.GetValue<string>()), posted.Select(c => c.Sha256));
        Assert.All(posted, c => Assert.Equal(c.Sha256, c.DeclaredSha256));
        Assert.All(posted, c => Assert.Equal("Bearer sink-secret", c.Authorization));
        Assert.True(receiver.Completed, "the receiver got the completion notice");
        Assert.True(posted[0].ArrivedAt < finishedAt, $"first chunk posted at {posted[0].ArrivedAt:O}, query ended at {finishedAt:O}");

        Assert.Equal("succeeded", Sink(done, "drop")["state"]!.GetValue<string>());
        var dropped = Directory.GetFiles(Path.Combine(drop.Path, id), "chunk-*").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(chunks.Select(c => c!["sha256"]!.GetValue<string>()), dropped.Select(CaptureFiles.Sha256));
        Assert.True(File.Exists(Path.Combine(drop.Path, id, "complete.json")));
        Assert.True(new FileInfo(dropped[0]).LastWriteTimeUtc < finishedAt.UtcDateTime, "the first chunk was dropped before the query ended");

        // The bad ones failed, each for its own reason, and nothing else.
        Assert.Contains("exited with code 3", Error(done, "failing"), StringComparison.Ordinal);
        Assert.Contains("did not finish within 3 s", Error(done, "hanging"), StringComparison.Ordinal);
        Assert.Contains("did not finish within 2 s", Error(done, "slow"), StringComparison.Ordinal);
        Assert.Contains("cannot start", Error(done, "missing-program"), StringComparison.Ordinal);
        Assert.Contains("chunk 1", Error(done, "closed-port"), StringComparison.Ordinal);

        // Every sink's outcome is in the ledger under the investigator, with its artifacts' hashes.
        var entries = LedgerFile.ForQuery(store.StorePath, id);
        foreach (var name in names)
        {
            var action = name is "tshark-conv" or "receiver" or "drop" ? "sink.completed" : "sink.failed";
            var entry = Assert.Single(entries, e => e["action"]!.GetValue<string>() == action && e["subjects"]!["sink"]!.GetValue<string>() == name);
            Assert.Equal("alice", entry["actor"]!["name"]!.GetValue<string>());
            foreach (var artifact in Sink(done, name)["artifacts"]!.AsArray())
            {
                var file = Path.Combine(store.StorePath, "extractions", id, "artifacts", artifact!["name"]!.GetValue<string>());
                Assert.Equal(CaptureFiles.Sha256(file), entry["hashes"]![artifact["name"]!.GetValue<string>()]!.GetValue<string>());
            }
        }

        var receiverEntry = entries.Single(e => e["subjects"]?["sink"]?.GetValue<string>() == "receiver");
        Assert.DoesNotContain("sink-secret", receiverEntry.ToJsonString(), StringComparison.Ordinal);
    }

    private static JsonNode Sink(JsonObject status, string name) =>
        status["sinks"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == name)!;

    private static string Error(JsonObject status, string name)
    {
        var sink = Sink(status, name);
        Assert.Equal("failed", sink["state"]!.GetValue<string>());
        return sink["error"]!.GetValue<string>();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An analysis tool's HTTP endpoint: keeps every chunk posted to it.</summary>
    private sealed class ChunkReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ChunkReceiver(WebApplication app) => _app = app;

        public string Url => _app.Urls.First() + "/chunks";

        public ConcurrentBag<Received> Chunks { get; } = [];

        public bool Completed { get; private set; }

        public static async Task<ChunkReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new ChunkReceiver(app);
            app.MapPost("/chunks", async (HttpContext http) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                if (http.Request.Headers["X-Recorder-Event"] == "complete")
                {
                    receiver.Completed = true;
                    return Results.Ok();
                }

                receiver.Chunks.Add(new Received(
                    int.Parse(http.Request.Headers["X-Recorder-Chunk"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                    Convert.ToHexStringLower(SHA256.HashData(body.ToArray())),
                    http.Request.Headers["X-Recorder-Chunk-Sha256"].ToString(),
                    http.Request.Headers.Authorization.ToString(),
                    TimeProvider.System.GetUtcNow()));
                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        public sealed record Received(int Number, string Sha256, string DeclaredSha256, string Authorization, DateTimeOffset ArrivedAt);
    }
}
