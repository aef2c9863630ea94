using System.Net;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>Requests that read or change evidence are ledger entries under the authenticated user.</summary>
public sealed class AuditTests(SharedService service) : IClassFixture<SharedService>
{
    [Theory]
    [InlineData("alice", "pcap", "/pcap")]
    [InlineData("lena", "chunk", "/chunks/1")]
    [InlineData("lena", "artifact", "/artifacts/drop/deliveries.jsonl")]
    public async Task ReadingResults_IsLedgeredUnderTheReader(string user, string what, string suffix)
    {
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var client = service.As(user);
        using var response = await client.GetAsync($"/api/queries/{service.AliceQuery}{suffix}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _ = await response.Content.ReadAsByteArrayAsync();
        var read = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("result.read", read["action"]!.GetValue<string>());
        Assert.Equal(user, read["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("service-user", read["actor"]!["kind"]!.GetValue<string>());
        Assert.Equal(what, read["details"]!["what"]!.GetValue<string>());
        Assert.Equal(service.AliceQuery, read["subjects"]!["queryId"]!.GetValue<string>());
        Assert.Equal("CASE-42", read["case"]!.GetValue<string>());
    }

    [Fact]
    public async Task AQuery_IsLedgeredFromSubmissionToCheckpoint_UnderTheInvestigator()
    {
        var entries = LedgerFile.ForQuery(service.Store.StorePath, service.AliceQuery);
        var actions = entries.Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal("query.submitted", actions[0]);
        Assert.Equal("query.started", actions[1]);
        Assert.Contains("query.chunk-written", actions);
        Assert.Contains("extraction.written", actions);
        Assert.Contains("sink.completed", actions);
        Assert.True(actions.IndexOf("extraction.written") > actions.LastIndexOf("query.chunk-written"));
        Assert.All(entries.Where(e => e["action"]!.GetValue<string>() != "result.read"), e =>
        {
            Assert.Equal("alice", e["actor"]!["name"]!.GetValue<string>());
            Assert.Equal("CASE-42", e["case"]!.GetValue<string>());
            Assert.Equal("indicator from a test", e["reason"]!.GetValue<string>());
        });

        using var alice = service.As("alice");
        var status = await alice.GetJsonAsync("/api/queries/" + service.AliceQuery);
        var written = entries.Single(e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.Equal(status["result"]!["sha256"]!.GetValue<string>(), written["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(status["completedSeq"]!.GetValue<long>(), written["seq"]!.GetValue<long>());

        // The checkpoint taken after the extraction covers it, signed and time-stamped.
        Assert.True(status["checkpointSize"]!.GetValue<long>() > written["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task Verification_RunsAsAJob_AndIsLedgeredUnderTheAuditor()
    {
        using var ivan = service.As("ivan");
        using var started = await ivan.PostJsonAsync("/api/verify", "{}");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        var report = await WaitForVerification(ivan, location);
        Assert.Equal("succeeded", report["state"]!.GetValue<string>());
        Assert.True(report["passed"]!.GetValue<bool>(), report.ToJsonString());
        var completed = LedgerFile.Entries(service.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "verify.completed");
        Assert.Equal("ivan", completed["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(report["ledgerSeq"]!.GetValue<long>(), completed["seq"]!.GetValue<long>());
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> WaitForVerification(ApiClient client, string location)
    {
        for (var i = 0; i < 600; i++)
        {
            var run = await client.GetJsonAsync(location);
            if (run["state"]!.GetValue<string>() is "succeeded" or "failed")
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("verification did not finish");
    }
}
