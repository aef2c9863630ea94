using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Hosting;

/// <summary>
/// Each hostile request of issue 10 §3 gets a 4xx RFC 9457 problem naming the field at fault,
/// never a 500 or an empty body; a refusal that names a user is ledgered.
/// </summary>
public sealed class HostileRequestTests(SharedService service) : IClassFixture<SharedService>
{
    private const string Window = "\"from\":\"2023-11-14T00:00:00Z\",\"to\":\"2023-11-15T00:00:00Z\"";

    public static TheoryData<string, string, int, string> HostileJsonBodies() => new()
    {
        { "duplicate key", "{\"case\":\"C-1\",\"case\":\"C-2\",\"reason\":\"r\",\"filter\":{" + Window + "}}", 400, "case" },
        { "duplicate nested key", "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"bpf\":\"udp\",\"bpf\":\"tcp\"," + Window + "}}", 400, "filter.bpf" },
        { "lone surrogate", "{\"case\":\"C\\ud800\",\"reason\":\"r\",\"filter\":{" + Window + "}}", 400, "case" },
        { "lone surrogate in a name", "{\"case\":\"C\",\"reason\":\"r\",\"\\udc00\":1,\"filter\":{" + Window + "}}", 400, "(name)" },
        { "NUL in the case", "{\"case\":\"C\\u0000-1\",\"reason\":\"r\",\"filter\":{" + Window + "}}", 400, "case" },
        { "bidi override in the reason", "{\"case\":\"C\",\"reason\":\"r \\u202Egnp.exe\",\"filter\":{" + Window + "}}", 400, "reason" },
        { "bidi isolate in the case", "{\"case\":\"C\\u2066-1\",\"reason\":\"r\",\"filter\":{" + Window + "}}", 400, "case" },
        { "NUL in the BPF", "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"bpf\":\"udp\\u0000 or tcp\"," + Window + "}}", 400, "filter.bpf" },
        { "window 1678 to 2262", "{\"case\":\"C\",\"reason\":\"r\",\"filter\":{\"from\":\"1678-01-01T00:00:00Z\",\"to\":\"2262-01-01T00:00:00Z\"}}", 403, "filter.to" },
    };

    [Theory]
    [MemberData(nameof(HostileJsonBodies))]
    public async Task Submit_HostileJson_IsAProblemNamingTheField_AndLedgered(string what, string body, int status, string field)
    {
        using var alice = service.As("alice");
        using var response = await alice.PostJsonAsync("/api/queries", body);

        var problem = await AssertProblemAsync(response, status, field, what);
        Assert.Equal("alice", LedgerFile.Entries(service.Store.StorePath).Last()["actor"]!["name"]!.GetValue<string>());
        Assert.NotNull(problem);
    }

    [Fact]
    public async Task Submit_InvalidUtf8_Is400NamingTheByte()
    {
        using var alice = service.As("alice");
        var bytes = Encoding.UTF8.GetBytes("{\"case\":\"C-\u00e9\",\"reason\":\"r\"}");
        bytes[12] = 0xFF; // the second byte of é: the broken sequence starts at its first byte, the 12th
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await alice.Http.PostAsync("/api/queries", content);

        var problem = await AssertProblemAsync(response, 400, "(body)", "invalid UTF-8");
        Assert.Contains("UTF-8 at byte 12", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_AsTextPlain_Is415NamingTheContentType_AndLedgered()
    {
        using var alice = service.As("alice");
        using var response = await alice.Http.PostAsync("/api/queries", new StringContent("{}", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, 415, "Content-Type", "text/plain");
        var refusal = LedgerFile.Entries(service.Store.StorePath).Last();
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal(415, refusal["details"]!["status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/api/queries?limit=abc", "limit")]
    [InlineData("/api/queries?limit=99999999999999999999", "limit")]
    public async Task NonNumericQueryParameter_Is400NamingIt_AndLedgered(string path, string field)
    {
        using var alice = service.As("alice");
        using var response = await alice.GetAsync(path);

        await AssertProblemAsync(response, 400, field, path);
        var refusal = LedgerFile.Entries(service.Store.StorePath).Last();
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("alice", refusal["actor"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task DashboardLogin_WithTwoThousandFields_Is400()
    {
        using var anonymous = service.As("nobody");
        var fields = Enumerable.Range(0, 2000).Select(i => new KeyValuePair<string, string>("f" + i, "x")).Append(new("token", "rec_x"));
        using var response = await anonymous.Http.PostAsync("/dashboard/login", new FormUrlEncodedContent(fields));

        await AssertProblemAsync(response, 400, "(form)", "2000 fields");
    }

    [Fact]
    public async Task DashboardLogin_WithABrokenMultipartBody_Is400()
    {
        using var anonymous = service.As("nobody");
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nrec_"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");
        using var response = await anonymous.Http.PostAsync("/dashboard/login", content);

        await AssertProblemAsync(response, 400, "Content-Type", "broken multipart");
    }

    [Fact]
    public async Task HangfireStats_WithoutAForm_Is415()
    {
        using var ada = service.As("ada");
        using var json = await ada.PostJsonAsync("/hangfire/stats", "{\"metrics\":[\"x\"]}");
        await AssertProblemAsync(json, 415, "Content-Type", "JSON to /hangfire/stats");

        using var get = await ada.GetAsync("/hangfire/stats");
        Assert.True((int)get.StatusCode is >= 400 and < 500, $"GET /hangfire/stats: {(int)get.StatusCode}");

        using var form = await ada.Http.PostAsync("/hangfire/stats", new FormUrlEncodedContent([new("metrics[]", "enqueued:count")]));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }

    [Theory]
    [InlineData("/hangfire/jobs/succeeded/requeue")]
    [InlineData("/hangfire/jobs/actions/requeue/1")]
    [InlineData("/hangfire/jobs/succeeded/delete")]
    [InlineData("/hangfire/recurring/trigger")]
    public async Task Dashboard_Commands_AreRefusedAndLedgered(string command)
    {
        using var ada = service.As("ada");
        var before = await ada.GetJsonAsync("/api/queries/" + service.AliceQuery);
        using var response = await ada.Http.PostAsync(command, new FormUrlEncodedContent([new("jobs[]", "1"), new("jobs[]", "2")]));

        var problem = await AssertProblemAsync(response, 403, null, command);
        Assert.Contains("read-only", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var refusal = LedgerFile.Entries(service.Store.StorePath).Last();
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("ada", refusal["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(command, refusal["details"]!["path"]!.GetValue<string>());
        var after = await ada.GetJsonAsync("/api/queries/" + service.AliceQuery);
        Assert.Equal(before["attempt"]?.ToJsonString(), after["attempt"]?.ToJsonString());
        Assert.Equal("succeeded", after["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dashboard_ShowsNoRequeueButton()
    {
        using var ada = service.As("ada");
        using var page = await ada.GetAsync("/hangfire/jobs/succeeded");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("data-url=\"/hangfire/jobs/succeeded/requeue\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sso.bob", "reserved")]
    [InlineData("Bob\u202E", "not a valid user name")]
    public async Task AddUser_WithAReservedOrUnsafeName_Is400NamingIt(string name, string mentioned)
    {
        using var ada = service.As("ada");
        using var response = await ada.PostJsonAsync("/api/users", new JsonObject { ["name"] = name, ["role"] = "investigator" }.ToJsonString());

        await AssertProblemAsync(response, 400, "name", mentioned);
        Assert.DoesNotContain(name, File.ReadAllText(Path.Combine(service.Store.StorePath, "service", "users.json")), StringComparison.Ordinal);
    }

    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> whose errors name <paramref name="field"/> (when given).</summary>
    internal static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, int status, string? field, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.StartsWith("urn:recorder:problem:", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.True(problem["errors"]?.AsArray().Any(e => e!["field"]!.GetValue<string>() == field) == true, $"{what}: no error names {field}: {text}");
        }

        return problem;
    }
}
