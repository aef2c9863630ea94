using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Sessions;

/// <summary><c>POST /api/sessions/search</c>: the CLI's search, answer and ledger entry; bad input named; only the roles that may query.</summary>
public sealed class SessionSearchApiTests(SessionsService service) : IClassFixture<SessionsService>
{
    [Fact]
    public async Task Search_GivesTheClisAnswer_AndTheSameLedgerEntry()
    {
        var needle = service.Needle;
        var port = needle.ServerPort.ToString(CultureInfo.InvariantCulture);
        var cli = JsonNode.Parse(service.Store.Run("sessions", "--host", needle.Server, "--port", port, "--proto", "tcp", "--from", "2023-11-14T00:00:00Z",
            "--case", "CASE-9", "--reason", "same search twice", "--json"))!.AsObject();
        var cliEntry = service.Searches()[^1];

        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/sessions/search", new JsonObject
        {
            ["case"] = "CASE-9",
            ["reason"] = "same search twice",
            ["filter"] = new JsonObject { ["host"] = needle.Server, ["port"] = needle.ServerPort, ["proto"] = "tcp", ["from"] = "2023-11-14T00:00:00Z" },
        }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var api = JsonNode.Parse(text)!.AsObject();
        var apiEntry = service.Searches()[^1];

        Assert.True(cli["count"]!.GetValue<int>() >= 1, "the needle's session was not found");
        Assert.Contains(cli["results"]!.AsArray(), r => r!["server"]!.GetValue<string>() == needle.Server && r["serverPort"]!.GetValue<int>() == needle.ServerPort);
        foreach (var field in new[] { "count", "answerSha256", "segmentsScanned", "segmentsNotBuilt", "results", "case", "reason" })
        {
            Assert.True(JsonNode.DeepEquals(cli[field], api[field]), $"{field}: CLI {cli[field]?.ToJsonString()} API {api[field]?.ToJsonString()}");
        }

        // The port came as a JSON number: the filter records it as the CLI wrote it (text).
        Assert.True(JsonNode.DeepEquals(cli["filter"], api["filter"]), $"CLI {cli["filter"]!.ToJsonString()} API {api["filter"]!.ToJsonString()}");
        Assert.Equal(apiEntry["seq"]!.GetValue<long>(), api["ledgerSeq"]!.GetValue<long>());
        Assert.Equal(api["searchId"]!.GetValue<string>(), apiEntry["subjects"]!["searchId"]!.GetValue<string>());
        Assert.Equal(api["answerSha256"]!.GetValue<string>(), apiEntry["hashes"]!["answer"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(cliEntry["hashes"], apiEntry["hashes"]));
        Assert.True(JsonNode.DeepEquals(cliEntry["details"], apiEntry["details"]), $"CLI {cliEntry["details"]!.ToJsonString()} API {apiEntry["details"]!.ToJsonString()}");
        Assert.Equal(cliEntry["case"]!.GetValue<string>(), apiEntry["case"]!.GetValue<string>());
        Assert.Equal(cliEntry["reason"]!.GetValue<string>(), apiEntry["reason"]!.GetValue<string>());
        Assert.Equal("alice", apiEntry["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("service-user", apiEntry["actor"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_ThatFindsNothing_AnswersAnEmptyListWithTheEmptyStringsHash()
    {
        using var alice = service.As("alice");
        var answer = await SearchAsync(alice, new JsonObject { ["sni"] = "*.nowhere.invalid" });
        Assert.Equal(0, answer["count"]!.GetValue<int>());
        Assert.Empty(answer["results"]!.AsArray());
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", answer["answerSha256"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { """{"reason":"r","filter":{"app":"dns"}}""", "case", "required" },
        { """{"case":"C","filter":{"app":"dns"}}""", "reason", "required" },
        { """{"case":"C","reason":"r","filter":{"ja3":"abc"}}""", "filter.ja3", "JA3" },
        { """{"case":"C","reason":"r","filter":{"certSha256":"zz"}}""", "filter.certSha256", "SHA-256" },
        { """{"case":"C","reason":"r","filter":{"port":70000}}""", "filter.port", "70000" },
        { """{"case":"C","reason":"r","filter":{"port":true}}""", "filter.port", "string or a number" },
        { """{"case":"C","reason":"r","filter":{"hostHeader":" "}}""", "filter.hostHeader", "empty" },
        { """{"case":"C","reason":"r","filter":{"host":"10.0.0.300"}}""", "filter.host", "10.0.0.300" },
        { """{"case":"C","reason":"r","filter":{"proto":"tcpx"}}""", "filter.proto", "tcpx" },
        { """{"case":"C","reason":"r","filter":{"from":"2023-11-15T00:00:00Z","to":"2023-11-14T00:00:00Z"}}""", "filter.to", "empty" },
        { """{"case":"C","reason":"r","filter":{"from":"soon"}}""", "filter.from", "soon" },
        { """{"case":"C","reason":"r","filter":{"snii":"x"}}""", "filter.snii", "unknown field" },
        { """{"case":"C","reason":"r","filter":["x"]}""", "filter", "object" },
        { """{"case":"C","reason":"r","out":"/etc/passwd"}""", "out", "unknown field" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Search_WithBadInput_Is400NamingTheField_AndSearchesNothing(string body, string field, string mentioned)
    {
        var before = service.Searches().Count;
        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/sessions/search", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(text)!["errors"]!.AsArray();
        Assert.True(errors.Any(e => e!["field"]!.GetValue<string>() == field && e["message"]!.GetValue<string>().Contains(mentioned, StringComparison.OrdinalIgnoreCase)), text);
        Assert.Equal(before, service.Searches().Count);
    }

    [Theory]
    [InlineData("ivan", HttpStatusCode.Forbidden)]
    [InlineData("lena", HttpStatusCode.Forbidden)]
    [InlineData("ada", HttpStatusCode.Forbidden)]
    [InlineData("rex", HttpStatusCode.Unauthorized)]
    [InlineData("nobody", HttpStatusCode.Unauthorized)]
    public async Task Search_ByARoleThatMayNotQuery_IsRefused_AndSearchesNothing(string user, HttpStatusCode expected)
    {
        var before = service.Searches().Count;
        using var client = service.As(user);
        using var response = await client.PostJsonAsync("/api/sessions/search", """{"case":"C","reason":"r","filter":{"app":"dns"}}""");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(before, service.Searches().Count);
    }

    private static async Task<JsonObject> SearchAsync(ApiClient client, JsonObject filter)
    {
        using var response = await client.PostJsonAsync("/api/sessions/search",
            new JsonObject { ["case"] = "CASE-9", ["reason"] = "test", ["filter"] = filter }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
