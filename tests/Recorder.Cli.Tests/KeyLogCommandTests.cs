using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// TLS key logs as evidence, end to end: `recorder keylog import` stores and ledgers the file, an
/// extraction to pcapng carries the secrets of its TLS connections as a Decryption Secrets Block in
/// front of the ClientHello (tshark then shows the HTTP inside), `--no-secrets` and classic pcap
/// carry none and say so, and verify finds a changed or unrecorded key log.
/// </summary>
public sealed class KeyLogCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-keylog-cli");

    public void Dispose() => _directory.Dispose();

    [SkippableTheory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task Query_ToPcapng_CarriesTheStoredSecrets_AndTsharkShowsTheHttpInside(string version)
    {
        var tshark = ExternalTools.Find("tshark");
        Skip.If(!OpenSslTlsExchange.IsAvailable || tshark is null, "needs openssl and tshark (apt-get install openssl tshark)");
        var (writes, keys) = await OpenSslTlsExchange.RunAsync(_directory.Path, version, "GET /evidence HTTP/1.0\r\n\r\n");
        var capture = _directory.File("tls.pcap");
        SyntheticTcpCapture.Write(capture, writes);
        var store = _directory.File("store");
        Run("--store", store, "import", capture);
        var secretLines = File.ReadAllLines(keys).Count(l => l.Length > 0 && !l.StartsWith('#'));

        var imported = Run("--store", store, "keylog", "import", keys, "--case", "TLS-1", "--reason", "client's key log", "--json").Json;
        var keyLogSha = Sha256(keys);
        Assert.Equal(keyLogSha, imported["sha256"]!.GetValue<string>());
        Assert.Equal(secretLines, imported["entries"]!.GetValue<int>());
        Assert.Equal(File.ReadAllBytes(keys), File.ReadAllBytes(Path.Combine(store, "keylogs", keyLogSha + ".keylog")));

        var withSecrets = Query(store, "with.pcapng", "--format", "pcapng");
        var automatic = Query(store, "auto.pcap");
        var without = Query(store, "without.pcapng", "--format", "pcapng", "--no-secrets");

        var secrets = withSecrets["secrets"]!;
        Assert.Equal(secretLines, secrets["count"]!.GetValue<int>());
        Assert.Equal(1, secrets["connections"]!.GetValue<int>());
        Assert.Equal(keyLogSha, secrets["keyLogs"]![0]!["sha256"]!.GetValue<string>());
        Assert.Equal(version == "-tls1_2" ? ["CLIENT_RANDOM"] : ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"], secrets["labels"]!.AsObject().Select(p => p.Key));
        // What was ledgered is what was served: the hash covers the block.
        Assert.Equal(Sha256(_directory.File("with.pcapng")), withSecrets["sha256"]!.GetValue<string>());
        Assert.Equal(["GET /evidence"], Http(tshark!, _directory.File("with.pcapng")));
        Assert.Contains("HTTP/1.0 200 ok", Follow(tshark!, _directory.File("with.pcapng")), StringComparison.Ordinal);

        // The automatic format becomes pcapng to hold the secrets; --no-secrets keeps them out, and tshark then sees no HTTP.
        Assert.Equal("pcapng", automatic["format"]!.GetValue<string>());
        Assert.Equal(["GET /evidence"], Http(tshark!, _directory.File("auto.pcap")));
        Assert.False(without["secrets"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(0, without["secrets"]!["count"]!.GetValue<int>());
        Assert.Empty(Http(tshark!, _directory.File("without.pcapng")));
        Assert.DoesNotContain("HTTP/1.0 200 ok", Follow(tshark!, _directory.File("without.pcapng")), StringComparison.Ordinal);

        var entry = Entries(store).Last(e => e["action"]!.GetValue<string>() == LedgerActions.ExtractionWritten
            && e["subjects"]!["queryId"]!.GetValue<string>() == withSecrets["queryId"]!.GetValue<string>());
        Assert.Equal(withSecrets["sha256"]!.GetValue<string>(), entry["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(secretLines, entry["details"]!["secrets"]!["count"]!.GetValue<int>());
        Assert.Equal(keyLogSha, entry["details"]!["secrets"]!["keyLogs"]![0]!["sha256"]!.GetValue<string>());
    }

    [Fact]
    public void Query_WritesTheBlockInFrontOfTheClientHello_OnlyForMatchingConnections()
    {
        var random = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var store = StoreWithHello(random);
        var matching = $"CLIENT_RANDOM {Convert.ToHexStringLower(random)} {new string('c', 96)}";
        File.WriteAllText(_directory.File("other.log"), $"CLIENT_RANDOM {new string('d', 64)} {new string('e', 96)}\n");
        File.WriteAllText(_directory.File("match.log"), $"# header\n{matching}\n");

        Run("--store", store, "keylog", "import", _directory.File("other.log"), "--case", "C", "--reason", "R");
        var none = Query(store, "none.pcapng", "--format", "pcapng");
        Run("--store", store, "keylog", "import", _directory.File("match.log"), "--case", "C", "--reason", "R");
        var one = Query(store, "one.pcapng", "--format", "pcapng");

        Assert.Equal(0, none["secrets"]!["count"]!.GetValue<int>());
        Assert.Equal(1, none["secrets"]!["tlsHellosSeen"]!.GetValue<int>());
        Assert.DoesNotContain(0x0Au, TlsSecretsFiles.BlockTypes(File.ReadAllBytes(_directory.File("none.pcapng"))));
        Assert.Equal(1, one["secrets"]!["count"]!.GetValue<int>());
        Assert.Equal(Sha256(_directory.File("match.log")), one["secrets"]!["keyLogs"]![0]!["sha256"]!.GetValue<string>());
        // Section header, interface, the handshake's three packets, then the block, then the hello.
        Assert.Equal(new uint[] { 0x0A0D0D0A, 1, 6, 6, 6, 0x0A, 6 }, TlsSecretsFiles.BlockTypes(File.ReadAllBytes(_directory.File("one.pcapng"))).Take(7));
        Assert.Equal(matching + "\n", TlsSecretsFiles.DecryptionSecrets(File.ReadAllBytes(_directory.File("one.pcapng"))));

        // The package says which secrets each evidence file carries, and the verifier accepts it.
        Run("--store", store, "package", "--query", none["queryId"]!.GetValue<string>(), "--query", one["queryId"]!.GetValue<string>(),
            "--out", _directory.File("package"), "--title", "TLS");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory.File("package"), "manifest.json")))!;
        var carried = manifest["evidence"]!.AsArray().Single(e => e!["queryId"]!.GetValue<string>() == one["queryId"]!.GetValue<string>())!["decryptionSecrets"]!;
        var empty = manifest["evidence"]!.AsArray().Single(e => e!["queryId"]!.GetValue<string>() == none["queryId"]!.GetValue<string>())!["decryptionSecrets"]!;
        Assert.Equal(1, carried["count"]!.GetValue<int>());
        Assert.Equal(1, carried["labels"]!["CLIENT_RANDOM"]!.GetValue<int>());
        Assert.Equal(Sha256(_directory.File("match.log")), carried["keyLogs"]![0]!["sha256"]!.GetValue<string>());
        Assert.Equal(0, empty["count"]!.GetValue<int>());
        var verifyText = File.ReadAllText(Path.Combine(_directory.File("package"), "VERIFY.txt"));
        Assert.Contains($"1 TLS decryption secret(s) (1 CLIENT_RANDOM) from key log(s) {Sha256(_directory.File("match.log"))} (1)", verifyText, StringComparison.Ordinal);
        Assert.Contains("no decryption secret", verifyText, StringComparison.Ordinal);
        Run("verify-package", _directory.File("package"));

        var list = Run("--store", store, "keylog", "list", "--json").Json["keyLogs"]!.AsArray();
        Assert.Equal([Sha256(_directory.File("other.log")), Sha256(_directory.File("match.log"))], list.Select(l => l!["sha256"]!.GetValue<string>()));
    }

    [Fact]
    public void Query_AskedForPcap_CarriesNoSecret_AndSaysSo()
    {
        var random = Enumerable.Range(1, 32).Select(i => (byte)(i * 3)).ToArray();
        var store = StoreWithHello(random);
        File.WriteAllText(_directory.File("keys.log"), $"CLIENT_RANDOM {Convert.ToHexStringLower(random)} {new string('c', 96)}\n");
        Run("--store", store, "keylog", "import", _directory.File("keys.log"), "--case", "C", "--reason", "R");

        var json = Query(store, "asked.pcap", "--format", "pcap");
        var text = Run("--store", store, "query", "--port", "443", "--out", _directory.File("text.pcap"), "--format", "pcap", "--case", "C", "--reason", "R");

        Assert.Equal("pcap", json["format"]!.GetValue<string>());
        Assert.Equal(0, json["secrets"]!["count"]!.GetValue<int>());
        Assert.Equal(1, json["secrets"]!["notCarried"]!.GetValue<int>());
        Assert.Contains("classic pcap", json["secrets"]!["notCarriedReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("1 matching secret(s) NOT carried", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_OfAFileWithoutSecrets_IsRefusedNamingTheLines_AndStoresNothing()
    {
        var store = StoreWithHello(new byte[32]);
        File.WriteAllText(_directory.File("bad.log"), $"CLIENT_RANDOM abc {new string('1', 96)}\nHELLO {new string('a', 64)} 00\n# fine\n\nCLIENT_RANDOM {new string('a', 64)}\n");
        var before = Entries(store).Count;

        var result = Cli.Run("--store", store, "keylog", "import", _directory.File("bad.log"), "--case", "C", "--reason", "R");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no TLS secret", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 1: the client random is not 32 bytes of hex", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 2: unknown label 'HELLO'", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 5: 2 fields", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(store, "keylogs")) && Directory.EnumerateFiles(Path.Combine(store, "keylogs")).Any());
        Assert.Equal(before, Entries(store).Count);
    }

    [Fact]
    public void Import_RecordsHashCountsAndProblemLines_AndVerifyFindsAChangedOrUnrecordedKeyLog()
    {
        var random = Enumerable.Range(1, 32).Select(i => (byte)(i + 100)).ToArray();
        var store = StoreWithHello(random);
        File.WriteAllText(_directory.File("keys.log"),
            $"CLIENT_RANDOM {Convert.ToHexStringLower(random)} {new string('c', 96)}\nbroken line\nEXPORTER_SECRET {new string('f', 64)} {new string('0', 64)}\n");
        var sha = Sha256(_directory.File("keys.log"));

        var text = Run("--store", store, "keylog", "import", _directory.File("keys.log"), "--case", "C", "--reason", "R");
        Run("--store", store, "verify");

        Assert.Contains("line 2: 2 fields", text.Output, StringComparison.Ordinal);
        var entry = Entries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.KeylogImported);
        Assert.Equal(sha, entry["hashes"]!["keylog"]!.GetValue<string>());
        Assert.Equal("C", entry["case"]!.GetValue<string>());
        Assert.Equal(2, entry["details"]!["entries"]!.GetValue<int>());
        Assert.Equal(2, entry["details"]!["clientRandoms"]!.GetValue<int>());
        Assert.Equal(1, entry["details"]!["problems"]!.GetValue<int>());
        Assert.Equal(2, entry["details"]!["problemLines"]![0]!["line"]!.GetValue<int>());
        Assert.Equal(1, entry["details"]!["labels"]!["EXPORTER_SECRET"]!.GetValue<int>());

        var stored = Path.Combine(store, "keylogs", sha + ".keylog");
        var bytes = File.ReadAllBytes(stored);
        bytes[20] ^= 0x01;
        File.WriteAllBytes(stored, bytes);
        File.WriteAllText(Path.Combine(store, "keylogs", new string('9', 64) + ".keylog"), "dropped in by hand\n");

        var verify = Cli.Run("--store", store, "verify", "--json");
        var query = Query(store, "after.pcapng", "--format", "pcapng");

        Assert.Equal(1, verify.ExitCode);
        var findings = verify.Json["findings"]!.AsArray();
        Assert.Contains(findings, f => f!["check"]!.GetValue<string>() == "key log named by the ledger"
            && f["found"]!.GetValue<string>().StartsWith("sha256 ", StringComparison.Ordinal));
        Assert.Contains(findings, f => f!["check"]!.GetValue<string>() == "stored key log"
            && f["subject"]!.GetValue<string>() == $"keylogs/{new string('9', 64)}.keylog");
        // A changed key log gives no secret, and the extraction says which and why.
        Assert.Equal(0, query["secrets"]!["count"]!.GetValue<int>());
        Assert.Equal(sha, query["secrets"]!["keyLogsUnusable"]![0]!["sha256"]!.GetValue<string>());
    }

    /// <summary>A store holding one TCP connection to port 443 whose client sends a ClientHello with <paramref name="random"/>.</summary>
    private string StoreWithHello(byte[] random)
    {
        var capture = _directory.File($"hello-{Convert.ToHexStringLower(random)[..8]}.pcap");
        SyntheticTcpCapture.Write(capture, [(true, TlsSecretsFiles.ClientHello(random)), (false, [0x16, 0x03, 0x03, 0x00, 0x01, 0x02])]);
        var store = _directory.File($"store-{Convert.ToHexStringLower(random)[..8]}");
        Run("--store", store, "import", capture);
        return store;
    }

    private JsonNode Query(string store, string name, params string[] extra) =>
        Run(["--store", store, "query", "--port", "443", "--out", _directory.File(name), .. extra, "--case", "C", "--reason", "R", "--json"]).Json;

    private static List<string> Http(string tshark, string capture)
    {
        var (exit, output, error) = ExternalTools.Run(tshark, ["-r", capture, "-Y", "http", "-T", "fields", "-e", "http.request.method", "-e", "http.request.uri"]);
        Assert.True(exit == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace('\t', ' ').Trim()).ToList();
    }

    private static string Follow(string tshark, string capture)
    {
        var (exit, output, error) = ExternalTools.Run(tshark, ["-r", capture, "-q", "-z", "follow,tls,ascii,0"]);
        Assert.True(exit == 0, error);
        return output;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static List<JsonNode> Entries(string store) =>
        File.ReadAllLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();

    private static CliResult Run(params string[] args)
    {
        var result = Cli.Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
