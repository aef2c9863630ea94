using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Packages;

/// <summary>The examiner a package names: the request's, else the building user's display name.</summary>
public sealed class ExaminerTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task Package_NamesTheBuildersDisplayName_AndTheOrganisationGiven()
    {
        using var ada = service.As("ada");
        using var added = await ada.PostJsonAsync("/api/users", """{"name":"lara","role":"legal","displayName":"Lara Okafor"}""");
        var user = JsonNode.Parse(await added.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("Lara Okafor", user["displayName"]!.GetValue<string>());

        using var lara = service.Factory.As(user["token"]!.GetValue<string>());
        using var built = await lara.PostJsonAsync("/api/packages", new JsonObject
        {
            ["queries"] = new JsonArray(service.AliceQuery),
            ["organisation"] = "Northwind Forensics",
        }.ToJsonString());
        var record = JsonNode.Parse(await built.Content.ReadAsStringAsync())!;
        Assert.True(built.StatusCode == HttpStatusCode.Created, record.ToJsonString());
        Assert.Equal("Lara Okafor", record["examiner"]!.GetValue<string>());
        Assert.Equal("Northwind Forensics", record["organisation"]!.GetValue<string>());

        using var zip = await lara.GetAsync(record["links"]!["zip"]!.GetValue<string>());
        using var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync());
        var verify = archive.Entries.Single(e => e.FullName.EndsWith("VERIFY.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(verify.Open());
        Assert.Contains("Examiner: Lara Okafor, Northwind Forensics.", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUser_RefusesAControlCharacterInTheDisplayName()
    {
        using var ada = service.As("ada");
        using var response = await ada.PostJsonAsync("/api/users", """{"name":"mallory","role":"legal","displayName":"a\u0007b"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("displayName", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
