using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>Each role against endpoints it may and may not use; every refusal naming a user is ledgered.</summary>
public sealed class RoleTests(SharedService service) : IClassFixture<SharedService>
{
    public static TheoryData<string, string, string, HttpStatusCode> Matrix() => new()
    {
        // investigators: queries and their own results, and segment metadata (never packets); nothing else
        { "alice", "GET", "/api/queries/{alice}/pcap", HttpStatusCode.OK },
        { "alice", "GET", "/api/queries/{alice}/chunks/1", HttpStatusCode.OK },
        { "alice", "GET", "/api/ledger", HttpStatusCode.Forbidden },
        { "alice", "GET", "/api/segments", HttpStatusCode.OK },
        { "alice", "GET", "/api/traffic", HttpStatusCode.OK },
        { "alice", "POST", "/api/verify", HttpStatusCode.Forbidden },
        { "alice", "GET", "/api/users", HttpStatusCode.Forbidden },
        { "alice", "GET", "/hangfire", HttpStatusCode.Forbidden },
        { "alice", "POST", "/api/capture/start", HttpStatusCode.Forbidden },
        { "bob", "GET", "/api/queries/{alice}", HttpStatusCode.Forbidden },
        { "bob", "GET", "/api/queries/{alice}/pcap", HttpStatusCode.Forbidden },
        { "bob", "DELETE", "/api/queries/{alice}", HttpStatusCode.Forbidden },

        // legal: every result, the ledger; no submissions, no administration
        { "lena", "GET", "/api/queries/{alice}/pcap", HttpStatusCode.OK },
        { "lena", "GET", "/api/queries/{alice}/artifacts/drop/deliveries.jsonl", HttpStatusCode.OK },
        { "lena", "GET", "/api/ledger", HttpStatusCode.OK },
        { "lena", "POST", "/api/queries", HttpStatusCode.Forbidden },
        { "lena", "GET", "/api/users", HttpStatusCode.Forbidden },

        // auditors: ledger, proofs, verification, segment metadata, who queried what; never packets
        { "ivan", "GET", "/api/ledger", HttpStatusCode.OK },
        { "ivan", "GET", "/api/ledger/proof/1", HttpStatusCode.OK },
        { "ivan", "GET", "/api/ledger/checkpoints/latest", HttpStatusCode.OK },
        { "ivan", "GET", "/api/segments", HttpStatusCode.OK },
        { "ivan", "GET", "/api/queries/{alice}", HttpStatusCode.OK },
        { "ivan", "GET", "/api/queries/{alice}/pcap", HttpStatusCode.Forbidden },
        { "ivan", "GET", "/api/queries/{alice}/chunks/1", HttpStatusCode.Forbidden },
        { "ivan", "GET", "/api/queries/{alice}/artifacts/drop/deliveries.jsonl", HttpStatusCode.Forbidden },
        { "ivan", "POST", "/api/queries", HttpStatusCode.Forbidden },

        // administrators: users, configuration, dashboard; no packets, no submissions
        { "ada", "GET", "/api/users", HttpStatusCode.OK },
        { "ada", "GET", "/api/config", HttpStatusCode.OK },
        { "ada", "GET", "/hangfire", HttpStatusCode.OK },
        { "ada", "GET", "/api/capture", HttpStatusCode.OK },
        { "ada", "GET", "/api/queries/{alice}/pcap", HttpStatusCode.Forbidden },
        { "ada", "POST", "/api/queries", HttpStatusCode.Forbidden },
        { "ada", "GET", "/api/ledger", HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Request_ByRole_IsAllowedOrRefusedAsThePolicySays(string user, string method, string path, HttpStatusCode expected)
    {
        var url = path.Replace("{alice}", service.AliceQuery, StringComparison.Ordinal);
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var client = service.As(user);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        using var response = await client.Http.SendAsync(request);
        Assert.True(expected == response.StatusCode, $"{user} {method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var added = LedgerFile.Entries(service.Store.StorePath).Skip(before).ToList();
        var refusals = added.Where(e => e["action"]!.GetValue<string>() == "request.refused").ToList();
        if (expected == HttpStatusCode.Forbidden)
        {
            var refusal = Assert.Single(refusals);
            Assert.Equal(user, refusal["actor"]!["name"]!.GetValue<string>());
            Assert.Equal("service-user", refusal["actor"]!["kind"]!.GetValue<string>());
            Assert.Equal(url, refusal["details"]!["path"]!.GetValue<string>());
            Assert.Equal(403, refusal["details"]!["status"]!.GetValue<int>());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            Assert.Empty(refusals);
        }
    }

    [Fact]
    public async Task Refusal_OfAnApiAddressABrowserNavigatesTo_IsAPageNamingThePermission_AndStillLedgered()
    {
        // Typed into the address bar (Fetch Metadata says a document is being loaded): Firefox shows a
        // network error instead of an application/problem+json body with an error status, so the
        // refusal must be a page; API clients, which send no such headers, keep the problem document.
        var url = $"/api/queries/{service.AliceQuery}/pcap";
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var ivan = service.As("ivan");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Dest", "document");
        using var response = await ivan.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("lacks the permission <code>results.read.own or results.read.all</code>", html, StringComparison.Ordinal);
        var refusal = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("ivan", refusal["actor"]!["name"]!.GetValue<string>());

        using var api = await ivan.GetAsync(url);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RevokedToken_IsRefusedWith401_AndLedgeredUnderItsUser()
    {
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var rex = service.As("rex");
        using var response = await rex.GetAsync("/api/queries");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var refusal = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("rex", refusal["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(401, refusal["details"]!["status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("rec_not-a-token-anyone-was-given")]
    public async Task MissingOrUnknownToken_Is401_AndNamesNoOne(string? token)
    {
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var client = service.Factory.As(token);
        using var response = await client.GetAsync("/api/queries/" + service.AliceQuery + "/pcap");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(401, problem["status"]!.GetValue<int>());
        Assert.Equal(before, LedgerFile.Entries(service.Store.StorePath).Count);
    }

    [Fact]
    public async Task Health_AndTheOpenApiDocument_AnswerWithoutAToken()
    {
        using var anonymous = service.Factory.As(null);
        using var health = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var openApiAnonymous = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApiAnonymous.StatusCode);

        using var ivan = service.As("ivan");
        var document = await ivan.GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/api/queries", "/api/queries/{id}", "/api/queries/{id}/pcap", "/api/queries/{id}/chunks", "/api/ledger", "/api/verify", "/api/segments" })
        {
            Assert.True(paths.ContainsKey(path), "the OpenAPI document lacks " + path);
        }

        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueryList_ShowsAnInvestigatorOnlyTheirOwn_AndLegalEveryone()
    {
        using var bob = service.As("bob");
        var bobs = await bob.GetJsonAsync("/api/queries");
        Assert.DoesNotContain(bobs["queries"]!.AsArray(), q => q!["id"]!.GetValue<string>() == service.AliceQuery);

        using var lena = service.As("lena");
        var all = await lena.GetJsonAsync("/api/queries?case=CASE-42");
        Assert.Contains(all["queries"]!.AsArray(), q => q!["id"]!.GetValue<string>() == service.AliceQuery);
        var none = await lena.GetJsonAsync("/api/queries?case=OTHER-CASE");
        Assert.Empty(none["queries"]!.AsArray());
    }
}
