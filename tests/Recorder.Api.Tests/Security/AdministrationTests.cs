using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>Administrators manage users and capture through the API; every change is ledgered under them.</summary>
public sealed class AdministrationTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task Admin_AddsAUserWhoseTokenWorks_ThenRevokesIt()
    {
        using var ada = service.As("ada");
        using var added = await ada.PostJsonAsync("/api/users", "{\"name\":\"nina\",\"role\":\"auditor\"}");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var token = JsonNode.Parse(await added.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        using (var nina = service.Factory.As(token))
        {
            Assert.Equal(HttpStatusCode.OK, (await nina.GetAsync("/api/ledger")).StatusCode);
        }

        using (var again = await ada.PostJsonAsync("/api/users", "{\"name\":\"nina\",\"role\":\"legal\"}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var revoked = await ada.Http.DeleteAsync("/api/users/nina"))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        using (var nina = service.Factory.As(token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await nina.GetAsync("/api/ledger")).StatusCode);
        }

        var entries = LedgerFile.Entries(service.Store.StorePath);
        var addedEntry = Assert.Single(entries, e => e["action"]!.GetValue<string>() == "user.added" && e["subjects"]!["user"]!.GetValue<string>() == "nina");
        Assert.Equal("ada", addedEntry["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("service-user", addedEntry["actor"]!["kind"]!.GetValue<string>());
        Assert.DoesNotContain(token, addedEntry.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(entries, e => e["action"]!.GetValue<string>() == "user.revoked" && e["actor"]!["name"]!.GetValue<string>() == "ada");
    }

    [Theory]
    [InlineData("{\"name\":\"Nina!\",\"role\":\"auditor\"}", "name")]
    [InlineData("{\"name\":\"nora\",\"role\":\"root\"}", "role")]
    [InlineData("{\"name\":\"nora\",\"role\":\"auditor\",\"token\":\"mine\"}", "token")]
    public async Task AddUser_WithBadFields_Is400NamingTheField(string body, string field)
    {
        using var ada = service.As("ada");
        using var response = await ada.PostJsonAsync("/api/users", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task CaptureStart_OnAnUnknownInterface_Is400NamingIt_AndStopWithoutCapture_Is409()
    {
        Skip.IfNot(Recorder.Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
        using var ada = service.As("ada");
        using var start = await ada.PostJsonAsync("/api/capture/start", "{\"interface\":\"no-such-if0\"}");
        Assert.Equal(HttpStatusCode.BadRequest, start.StatusCode);
        var problem = JsonNode.Parse(await start.Content.ReadAsStringAsync())!;
        Assert.Equal("interface", problem["field"]!.GetValue<string>());
        Assert.Contains("no-such-if0", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var stop = await ada.PostJsonAsync("/api/capture/stop", "{}");
        Assert.Equal(HttpStatusCode.Conflict, stop.StatusCode);
        var requested = LedgerFile.Entries(service.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "capture.start-requested");
        Assert.Equal("ada", requested["actor"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Config_ShowsThePoliciesInForce_AndNoSecrets()
    {
        using var ada = service.As("ada");
        var config = await ada.GetJsonAsync("/api/config");
        Assert.Equal(64, config["policies"]!["rolesSha256"]!.GetValue<string>().Length);
        Assert.True(config["policies"]!["roles"]!.AsObject().ContainsKey("investigator"));
        Assert.StartsWith("sqlite ", config["jobs"]!["storage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("tokenSha256", config.ToJsonString(), StringComparison.Ordinal);
    }
}
