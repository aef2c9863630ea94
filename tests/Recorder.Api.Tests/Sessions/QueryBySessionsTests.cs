using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Queries;
using Recorder.Api.Tests.Support;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Sessions;

/// <summary>
/// Queries by <c>filter.sessions</c> and <c>filter.sessionsOf</c>: resolved when submitted, ledgered
/// like <c>recorder query --session/--sessions-of</c>, and extracting exactly the sessions' packets.
/// </summary>
public sealed class QueryBySessionsTests(SessionsService service) : IClassFixture<SessionsService>
{
    [Fact]
    public async Task QueryBySession_ExtractsExactlyThatSessionsPackets_AsTheCliDoes()
    {
        var (reference, record) = await NeedleSessionAsync();
        using var alice = service.As("alice");
        var id = await alice.SubmitAsync(new JsonObject
        {
            ["case"] = "CASE-9",
            ["reason"] = "the beacon's session",
            ["filter"] = new JsonObject { ["sessions"] = new JsonArray(reference) },
        });
        var done = await alice.WaitSettledAsync(id);
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());

        var expected = service.Store.Directory.File($"session-{Guid.NewGuid():N}.pcap");
        service.Store.Run("query", "--session", reference, "--out", expected, "--case", "CASE-9", "--reason", "oracle");
        var packets = CaptureFiles.Read(expected);
        Assert.Equal(record["clientPackets"]!.GetValue<long>() + record["serverPackets"]!.GetValue<long>(), packets.Count);
        Assert.Equal(packets.Count, done["result"]!["packets"]!.GetValue<long>());
        using var pcap = await alice.Http.GetAsync($"/api/queries/{id}/pcap");
        var bytes = await pcap.Content.ReadAsByteArrayAsync();
        Assert.Equal(CaptureFiles.Sha256(expected), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        Assert.Equal(CaptureFiles.Sha256(expected), done["result"]!["sha256"]!.GetValue<string>());

        // The record keeps the conversation, and the submission's ledger entry names it.
        Assert.Equal(reference, done["filter"]!["sessions"]![0]!.GetValue<string>());
        Assert.Equal(reference, done["filter"]!["conversations"]![0]!["session"]!.GetValue<string>());
        var submitted = LedgerFile.ForQuery(service.Store.StorePath, id).Single(e => e["action"]!.GetValue<string>() == "query.submitted");
        Assert.Equal(reference, submitted["details"]!["filter"]!["conversations"]![0]!["session"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueryBySessionsOf_LedgersTheSearch_AndExtractsWhatTheClisSessionsOfExtracts()
    {
        var needle = service.Needle;
        var port = needle.ServerPort.ToString(CultureInfo.InvariantCulture);
        using var alice = service.As("alice");
        var searchesBefore = service.Searches().Count;
        var id = await alice.SubmitAsync(new JsonObject
        {
            ["case"] = "CASE-10",
            ["reason"] = "every session to the beacon",
            ["filter"] = new JsonObject { ["sessionsOf"] = new JsonObject { ["host"] = needle.Server, ["port"] = port } },
        });
        var done = await alice.WaitSettledAsync(id);
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        var searches = service.Searches();
        Assert.Equal(searchesBefore + 1, searches.Count);
        var search = searches[^1];
        Assert.Equal("CASE-10", search["case"]!.GetValue<string>());
        Assert.Equal("alice", search["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(search["subjects"]!["searchId"]!.GetValue<string>(), done["filter"]!["sessionSearch"]!["searchId"]!.GetValue<string>());
        Assert.Equal(search["hashes"]!["answer"]!.GetValue<string>(), done["filter"]!["sessionSearch"]!["answerSha256"]!.GetValue<string>());

        var expected = service.Store.Directory.File($"sessions-of-{Guid.NewGuid():N}.pcap");
        service.Store.Run("query", "--sessions-of", "host=" + needle.Server, "--sessions-of", "port=" + port, "--out", expected, "--case", "CASE-10", "--reason", "oracle");
        Assert.Equal(CaptureFiles.Sha256(expected), done["result"]!["sha256"]!.GetValue<string>());
        Assert.True(done["result"]!["packets"]!.GetValue<long>() > 0);
        Assert.True(JsonNode.DeepEquals(search["details"]!["filter"], service.Searches()[^1]["details"]!["filter"]), "the CLI's search recorded another filter");
    }

    public static TheoryData<string, string, string> RefusedFilters() => new()
    {
        { """{"sessionsOf":{"sni":"*.nowhere.invalid"}}""", "filter.sessionsOf", "no session matched" },
        { """{"sessionsOf":{}}""", "filter.sessionsOf", "at least one" },
        { """{"sessionsOf":{"ja3":"nothex"}}""", "filter.sessionsOf.ja3", "JA3" },
        { """{"sessions":["999:0"]}""", "filter.sessions", "no session metadata" },
        { """{"sessions":["1:999999"]}""", "filter.sessions", "no session 999999" },
        { """{"sessions":["one"]}""", "filter.sessions[0]", "SEGMENT:ID" },
        { """{"sessions":[]}""", "filter.sessions", "names no session" },
        { """{"sessions":["1:0"],"hosts":["10.0.0.1"]}""", "filter.sessions", "cannot be combined" },
    };

    [Theory]
    [MemberData(nameof(RefusedFilters))]
    public async Task QueryBySessions_ThatNamesNoPackets_Is400NamingTheField_AndLedgeredAsRefused(string filter, string field, string mentioned)
    {
        var queriesBefore = Directory.Exists(Extractions) ? Directory.GetDirectories(Extractions).Length : 0;
        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/queries", $$"""{"case":"CASE-11","reason":"r","filter":{{filter}}}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var errors = JsonNode.Parse(text)!["errors"]!.AsArray();
        Assert.True(errors.Any(e => e!["field"]!.GetValue<string>() == field && e["message"]!.GetValue<string>().Contains(mentioned, StringComparison.OrdinalIgnoreCase)), text);
        Assert.Equal(queriesBefore, Directory.Exists(Extractions) ? Directory.GetDirectories(Extractions).Length : 0);
        Assert.Equal("query.refused", LedgerFile.Entries(service.Store.StorePath)[^1]["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueryBySessionsOf_WhenASegmentHasNoMetadata_IsRefused()
    {
        var metadata = Directory.GetFiles(Path.Combine(service.Store.StorePath, "segments"), "*.sessions.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".sessions.jsonl", StringComparison.Ordinal) || f.EndsWith(".sessions.jsonl.zst", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(metadata);
        var moved = metadata[0] + ".away";
        File.Move(metadata[0], moved);
        try
        {
            using var alice = service.As("alice");
            using var response = await alice.PostJsonAsync("/api/queries", """{"case":"CASE-12","reason":"r","filter":{"sessionsOf":{"app":"tls"}}}""");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.Contains("no session metadata", text, StringComparison.Ordinal);
            Assert.Equal("filter.sessionsOf", JsonNode.Parse(text)!["field"]!.GetValue<string>());
        }
        finally
        {
            File.Move(moved, metadata[0]);
        }
    }

    [Fact]
    public void StoredConversation_RoundTripsToTheSameConversation()
    {
        var v4 = new ConversationWindow(new FlowKey(NetworkKind.IPv4, 6, true, IpAddress128.From(IPAddress.Parse("10.1.2.3")), 443,
            IpAddress128.From(IPAddress.Parse("192.0.2.9")), 51515), 1_700_000_000_123_456_789, 1_700_000_001_000_000_001, "1:7");
        var v6 = new ConversationWindow(new FlowKey(NetworkKind.IPv6, 58, false, IpAddress128.From(IPAddress.Parse("2001:db8::1")), 0,
            IpAddress128.From(IPAddress.Parse("2001:db8::2")), 0), 5, 5, "3:0");
        foreach (var window in new[] { v4, v6 })
        {
            var stored = QueryConversation.From(window);
            var json = System.Text.Json.JsonSerializer.Serialize(stored, QueryRepository.Json);
            var back = System.Text.Json.JsonSerializer.Deserialize<QueryConversation>(json, QueryRepository.Json)!;
            Assert.Equal(window, back.ToWindow());
        }

        Assert.Throws<FormatException>(() => (QueryConversation.From(v4) with { BPort = null }).ToWindow());
        Assert.Throws<FormatException>(() => (QueryConversation.From(v4) with { A = "10.0.0.300" }).ToWindow());
    }

    private string Extractions => Path.Combine(service.Store.StorePath, "extractions");

    /// <summary>The needle's session as the API's search finds it: its <c>SEGMENT:ID</c> and record.</summary>
    private async Task<(string Reference, JsonObject Record)> NeedleSessionAsync()
    {
        var needle = service.Needle;
        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/sessions/search", new JsonObject
        {
            ["case"] = "CASE-9",
            ["reason"] = "find the beacon",
            ["filter"] = new JsonObject { ["host"] = needle.Server, ["port"] = needle.ServerPort, ["proto"] = "tcp" },
        }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var record = JsonNode.Parse(text)!["results"]!.AsArray()
            .First(r => r!["client"]!.GetValue<string>() == needle.Client && r["clientPort"]!.GetValue<int>() == needle.ClientPort)!.AsObject();
        return ($"{record["segmentId"]}:{record["id"]}", record);
    }
}
