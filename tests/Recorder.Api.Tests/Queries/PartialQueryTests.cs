using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.Synthesis;

namespace Recorder.Api.Tests.Queries;

/// <summary>
/// A query that cannot read every sealed segment it may need never ends as a complete success: it
/// fails naming the segments, or (allowPartial) succeeds with the result marked partial and the list.
/// </summary>
public sealed class PartialQueryTests
{
    [Fact]
    public async Task Query_WhenASegmentsManifestIsGarbage_FailsNamingIt_OrWithAllowPartialSucceedsMarkedPartial()
    {
        using var store = ServiceTestStore.Create(packets: 3000);
        var second = store.Directory.File("second.pcap");
        TrafficSynthesizer.Write(second, new SynthesisOptions { TargetPackets = 2000, Seed = 8 });
        store.Run("import", second);
        File.WriteAllText(Path.Combine(store.StorePath, "segments", "000000", "000000000001.manifest.json"), "garbage");
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);

        var refusedId = await alice.SubmitAsync(Everything(store, allowPartial: null));
        var refused = await alice.WaitSettledAsync(refusedId);

        Assert.Equal("failed", refused["state"]!.GetValue<string>());
        Assert.Contains("segment 1: manifest segments/000000/000000000001.manifest.json is damaged", refused["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, refused["result"]!["packets"]!.GetValue<long>());
        var failed = Assert.Single(LedgerFile.ForQuery(store.StorePath, refusedId), e => e["action"]!.GetValue<string>() == "query.failed");
        Assert.Equal(1, failed["details"]!["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        Assert.DoesNotContain(LedgerFile.ForQuery(store.StorePath, refusedId), e => e["action"]!.GetValue<string>() == "extraction.written");

        var allowedId = await alice.SubmitAsync(Everything(store, allowPartial: true));
        var allowed = await alice.WaitSettledAsync(allowedId);

        Assert.Equal("succeeded", allowed["state"]!.GetValue<string>());
        var result = allowed["result"]!;
        Assert.True(result["partial"]!.GetValue<bool>());
        Assert.Equal(1, result["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        Assert.True(result["packets"]!.GetValue<long>() > 0);
        var written = Assert.Single(LedgerFile.ForQuery(store.StorePath, allowedId), e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.True(written["details"]!["partial"]!.GetValue<bool>());
        Assert.Equal(1, written["details"]!["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        var submitted = Assert.Single(LedgerFile.ForQuery(store.StorePath, allowedId), e => e["action"]!.GetValue<string>() == "query.submitted");
        Assert.True(submitted["details"]!["allowPartial"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Submit_AllowPartialThatIsNotABoolean_Is400NamingTheField()
    {
        using var store = ServiceTestStore.Create(packets: 1000);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        var body = Everything(store, allowPartial: null);
        body["allowPartial"] = "yes";

        using var response = await alice.PostJsonAsync("/api/queries", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains("allowPartial", text, StringComparison.Ordinal);
    }

    private static JsonObject Everything(ServiceTestStore store, bool? allowPartial)
    {
        var body = new JsonObject
        {
            ["case"] = "CASE-PARTIAL",
            ["reason"] = "everything in the window, to check completeness",
            ["filter"] = new JsonObject { ["from"] = store.Window.From, ["to"] = store.Window.To },
        };
        if (allowPartial is { } allow)
        {
            body["allowPartial"] = allow;
        }

        return body;
    }
}
