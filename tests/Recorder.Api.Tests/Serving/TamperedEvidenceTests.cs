using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.Cli;

namespace Recorder.Api.Tests.Serving;

/// <summary>
/// What is served is what was ledgered: a package zip, a result and a chunk changed in place (same
/// size) are refused with 409 and a <c>*.read-refused</c> entry carrying the hash found, and
/// <c>recorder verify</c> lists each of them.
/// </summary>
public sealed class TamperedEvidenceTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task ZipResultAndChunk_ChangedInPlace_AreRefused_Ledgered_AndListedByVerify()
    {
        using var lena = service.As("lena");
        using var alice = service.As("alice");
        using var built = await lena.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(service.AliceQuery) }.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, built.StatusCode);
        var package = JsonNode.Parse(await built.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var stored = LedgerFile.Entries(service.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "package.stored");
        Assert.Equal(package, stored["subjects"]!["packageId"]!.GetValue<string>());

        var query = await alice.GetJsonAsync("/api/queries/" + service.AliceQuery);
        var directory = Path.Combine(service.Store.StorePath, "extractions", service.AliceQuery);
        var zip = Path.Combine(service.Store.StorePath, "service", "packages", package + ".zip");
        var result = Path.Combine(directory, query["result"]!["file"]!.GetValue<string>());
        var chunk = Path.Combine(directory, "chunks", query["chunks"]![0]!["file"]!.GetValue<string>());
        foreach (var file in new[] { zip, result, chunk })
        {
            FlipMiddleByte(file);
        }

        await AssertRefused(lena, $"/api/packages/{package}/zip", "package.read-refused", "lena", "packageId", package);
        await AssertRefused(alice, $"/api/queries/{service.AliceQuery}/pcap", "result.read-refused", "alice", "queryId", service.AliceQuery);
        var chunkRefusal = await AssertRefused(alice, $"/api/queries/{service.AliceQuery}/chunks/1", "result.read-refused", "alice", "queryId", service.AliceQuery);
        Assert.Equal(1, chunkRefusal["subjects"]!["chunk"]!.GetValue<int>());
        Assert.Equal(CaptureSha(chunk), chunkRefusal["hashes"]!["found"]!.GetValue<string>());

        var output = new StringWriter();
        var code = await RecorderCli.RunAsync(["--store", service.Store.StorePath, "verify", "--json"], output, new StringWriter());
        Assert.Equal(1, code);
        var findings = JsonNode.Parse(output.ToString())!["findings"]!.AsArray().Select(f => f!["expected"]!.GetValue<string>()).ToList();
        foreach (var file in new[] { zip, result, chunk })
        {
            Assert.Contains(findings, expected => expected.StartsWith(Path.GetFullPath(file) + " with sha256", StringComparison.Ordinal));
        }
    }

    private async Task<JsonObject> AssertRefused(ApiClient client, string url, string action, string user, string subject, string id)
    {
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Contains("changed since", text, StringComparison.Ordinal);
        var entry = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal(action, entry["action"]!.GetValue<string>());
        Assert.Equal(user, entry["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(id, entry["subjects"]![subject]!.GetValue<string>());
        Assert.NotNull(entry["hashes"]!["found"]);
        return entry;
    }

    private static void FlipMiddleByte(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = stream.Length / 2;
        var value = stream.ReadByte();
        stream.Position = stream.Length / 2;
        stream.WriteByte((byte)(value ^ 0xff));
    }

    private static string CaptureSha(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
