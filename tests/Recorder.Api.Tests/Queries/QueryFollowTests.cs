using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Queries;

/// <summary>The endpoints behind the dashboard's query pages: check, options, events (SSE) and summary.</summary>
public sealed class QueryFollowTests
{
    [Fact]
    public async Task Events_StreamEachChange_EndWithTheSettledState_AndRefuseOthersQueries()
    {
        using var store = ServiceTestStore.Create(packets: 5_000);
        await using var service = await KestrelService.StartAsync(store.Options() with { ExtractionBytesPerSecond = 300_000 });
        using var alice = service.As(store.Tokens["alice"]);
        using var bob = service.As(store.Tokens["bob"]);
        using var lena = service.As(store.Tokens["lena"]);
        var needle = store.Truth.Needles.First(n => n.ServerPort > 0 && n.Server.Contains('.', StringComparison.Ordinal));
        var id = await alice.SubmitAsync(ApiClient.Query(needle.Server, needle.ServerPort, store.Window));

        using var response = await alice.Http.GetAsync($"/api/queries/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Where(lines => lines[0].StartsWith("event: ", StringComparison.Ordinal))
            .Select(lines => (Name: lines[0]["event: ".Length..], Data: JsonNode.Parse(lines[1]["data: ".Length..])!.AsObject()))
            .ToList();
        Assert.Equal("end", events[^1].Name);
        var states = events.Where(e => e.Name == "query").Select(e => e.Data["state"]!.GetValue<string>()).ToList();
        Assert.True(states.Count >= 2, string.Join(",", states));
        Assert.Equal("succeeded", states[^1]);
        var final = await alice.GetJsonAsync("/api/queries/" + id);
        Assert.Equal(final["result"]!["sha256"]!.GetValue<string>(), events.Last(e => e.Name == "query").Data["result"]!["sha256"]!.GetValue<string>());

        using var refused = await bob.GetAsync($"/api/queries/{id}/events");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var missing = await alice.GetAsync("/api/queries/q-doesnotexist/events");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var legal = await lena.Http.GetAsync($"/api/queries/{id}/events");
        Assert.Equal(HttpStatusCode.OK, legal.StatusCode);
    }

    [Fact]
    public async Task Check_NamesTheBpfField_AndSubmitsNothing()
    {
        using var store = ServiceTestStore.Create(packets: 2_000);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        var body = ApiClient.Query("192.0.2.1", 443, store.Window);
        body["filter"]!["bpf"] = "tcp and and port";
        var ledgerBefore = LedgerFile.Entries(store.StorePath).Count;

        using var bad = await alice.PostJsonAsync("/api/queries/check", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Contains(problem["errors"]!.AsArray(), e => e!["field"]!.GetValue<string>() == "filter.bpf");

        body["filter"]!["bpf"] = "tcp";
        using var good = await alice.PostJsonAsync("/api/queries/check", body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.True(JsonNode.Parse(await good.Content.ReadAsStringAsync())!["valid"]!.GetValue<bool>());

        Assert.Empty((await alice.GetJsonAsync("/api/queries"))["queries"]!.AsArray());
        Assert.Equal(ledgerBefore, LedgerFile.Entries(store.StorePath).Count);
        using var legal = service.As(store.Tokens["lena"]);
        using var refused = await legal.PostJsonAsync("/api/queries/check", body.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Summary_CountsTheResultsPackets_AndIsLedgeredAsARead()
    {
        using var store = ServiceTestStore.Create(packets: 3_000);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        var needle = store.Truth.Needles.First(n => n.ServerPort > 0 && n.Server.Contains('.', StringComparison.Ordinal));
        var id = await alice.SubmitAsync(ApiClient.Query(needle.Server, needle.ServerPort, store.Window));
        var status = await alice.WaitSettledAsync(id);
        var summary = await alice.GetJsonAsync($"/api/queries/{id}/summary");

        var packets = CaptureFiles.Read(store.Expected(needle.Server, needle.ServerPort).Path).Count;
        Assert.Equal(packets, summary["packets"]!.GetValue<long>());
        Assert.Equal(status["result"]!["sha256"]!.GetValue<string>(), summary["resultSha256"]!.GetValue<string>());
        Assert.Contains(summary["topTalkers"]!.AsArray(), t => t!["address"]!.GetValue<string>() == needle.Server && t["packets"]!.GetValue<long>() == packets);
        Assert.Contains(summary["ports"]!.AsArray(), p => p!["port"]!.GetValue<int>() == needle.ServerPort);
        Assert.Equal(packets, summary["perSecond"]!["packets"]!.AsArray().Sum(c => c!.GetValue<long>()));
        var read = LedgerFile.ForQuery(store.StorePath, id).Last(e => e["action"]!.GetValue<string>() == "result.read");
        Assert.Equal("summary", read["details"]!["what"]!.GetValue<string>());
        Assert.Equal(status["result"]!["sha256"]!.GetValue<string>(), read["hashes"]!["result"]!.GetValue<string>());

        using var bob = service.As(store.Tokens["bob"]);
        using var refused = await bob.GetAsync($"/api/queries/{id}/summary");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
