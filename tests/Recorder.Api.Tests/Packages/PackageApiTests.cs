using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Packages;

/// <summary><c>POST /api/packages</c>: the legal role builds the same package <c>recorder package</c> builds, ledgered under its user.</summary>
public sealed class PackageApiTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task Legal_BuildsAPackage_ThatVerifiesOffline_AndEveryStepIsLedgeredUnderTheUser()
    {
        using var lena = service.As("lena");
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var response = await lena.PostJsonAsync("/api/packages", new JsonObject
        {
            ["queries"] = new JsonArray(service.AliceQuery),
            ["title"] = "Exfiltration to a test host",
            ["reason"] = "production to opposing counsel",
        }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {text}");
        var record = JsonNode.Parse(text)!.AsObject();
        var id = record["id"]!.GetValue<string>();
        Assert.Equal("/api/packages/" + id, response.Headers.Location?.OriginalString);
        Assert.Equal("CASE-42", record["case"]!.GetValue<string>());
        Assert.Equal("lena", record["builtBy"]!.GetValue<string>());
        Assert.False(record["partial"]!.GetValue<bool>());

        // The ledger: package.built and report.generated under lena, with the manifest's and report's hashes.
        var added = LedgerFile.Entries(service.Store.StorePath).Skip(before).ToList();
        var built = added.Single(e => e["action"]!.GetValue<string>() == "package.built");
        var report = added.Single(e => e["action"]!.GetValue<string>() == "report.generated");
        foreach (var entry in new[] { built, report })
        {
            Assert.Equal("lena", entry["actor"]!["name"]!.GetValue<string>());
            Assert.Equal("service-user", entry["actor"]!["kind"]!.GetValue<string>());
            Assert.Equal("CASE-42", entry["case"]!.GetValue<string>());
            Assert.Equal("production to opposing counsel", entry["reason"]!.GetValue<string>());
        }

        Assert.Equal(id, built["subjects"]!["packageId"]!.GetValue<string>());
        Assert.Equal(record["manifestSha256"]!.GetValue<string>(), built["hashes"]!["manifest"]!.GetValue<string>());
        Assert.Equal(record["reportSha256"]!.GetValue<string>(), report["hashes"]!["report"]!.GetValue<string>());

        // The download: the bytes the record names, ledgered with that hash before they leave.
        var beforeRead = LedgerFile.Entries(service.Store.StorePath).Count;
        using var zip = await lena.GetAsync($"/api/packages/{id}/zip");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        var bytes = await zip.Content.ReadAsByteArrayAsync();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(record["sha256"]!.GetValue<string>(), sha256);
        var read = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(beforeRead));
        Assert.Equal("package.read", read["action"]!.GetValue<string>());
        Assert.Equal("lena", read["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(sha256, read["hashes"]!["package"]!.GetValue<string>());

        // Offline: recorder verify-package on the downloaded zip, and the manifest names lena as the builder.
        var path = service.Store.Directory.File($"downloaded-{id}.zip");
        await File.WriteAllBytesAsync(path, bytes);
        var verified = service.Store.Run("verify-package", path, "--json");
        Assert.True(JsonNode.Parse(verified)!["passed"]!.GetValue<bool>(), verified);
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        using var manifestStream = archive.GetEntry("manifest.json")!.Open();
        var manifest = JsonNode.Parse(manifestStream)!;
        Assert.Equal(id, manifest["packageId"]!.GetValue<string>());
        Assert.Equal("lena", manifest["createdBy"]!["name"]!.GetValue<string>());
        Assert.Equal("service-user", manifest["createdBy"]!["kind"]!.GetValue<string>());
        Assert.Equal(service.AliceQuery, manifest["queries"]![0]!["queryId"]!.GetValue<string>());
        Assert.Equal("alice@" + Environment.MachineName, manifest["queries"]![0]!["requester"]!.GetValue<string>());
        Assert.False(manifest["queries"]![0]!["partial"]!.GetValue<bool>());

        // The report alone, checked against the hash recorded when it was built, its read ledgered.
        var beforeReport = LedgerFile.Entries(service.Store.StorePath).Count;
        using var pdf = await lena.GetAsync($"/api/packages/{id}/report");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var pdfSha256 = Convert.ToHexStringLower(SHA256.HashData(await pdf.Content.ReadAsByteArrayAsync()));
        Assert.Equal(record["reportSha256"]!.GetValue<string>(), pdfSha256);
        var reportRead = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(beforeReport));
        Assert.Equal("report.read", reportRead["action"]!.GetValue<string>());
        Assert.Equal("lena", reportRead["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(pdfSha256, reportRead["hashes"]!["report"]!.GetValue<string>());
        using (var alice = service.As("alice"))
        using (var refused = await alice.GetAsync($"/api/packages/{id}/report"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Listed, and shown by id.
        var list = await lena.GetJsonAsync("/api/packages");
        Assert.Contains(list["packages"]!.AsArray(), p => p!["id"]!.GetValue<string>() == id);
        var shown = await lena.GetJsonAsync("/api/packages/" + id);
        Assert.Equal(record["sha256"]!.GetValue<string>(), shown["sha256"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("ivan")]
    [InlineData("ada")]
    public async Task OnlyTheLegalRole_BuildsPackages_AndARefusalIsLedgered(string user)
    {
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var client = service.As(user);
        using var response = await client.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(service.AliceQuery) }.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var added = LedgerFile.Entries(service.Store.StorePath).Skip(before).ToList();
        Assert.DoesNotContain(added, e => e["action"]!.GetValue<string>() == "package.built");
        Assert.Contains(added, e => e["actor"]!["name"]!.GetValue<string>() == user);
    }

    [Fact]
    public async Task WithoutAToken_Is401()
    {
        using var nobody = service.As("nobody");
        using var response = await nobody.PostJsonAsync("/api/packages", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{}", "queries")]
    [InlineData("{\"queries\": []}", "queries")]
    [InlineData("{\"queries\": [\"not-a-uuid\"]}", "queries[0]")]
    [InlineData("{\"queries\": [\"00000000-0000-0000-0000-000000000001\"]}", "queries[0]")]
    [InlineData("{\"queries\": [7]}", "queries[0]")]
    [InlineData("{\"queries\": [\"QUERY\"], \"colour\": \"red\"}", "colour")]
    [InlineData("{\"queries\": [\"QUERY\"], \"title\": 5}", "title")]
    [InlineData("{\"queries\": [\"QUERY\"], \"reason\": \"\"}", "reason")]
    public async Task BadRequests_Are400_NamingTheField_AndBuildNothing(string body, string field)
    {
        var packages = Path.Combine(service.Store.StorePath, "service", "packages");
        var zipsBefore = Directory.Exists(packages) ? Directory.GetFiles(packages, "*.zip").Length : 0;
        using var lena = service.As("lena");
        using var response = await lena.PostJsonAsync("/api/packages", body.Replace("QUERY", service.AliceQuery, StringComparison.Ordinal));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, JsonNode.Parse(text)!["field"]!.GetValue<string>());
        Assert.Equal(zipsBefore, Directory.Exists(packages) ? Directory.GetFiles(packages, "*.zip").Length : 0);
    }

    [Fact]
    public async Task QueriesOfTwoCases_AreRefused()
    {
        using var bob = service.As("bob");
        var body = ApiClient.Query(service.Store.Needle.Server, service.Store.Needle.ServerPort, service.Store.Window);
        body["case"] = "CASE-7";
        var other = await bob.SubmitAsync(body);
        Assert.Equal("succeeded", (await bob.WaitSettledAsync(other))["state"]!.GetValue<string>());
        using var lena = service.As("lena");
        using var response = await lena.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(service.AliceQuery, other) }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("one case", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExtractionChangedSinceItWasLedgered_IsRefused_AndTheRefusalIsLedgered()
    {
        using var alice = service.As("alice");
        var id = await alice.SubmitAsync(ApiClient.Query(service.Store.Needle.Server, service.Store.Needle.ServerPort, service.Store.Window));
        var done = await alice.WaitSettledAsync(id);
        var result = Path.Combine(service.Store.StorePath, "extractions", id, done["result"]!["file"]!.GetValue<string>());
        var bytes = await File.ReadAllBytesAsync(result);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(result, bytes);

        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var lena = service.As("lena");
        using var response = await lena.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(id) }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("the file changed since", text, StringComparison.Ordinal);
        var refused = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("package.refused", refused["action"]!.GetValue<string>());
        Assert.Equal("lena", refused["actor"]!["name"]!.GetValue<string>());
        Assert.Contains("changed since", refused["details"]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var packages = Path.Combine(service.Store.StorePath, "service", "packages");
        Assert.Empty(Directory.Exists(packages) ? Directory.GetFiles(packages, "*.building-*") : []);
    }

    [Fact]
    public async Task UnknownPackages_Are404()
    {
        using var lena = service.As("lena");
        using var shown = await lena.GetAsync("/api/packages/00000000-0000-0000-0000-000000000009");
        Assert.Equal(HttpStatusCode.NotFound, shown.StatusCode);
        using var zip = await lena.GetAsync("/api/packages/nonsense/zip");
        Assert.Equal(HttpStatusCode.NotFound, zip.StatusCode);
        using var report = await lena.GetAsync("/api/packages/00000000-0000-0000-0000-000000000009/report");
        Assert.Equal(HttpStatusCode.NotFound, report.StatusCode);
    }

    [Fact]
    public async Task AReportChangedSinceItWasBuilt_IsRefused_AndTheRefusalIsLedgered()
    {
        using var lena = service.As("lena");
        using var response = await lena.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(service.AliceQuery) }.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var zipPath = Path.Combine(service.Store.StorePath, "service", "packages", id + ".zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zipPath, System.IO.Compression.ZipArchiveMode.Update))
        {
            archive.GetEntry("report.pdf")!.Delete();
            using var forged = archive.CreateEntry("report.pdf").Open();
            forged.Write("%PDF-1.4 a different report"u8);
        }

        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var pdf = await lena.GetAsync($"/api/packages/{id}/report");
        Assert.Equal(HttpStatusCode.Conflict, pdf.StatusCode);
        Assert.Contains("changed since", await pdf.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var refused = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("report.read-refused", refused["action"]!.GetValue<string>());
        Assert.Equal("lena", refused["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(id, refused["subjects"]!["packageId"]!.GetValue<string>());
    }
}
