using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Files;

/// <summary>
/// <c>POST /api/files/extract</c> and <c>fileExtractions</c> in <c>POST /api/packages</c>, on an HTTP
/// download of a PDF the test builds: the legal role extracts the file (ledgered under its user, like
/// <c>recorder files extract</c>), packages it beside the query's packets with the same manifest entry
/// <c>recorder package --file-extraction</c> writes, and bad ids are refused naming their place.
/// </summary>
public sealed class FileExtractApiTests : IDisposable
{
    private const string Case = "CASE-42";
    private readonly ServiceTestStore _store = ServiceTestStore.Create(packets: 500);
    private readonly byte[] _body = Body();
    private readonly string _sha256;

    public FileExtractApiTests()
    {
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(_body));
        var capture = _store.Directory.File("download.pcap");
        SyntheticTcpCapture.Write(capture,
        [
            (true, Encoding.ASCII.GetBytes("GET /docs/report.pdf HTTP/1.1\r\nHost: files.example.com\r\n\r\n")),
            (false, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {_body.Length}\r\n\r\n"), .. _body]),
        ]);
        _store.Run("import", "--sessions", capture);
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Legal_ExtractsAFile_AndPackagesItBesideThePackets_AsTheCommandLineDoes()
    {
        string queryId, extractionId, packageId;
        byte[] zip;
        await using (var service = await KestrelService.StartAsync(_store.Options()))
        {
            using var alice = service.As(_store.Tokens["alice"]);
            using var lena = service.As(_store.Tokens["lena"]);
            queryId = await alice.SubmitAsync(ApiClient.Query(SyntheticTcpCapture.ServerAddress, SyntheticTcpCapture.ServerPort, _store.Window));
            Assert.Equal("succeeded", (await alice.WaitSettledAsync(queryId))["state"]!.GetValue<string>());

            var extracted = await PostAsync(lena, "/api/files/extract", Extraction(_sha256, Case), HttpStatusCode.OK);
            extractionId = extracted["extractionId"]!.GetValue<string>();
            Assert.Equal((_sha256, _body.Length, "pdf", "http", "download"), (extracted["sha256"]!.GetValue<string>(), extracted["size"]!.GetValue<int>(),
                extracted["type"]!.GetValue<string>(), extracted["protocol"]!.GetValue<string>(), extracted["direction"]!.GetValue<string>()));
            Assert.Equal($"service/files/{extractionId}/{_sha256}-report.pdf", extracted["path"]!.GetValue<string>());
            Assert.Equal(_body, File.ReadAllBytes(Path.Combine(_store.StorePath, extracted["path"]!.GetValue<string>())));

            // Ledgered as the command line's, under the caller, with the case and reason.
            var entry = Assert.Single(LedgerFile.Entries(_store.StorePath), e => e["action"]!.GetValue<string>() == "files.extracted");
            Assert.Equal(("lena", "service-user"), (entry["actor"]!["name"]!.GetValue<string>(), entry["actor"]!["kind"]!.GetValue<string>()));
            Assert.Equal((Case, "the report downloaded"), (entry["case"]!.GetValue<string>(), entry["reason"]!.GetValue<string>()));
            Assert.Equal(extractionId, entry["subjects"]!["extractionId"]!.GetValue<string>());
            Assert.Equal(_sha256, entry["hashes"]!["file"]!.GetValue<string>());
            Assert.Equal(extracted["ledgerSeq"]!.GetValue<long>(), entry["seq"]!.GetValue<long>());

            var package = await PostAsync(lena, "/api/packages", new JsonObject
            {
                ["queries"] = new JsonArray(queryId),
                ["fileExtractions"] = new JsonArray(extractionId),
                ["reason"] = "production to counsel",
            }, HttpStatusCode.Created);
            packageId = package["id"]!.GetValue<string>();
            Assert.Equal(extractionId, Assert.Single(package["fileExtractions"]!.AsArray())!.GetValue<string>());
            Assert.Contains($"files/{extractionId}/{_sha256}-report.pdf", package["files"]!.AsArray().Select(f => f!.GetValue<string>()));
            using var download = await lena.GetAsync($"/api/packages/{packageId}/zip");
            zip = await download.Content.ReadAsByteArrayAsync();
        }

        var zipPath = _store.Directory.File("api-package.zip");
        await File.WriteAllBytesAsync(zipPath, zip);
        Assert.True(JsonNode.Parse(_store.Run("verify-package", zipPath, "--json"))!["passed"]!.GetValue<bool>());
        using var archive = System.IO.Compression.ZipFile.OpenRead(zipPath);
        using (var copy = archive.GetEntry($"files/{extractionId}/{_sha256}-report.pdf")!.Open())
        using (var bytes = new MemoryStream())
        {
            await copy.CopyToAsync(bytes);
            Assert.Equal(_body, bytes.ToArray());
        }

        // The command line packages the same query and extraction: the manifest states the file alike.
        var cliPackage = _store.Directory.File("cli-package");
        _store.Run("package", "--query", queryId, "--file-extraction", extractionId, "--out", cliPackage);
        var cliFiles = JsonNode.Parse(File.ReadAllText(Path.Combine(cliPackage, "manifest.json")))!["files"]!;
        using var manifestStream = archive.GetEntry("manifest.json")!.Open();
        var apiFiles = JsonNode.Parse(manifestStream)!["files"]!;
        Assert.True(JsonNode.DeepEquals(cliFiles, apiFiles), $"{cliFiles.ToJsonString()}\n{apiFiles.ToJsonString()}");
        var built = LedgerFile.Entries(_store.StorePath).Single(e => e["action"]!.GetValue<string>() == "package.built"
            && e["subjects"]!["packageId"]!.GetValue<string>() == packageId);
        Assert.Equal(extractionId, built["subjects"]!["fileExtractionIds"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Extract_IsRefused_ForAnInvestigator_AnUnknownHash_AndBadFields_AndWritesNothing()
    {
        await using var service = await KestrelService.StartAsync(_store.Options());
        using var alice = service.As(_store.Tokens["alice"]);
        using var lena = service.As(_store.Tokens["lena"]);

        // An investigator reads the packets of their own queries only: a file of any session is not theirs.
        await PostAsync(alice, "/api/files/extract", Extraction(_sha256, Case), HttpStatusCode.Forbidden);
        var unknown = await PostAsync(lena, "/api/files/extract", Extraction(new string('a', 64), Case), HttpStatusCode.NotFound);
        Assert.Contains($"no session metadata names a complete file with SHA-256 {new string('a', 64)}", unknown["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var bad = Extraction("12ab", Case);
        bad.Remove("reason");
        bad["colour"] = "red";
        var invalid = await PostAsync(lena, "/api/files/extract", bad, HttpStatusCode.BadRequest);

        Assert.Equal(["colour", "reason", "sha256"], invalid["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(LedgerFile.Entries(_store.StorePath), e => e["action"]!.GetValue<string>() == "files.extracted");
        Assert.False(Directory.Exists(Path.Combine(_store.StorePath, "service", "files"))
            && Directory.EnumerateFileSystemEntries(Path.Combine(_store.StorePath, "service", "files")).Any());
    }

    [Fact]
    public async Task Package_WithABadFileExtraction_Is400NamingItsPlace()
    {
        await using var service = await KestrelService.StartAsync(_store.Options());
        using var alice = service.As(_store.Tokens["alice"]);
        using var lena = service.As(_store.Tokens["lena"]);
        var queryId = await alice.SubmitAsync(ApiClient.Query(SyntheticTcpCapture.ServerAddress, SyntheticTcpCapture.ServerPort, _store.Window));
        await alice.WaitSettledAsync(queryId);
        var good = (await PostAsync(lena, "/api/files/extract", Extraction(_sha256, Case), HttpStatusCode.OK))["extractionId"]!.GetValue<string>();
        var otherCase = (await PostAsync(lena, "/api/files/extract", Extraction(_sha256, "CASE-OTHER"), HttpStatusCode.OK))["extractionId"]!.GetValue<string>();
        var unknown = Guid.NewGuid().ToString();

        var malformed = await PostAsync(lena, "/api/packages", Package(queryId, good, "not-an-id"), HttpStatusCode.BadRequest);
        var notInLedger = await PostAsync(lena, "/api/packages", Package(queryId, good, unknown), HttpStatusCode.BadRequest);
        var wrongCase = await PostAsync(lena, "/api/packages", Package(queryId, good, otherCase), HttpStatusCode.BadRequest);

        Assert.Equal("fileExtractions[1]", malformed["field"]!.GetValue<string>());
        Assert.Equal("fileExtractions[1]", notInLedger["field"]!.GetValue<string>());
        Assert.Contains($"file extraction {unknown}: not in the ledger", notInLedger["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("fileExtractions[1]", wrongCase["field"]!.GetValue<string>());
        Assert.Contains($"file extraction {otherCase} was made for case CASE-OTHER, the package is for case {Case}", wrongCase["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.DoesNotContain(LedgerFile.Entries(_store.StorePath), e => e["action"]!.GetValue<string>() == "package.built");
        var refused = LedgerFile.Entries(_store.StorePath).Where(e => e["action"]!.GetValue<string>() == "package.refused").ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, r => Assert.Equal(good, r["subjects"]!["fileExtractionIds"]![0]!.GetValue<string>()));
    }

    private static JsonObject Extraction(string sha256, string caseId) => new()
    {
        ["sha256"] = sha256,
        ["case"] = caseId,
        ["reason"] = "the report downloaded",
    };

    private static JsonObject Package(string queryId, params string[] fileExtractions) => new()
    {
        ["queries"] = new JsonArray(queryId),
        ["fileExtractions"] = new JsonArray(fileExtractions.Select(f => (JsonNode)f).ToArray()),
    };

    private static async Task<JsonObject> PostAsync(ApiClient client, string path, JsonObject body, HttpStatusCode expected)
    {
        using var response = await client.PostJsonAsync(path, body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    private static byte[] Body()
    {
        var body = new byte[20_000];
        new Random(40).NextBytes(body);
        "%PDF-1.7\n"u8.CopyTo(body);
        return body;
    }
}
