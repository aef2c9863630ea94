using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Queries;

/// <summary>Bad input gets an RFC 9457 problem document naming the field; nothing reaches a path unchecked.</summary>
public sealed class BadInputTests(SharedService service) : IClassFixture<SharedService>
{
    private const string Window = "\"from\":\"2023-11-14T00:00:00Z\",\"to\":\"2023-11-15T00:00:00Z\"";

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "{\"case\":\"C\",\"reason\":\"r\",", "(body)", "not valid JSON" },
        { "[1,2,3]", "(body)", "must be a JSON object" },
        { "{\"reason\":\"r\",\"filter\":{" + Window + "}}", "case", "required" },
        { "{\"case\":\"C\",\"filter\":{" + Window + "}}", "reason", "required" },
        { "{\"case\":\"  \",\"reason\":\"r\",\"filter\":{" + Window + "}}", "case", "must not be empty" },
        { "{\"case\":7,\"reason\":\"r\",\"filter\":{" + Window + "}}", "case", "must be a string" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"hosts\":[\"10.0.0.1\",\"10.0.0.300\"]," + Window + "}}", "filter.hosts[1]", "10.0.0.300" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"hosts\":[\"10.0.0.0/33\"]," + Window + "}}", "filter.hosts[0]", "33" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"ports\":[443,70000]," + Window + "}}", "filter.ports[1]", "70000" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"proto\":\"tcpx\"," + Window + "}}", "filter.proto", "tcpx" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"protocols\":[\"tcpx\"]," + Window + "}}", "filter.protocols", "tcpx" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"from\":\"2023-11-15T00:00:00Z\",\"to\":\"2023-11-14T00:00:00Z\"}}", "filter.from", "window is empty" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"from\":\"soon\",\"to\":\"2023-11-14T00:00:00Z\"}}", "filter.from", "not an RFC 3339 time" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"bpf\":\"host and and port\"," + Window + "}}", "filter.bpf", "syntax" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"hostz\":[\"10.0.0.1\"]," + Window + "}}", "filter.hostz", "unknown field" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{" + Window + "},\"sinks\":[\"drop\",\"no-such-sink\"]}", "sinks[1]", "no-such-sink" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{" + Window + "},\"sinks\":\"drop\"}", "sinks", "array" },
        { "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{" + Window + "},\"output\":\"/etc/passwd\"}", "output", "unknown field" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Submit_WithBadInput_Is400NamingTheField(string body, string field, string mentioned)
    {
        var before = Directory.Exists(Extractions) ? Directory.GetDirectories(Extractions).Length : 0;
        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/queries", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.StartsWith("urn:recorder:problem:", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        var errors = problem["errors"]!.AsArray();
        Assert.True(errors.Any(e => e!["field"]!.GetValue<string>() == field && e["message"]!.GetValue<string>().Contains(mentioned, StringComparison.OrdinalIgnoreCase)), text);
        Assert.Equal(before, Directory.Exists(Extractions) ? Directory.GetDirectories(Extractions).Length : 0);
        var refused = LedgerFile.Entries(service.Store.StorePath).Last();
        Assert.Equal("query.refused", refused["action"]!.GetValue<string>());
        Assert.Equal("alice", refused["actor"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_WithAnOversizedBody_Is413()
    {
        using var alice = service.As("alice");
        var body = "{\"case\":\"C\",\"reason\":\"" + new string('x', 100_000) + "\"}";
        using var response = await alice.PostJsonAsync("/api/queries", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Submit_AsChunkedBodyOverTheLimit_Is413()
    {
        using var alice = service.As("alice");
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"case\":\"" + new string('y', 70_000) + "\"}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/queries") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await alice.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Submit_WiderThanTheInvestigatorsWindow_IsRefusedWith403NamingTheLimit()
    {
        using var alice = service.As("alice");
        using var wide = await alice.PostJsonAsync("/api/queries",
            "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"from\":\"2023-01-01T00:00:00Z\",\"to\":\"2023-12-31T00:00:00Z\"}}");
        Assert.Equal(HttpStatusCode.Forbidden, wide.StatusCode);
        var problem = JsonNode.Parse(await wide.Content.ReadAsStringAsync())!;
        Assert.Equal("filter.to", problem["field"]!.GetValue<string>());
        Assert.Contains("30 day", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var unbounded = await alice.PostJsonAsync("/api/queries", "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"hosts\":[\"10.0.0.1\"]}}");
        Assert.Equal(HttpStatusCode.Forbidden, unbounded.StatusCode);
        Assert.Equal("filter.from", JsonNode.Parse(await unbounded.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
        var refusal = LedgerFile.Entries(service.Store.StorePath).Last();
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("alice", refusal["actor"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/queries/00000000-0000-0000-0000-000000000001")]
    [InlineData("/api/queries/00000000-0000-0000-0000-000000000001/pcap")]
    [InlineData("/api/queries/00000000-0000-0000-0000-000000000001/chunks")]
    [InlineData("/api/queries/not-a-guid")]
    [InlineData("/api/queries/..%2F..%2Fkeys/pcap")]
    [InlineData("/api/queries/{alice}/chunks/99")]
    [InlineData("/api/queries/{alice}/artifacts/..%2F..%2F..%2Fkeys%2Fsigning.key.pem")]
    [InlineData("/api/queries/{alice}/artifacts/drop/../../query.json")]
    [InlineData("/api/verify/00000000-0000-0000-0000-000000000001")]
    public async Task UnknownIds_Are404(string path)
    {
        using var client = service.As(path.StartsWith("/api/verify", StringComparison.Ordinal) ? "ivan" : "lena");
        using var response = await client.GetAsync(path.Replace("{alice}", service.AliceQuery, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CaseNumbers_NeverReachAPath()
    {
        using var alice = service.As("alice");
        var body = ApiClient.Query(service.Store.Needle.Server, service.Store.Needle.ServerPort, service.Store.Window);
        body["case"] = "../../../../tmp/escape";
        var id = await alice.SubmitAsync(body);
        await alice.WaitSettledAsync(id);
        Assert.True(Guid.TryParseExact(id, "D", out _));
        Assert.True(Directory.Exists(Path.Combine(Extractions, id)));
        Assert.False(Directory.Exists("/tmp/escape"));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(service.Store.StorePath, "*", SearchOption.AllDirectories), p => p.Contains("escape", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_OfAnEndedQuery_Is409()
    {
        using var alice = service.As("alice");
        using var response = await alice.Http.DeleteAsync("/api/queries/" + service.AliceQuery);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private string Extractions => Path.Combine(service.Store.StorePath, "extractions");
}
