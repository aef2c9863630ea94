using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Queries;

/// <summary>
/// A service query carries the secrets of stored TLS key logs for the connections whose ClientHello
/// is in its result, as <c>recorder query</c> does (the same <c>SecretsInjectingSink</c>): a Decryption
/// Secrets Block right before the hello, in the result and in the chunk holding the hello; the same
/// <c>secrets</c> facts in the record and in <c>extraction.written</c>; <c>"secrets": false</c> turns it off.
/// </summary>
public sealed class QuerySecretsTests
{
    private static readonly byte[] Random = Enumerable.Range(1, 32).Select(i => (byte)(i * 5)).ToArray();

    [Fact]
    public async Task Query_OfAConnectionWithAStoredKeyLog_CarriesItsSecretBeforeTheHello_AndLedgersIt_UnlessTurnedOff()
    {
        using var store = StoreWithHelloAndKeyLog(out var matching, out var keyLogSha);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);

        var withId = await alice.SubmitAsync(HelloQuery(store, secrets: null));
        var withStatus = await alice.WaitSettledAsync(withId);
        var withoutId = await alice.SubmitAsync(HelloQuery(store, secrets: false));
        var withoutStatus = await alice.WaitSettledAsync(withoutId);

        // The result: pcapng (fixed before the first packet, so followers' bytes equal the file), the block right before the hello.
        Assert.Equal("succeeded", withStatus["state"]!.GetValue<string>());
        Assert.Equal("pcapng", withStatus["result"]!["format"]!.GetValue<string>());
        var bytes = await Download(alice, $"/api/queries/{withId}/pcap");
        Assert.Equal(new uint[] { 0x0A0D0D0A, 1, 6, 6, 6, 0x0A, 6 }, TlsSecretsFiles.BlockTypes(bytes).Take(7));
        Assert.Equal(matching + "\n", TlsSecretsFiles.DecryptionSecrets(bytes));

        // The served bytes are the ledgered ones; the record and the entry state the same secrets.
        var written = Assert.Single(LedgerFile.ForQuery(store.StorePath, withId), e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), written["hashes"]!["output"]!.GetValue<string>());
        var secrets = written["details"]!["secrets"]!;
        Assert.True(secrets["enabled"]!.GetValue<bool>());
        Assert.Equal(1, secrets["count"]!.GetValue<int>());
        Assert.Equal(1, secrets["connections"]!.GetValue<int>());
        Assert.Equal(1, secrets["labels"]!["CLIENT_RANDOM"]!.GetValue<int>());
        Assert.Equal(keyLogSha, secrets["keyLogs"]![0]!["sha256"]!.GetValue<string>());
        Assert.Equal(1, secrets["tlsHellosSeen"]!.GetValue<int>());
        // The ledger writes canonical JSON (members sorted): the same facts, whatever the order.
        Assert.True(JsonNode.DeepEquals(secrets, withStatus["secrets"]), $"{secrets.ToJsonString()} vs {withStatus["secrets"]?.ToJsonString()}");

        // The chunk holding the hello carries the block too, so it decrypts when read alone.
        var chunk = await Download(alice, $"/api/queries/{withId}/chunks/1");
        Assert.Equal(new uint[] { 0x0A0D0D0A, 1, 6, 6, 6, 0x0A, 6 }, TlsSecretsFiles.BlockTypes(chunk).Take(7));
        Assert.Equal(matching + "\n", TlsSecretsFiles.DecryptionSecrets(chunk));

        // Turned off: no block, the same packets, and both the record and the entry say so.
        var plain = await Download(alice, $"/api/queries/{withoutId}/pcap");
        Assert.DoesNotContain(0x0Au, TlsSecretsFiles.BlockTypes(plain));
        Assert.Equal(withStatus["result"]!["packets"]!.GetValue<int>(), withoutStatus["result"]!["packets"]!.GetValue<int>());
        var withoutWritten = Assert.Single(LedgerFile.ForQuery(store.StorePath, withoutId), e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.False(withoutWritten["details"]!["secrets"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(0, withoutWritten["details"]!["secrets"]!["count"]!.GetValue<int>());
        Assert.False(withoutStatus["secrets"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(plain)), withoutWritten["hashes"]!["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Package_OfAServiceQueryWithSecrets_StatesThemInItsManifest()
    {
        using var store = StoreWithHelloAndKeyLog(out _, out var keyLogSha);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        using var lena = service.As(store.Tokens["lena"]);
        var id = await alice.SubmitAsync(HelloQuery(store, secrets: null));
        await alice.WaitSettledAsync(id);

        using var response = await lena.PostJsonAsync("/api/packages", new JsonObject { ["queries"] = new JsonArray(id) }.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {text}");
        var zip = store.Directory.File("secrets-package.zip");
        await File.WriteAllBytesAsync(zip, await Download(lena, $"/api/packages/{JsonNode.Parse(text)!["id"]!.GetValue<string>()}/zip"));
        using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
        using var manifestStream = archive.GetEntry("manifest.json")!.Open();
        var carried = JsonNode.Parse(manifestStream)!["evidence"]![0]!["decryptionSecrets"]!;
        Assert.Equal(1, carried["count"]!.GetValue<int>());
        Assert.Equal(keyLogSha, carried["keyLogs"]![0]!["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_SecretsThatIsNotABoolean_Is400NamingTheField()
    {
        using var store = ServiceTestStore.Create(packets: 500);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        var body = HelloQuery(store, secrets: null);
        body["secrets"] = "no";

        using var response = await alice.PostJsonAsync("/api/queries", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(text)!;
        Assert.Contains(problem["errors"]!.AsArray(), e => e!["field"]!.GetValue<string>() == "secrets"
            && e["message"]!.GetValue<string>() == "must be true or false");
    }

    /// <summary>
    /// The test store plus one TCP connection to port 443 whose client sends a ClientHello with
    /// <see cref="Random"/>, and two key logs imported: one for that connection, one for another.
    /// </summary>
    private static ServiceTestStore StoreWithHelloAndKeyLog(out string matching, out string keyLogSha)
    {
        var store = ServiceTestStore.Create(packets: 1000);
        var capture = store.Directory.File("hello.pcap");
        SyntheticTcpCapture.Write(capture, [(true, TlsSecretsFiles.ClientHello(Random)), (false, [0x16, 0x03, 0x03, 0x00, 0x01, 0x02])]);
        store.Run("import", capture);
        matching = $"CLIENT_RANDOM {Convert.ToHexStringLower(Random)} {new string('c', 96)}";
        File.WriteAllText(store.Directory.File("other.log"), $"CLIENT_RANDOM {new string('d', 64)} {new string('e', 96)}\n");
        File.WriteAllText(store.Directory.File("match.log"), $"# header\n{matching}\n");
        store.Run("keylog", "import", store.Directory.File("other.log"), "--case", "CASE-42", "--reason", "key log from the lab");
        store.Run("keylog", "import", store.Directory.File("match.log"), "--case", "CASE-42", "--reason", "key log from the lab");
        keyLogSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(store.Directory.File("match.log"))));
        return store;
    }

    private static JsonObject HelloQuery(ServiceTestStore store, bool? secrets)
    {
        var body = ApiClient.Query(SyntheticTcpCapture.ServerAddress, SyntheticTcpCapture.ServerPort, store.Window);
        if (secrets is { } value)
        {
            body["secrets"] = value;
        }

        return body;
    }

    private static async Task<byte[]> Download(ApiClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }
}
