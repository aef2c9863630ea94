using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Packets;
using Recorder.Core.Store;
using Recorder.Sessions;
using Recorder.Sessions.Search;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// Session metadata end to end: import builds each segment's sessions file after sealing, `recorder
/// sessions` finds exactly the sessions a filter names and ledgers the search, and verify checks the
/// files against the ledger.
/// </summary>
public sealed class SessionsCommandTests : IDisposable
{
    private const long Start = 1_790_000_000_000_000_000L;
    private readonly TempDirectory _directory = new("recorder-sessions");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Search_ByDomainWildcard_FindsExactlyTheDnsAndHttpSessionsNamingIt()
    {
        var store = ImportedStore();

        var wildcard = Run("--store", store, "sessions", "--domain", "*.example.com", "--case", "CASE-1", "--reason", "which hosts asked", "--json").Json;
        var exact = Run("--store", store, "sessions", "--domain", "WWW.example.com", "--case", "CASE-1", "--reason", "one name", "--json").Json;

        Assert.Equal([40001, 40002, 45000], Ports(wildcard));
        Assert.Equal([40001], Ports(exact));
        Assert.Equal("dns", exact["results"]![0]!["application"]!.GetValue<string>());
        Assert.Equal("93.184.216.34", exact["results"]![0]!["dns"]!["answers"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Search_ByHttpFieldsAppPortAndWindow_FindsExactlyTheExpectedSessions()
    {
        var store = ImportedStore();
        string[] audit = ["--case", "CASE-2", "--reason", "fields", "--json"];

        Assert.Equal([45000], Ports(Run(["--store", store, "sessions", "--user-agent", "TestAgent/*", .. audit]).Json));
        Assert.Equal([45000], Ports(Run(["--store", store, "sessions", "--url", "files.example.com/report*.pdf", .. audit]).Json));
        Assert.Equal([45000], Ports(Run(["--store", store, "sessions", "--host-header", "files.example.com", "--proto", "tcp", .. audit]).Json));
        // The HTTP body the session carried ("%PDF"), by its SHA-256; another hash finds nothing.
        var body = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("%PDF"u8));
        Assert.Equal([45000], Ports(Run(["--store", store, "sessions", "--file-sha256", body, .. audit]).Json));
        Assert.Empty(Ports(Run(["--store", store, "sessions", "--file-sha256", new string('0', 64), .. audit]).Json));
        Assert.Equal([40003], Ports(Run(["--store", store, "sessions", "--app", "dns", "--port", "40003", .. audit]).Json));
        Assert.Equal([40001, 40002, 40003], Ports(Run(["--store", store, "sessions", "--app", "dns", "--host", "10.0.0.53", .. audit]).Json));
        Assert.Empty(Ports(Run(["--store", store, "sessions", "--sni", "*.example.com", .. audit]).Json));

        // The DNS sessions are 1 s apart from Start: a window of [Start+1.5 s, Start+2.5 s) holds only the third.
        var from = ((Start / 1_000_000_000) + 1.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        var to = ((Start / 1_000_000_000) + 2.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([40003], Ports(Run(["--store", store, "sessions", "--app", "dns", "--from", from, "--to", to, .. audit]).Json));
    }

    [Fact]
    public void Export_WritesEcsRecordsOfTheWindow_LedgeredWithTheFilesHash_AndNeverOverwrites()
    {
        var store = ImportedStore();
        var output = _directory.File("export.ndjson");

        var result = Run("--store", store, "sessions", "export", "--out", output, "--case", "CASE-7", "--reason", "to the SIEM", "--json").Json;

        var lines = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, lines.Count(l => l["event"]!["dataset"]!.GetValue<string>() == "recorder.session"));
        Assert.Equal(6, lines.Count(l => l["event"]!["dataset"]!.GetValue<string>() == "recorder.dns"));
        var http = Assert.Single(lines, l => l["event"]!["dataset"]!.GetValue<string>() == "recorder.http");
        Assert.Equal("/report-7.pdf", http["url"]!["original"]!.GetValue<string>());
        var file = Assert.Single(lines, l => l["event"]!["dataset"]!.GetValue<string>() == "recorder.file");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("%PDF"u8)), file["file"]!["hash"]!["sha256"]!.GetValue<string>());
        // Each record's session reference is the stored record's SEGMENT:ID.
        var stored = RecordLines(store, 1).Select(l => JsonNode.Parse(l)!).ToList();
        var httpSession = stored.Single(d => d["clientPort"]!.GetValue<int>() == 45000);
        Assert.Equal($"1:{httpSession["id"]}", http["recorder"]!["session"]!.GetValue<string>());

        var entry = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsExported);
        Assert.Equal("CASE-7", entry["case"]!.GetValue<string>());
        Assert.Equal(Hex.Lower(SHA256.HashData(File.ReadAllBytes(output))), entry["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(result["sha256"]!.GetValue<string>(), entry["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(lines.Count, entry["details"]!["records"]!["total"]!.GetValue<int>());

        // A window: only the third DNS session (Start+2 s) and the HTTP one after it.
        var windowed = _directory.File("window.ndjson");
        var from = ((Start / 1_000_000_000) + 1.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        Run("--store", store, "sessions", "export", "--from", from, "--out", windowed, "--case", "CASE-7", "--reason", "window");
        Assert.Equal(2, File.ReadAllLines(windowed).Count(l => l.Contains("\"recorder.session\"", StringComparison.Ordinal)));

        var again = Cli.Run("--store", store, "sessions", "export", "--out", output, "--case", "CASE-7", "--reason", "again");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal(2, LedgerEntries(store).Count(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsExported));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.partial-*", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public void Search_IsLedgered_WithCaseReasonFilterCountAndTheAnswersHash()
    {
        var store = ImportedStore();

        var result = Run("--store", store, "sessions", "--domain", "*.example.com", "--case", "CASE-3", "--reason", "audit check", "--json").Json;

        var entry = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsSearched);
        Assert.Equal("CASE-3", entry["case"]!.GetValue<string>());
        Assert.Equal("audit check", entry["reason"]!.GetValue<string>());
        Assert.Equal("*.example.com", entry["details"]!["filter"]!["domain"]!.GetValue<string>());
        Assert.Equal(3, entry["details"]!["results"]!.GetValue<int>());
        Assert.Equal(result["answerSha256"]!.GetValue<string>(), entry["hashes"]!["answer"]!.GetValue<string>());
        Assert.Equal(result["ledgerSeq"]!.GetValue<long>(), entry["seq"]!.GetValue<long>());

        // The answer is the matching records' lines as the ledgered metadata file holds them.
        var lines = RecordLines(store, 1)
            .Where(l => JsonNode.Parse(l)!["clientPort"]!.GetValue<int>() is 40001 or 40002 or 45000);
        var answer = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        Assert.Equal(Hex.Lower(SHA256.HashData(answer)), result["answerSha256"]!.GetValue<string>());
    }

    [Fact]
    public void Import_LedgersTheMetadataFile_AndSaysWhenItWasSearchable()
    {
        var store = _directory.File("store");
        var import = Run("--store", store, "import", "--sessions", WriteCapture(), "--json").Json;

        var built = Assert.Single(import["sessions"]!.AsArray())!;
        Assert.Equal(4, built["sessions"]!.GetValue<int>());
        Assert.Null(built["error"]);
        Assert.True(built["searchableSecondsAfterSeal"]!.GetValue<double>() >= 0);
        var entry = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsIndexed);
        Assert.Equal(CaptureFiles.Sha256(SessionsFile(store, 1)), entry["hashes"]!["sessions"]!.GetValue<string>());
        Assert.Equal(built["sha256"]!.GetValue<string>(), entry["hashes"]!["sessions"]!.GetValue<string>());
        // The JSON lines the block file holds (what zstd -dc prints) are hashed too.
        var records = Encoding.UTF8.GetBytes(string.Concat(RecordLines(store, 1).Select(l => l + "\n")));
        Assert.Equal(Hex.Lower(SHA256.HashData(records)), entry["hashes"]!["records"]!.GetValue<string>());
        Assert.Equal("segments/000000/000000000001.sessions.jsonl.zst", entry["details"]!["path"]!.GetValue<string>());
    }

    [Fact]
    public void Verify_AfterTheMetadataFileIsAltered_FailsNamingTheFile()
    {
        var store = ImportedStore();
        Run("--store", store, "verify");
        var file = SessionsFile(store, 1);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 3] ^= 0x01;
        File.WriteAllBytes(file, bytes);

        var verify = Cli.Run("--store", store, "verify", "--json");

        Assert.Equal(1, verify.ExitCode);
        var finding = Assert.Single(verify.Json["findings"]!.AsArray())!;
        Assert.Equal("segments/000000/000000000001.sessions.jsonl.zst", finding["subject"]!.GetValue<string>());
        Assert.Equal("session metadata", finding["check"]!.GetValue<string>());
    }

    [Fact]
    public void DamagedIndex_VerifyFails_AndSearchScansTheRecords_SayingSo()
    {
        var store = ImportedStore();
        var expected = Run("--store", store, "sessions", "--domain", "*.example.com", "--case", "C", "--reason", "R", "--json").Json;
        var file = SessionsFile(store, 1);
        var bytes = File.ReadAllBytes(file);
        bytes[^30] ^= 0x40; // inside the index frame, before the 20-byte footer
        File.WriteAllBytes(file, bytes);

        var verify = Cli.Run("--store", store, "verify", "--json");
        var search = Run("--store", store, "sessions", "--domain", "*.example.com", "--case", "C", "--reason", "R", "--json").Json;

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal("segments/000000/000000000001.sessions.jsonl.zst", Assert.Single(verify.Json["findings"]!.AsArray())!["subject"]!.GetValue<string>());
        Assert.Equal([1L], expected["segmentsIndexed"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Empty(search["segmentsIndexed"]!.AsArray());
        var fallback = Assert.Single(search["segmentsFullyScanned"]!.AsArray())!;
        Assert.Equal(1, fallback["segmentId"]!.GetValue<long>());
        Assert.StartsWith("index unreadable", fallback["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(expected["answerSha256"]!.GetValue<string>(), search["answerSha256"]!.GetValue<string>());
        var entry = LedgerEntries(store).Last(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsSearched);
        Assert.Equal(1, entry["details"]!["segmentsFullyScanned"]![0]!["segmentId"]!.GetValue<long>());
    }

    [Fact]
    public void FirstLayoutStore_WithOnlySessionsJsonl_SearchesByScan_SameAnswer_AndVerifies()
    {
        var store = ImportedStore();
        var expected = Run("--store", store, "sessions", "--app", "dns", "--case", "C", "--reason", "R", "--json").Json;
        // What a build before the index wrote: the plain JSON lines, ledgered under their own hash.
        var lines = Encoding.UTF8.GetBytes(string.Concat(RecordLines(store, 1).Select(l => l + "\n")));
        var plain = Path.ChangeExtension(SessionsFile(store, 1), null);
        File.Delete(SessionsFile(store, 1));
        File.WriteAllBytes(plain, lines);
        using (var opened = Recorder.Application.StoreAccess.Open(store, create: false, new Recorder.Application.StoreAccessOptions()).Store)
        {
            opened.Record(LedgerActions.SessionsIndexed, new JsonObject { ["segmentId"] = 1 },
                new Dictionary<string, string> { ["sessions"] = Hex.Lower(SHA256.HashData(lines)) },
                new JsonObject { ["path"] = "segments/000000/000000000001.sessions.jsonl" });
        }

        var search = Run("--store", store, "sessions", "--app", "dns", "--case", "C", "--reason", "R", "--json").Json;
        Run("--store", store, "verify");
        File.WriteAllBytes(plain, [.. lines[..^2], (byte)'x', (byte)'\n']);
        var verify = Cli.Run("--store", store, "verify", "--json");

        Assert.Equal(expected["answerSha256"]!.GetValue<string>(), search["answerSha256"]!.GetValue<string>());
        Assert.Equal(3, search["count"]!.GetValue<int>());
        Assert.Empty(search["segmentsIndexed"]!.AsArray());
        Assert.StartsWith("no index", search["segmentsFullyScanned"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, verify.ExitCode);
        Assert.Equal("segments/000000/000000000001.sessions.jsonl", Assert.Single(verify.Json["findings"]!.AsArray())!["subject"]!.GetValue<string>());
    }

    [Fact]
    public void Verify_WithoutTheMetadataFile_ReportsNotBuilt_AndIndexBuildsTheSameFile()
    {
        var store = ImportedStore();
        var file = SessionsFile(store, 1);
        var original = File.ReadAllBytes(file);
        File.Delete(file);

        var verify = Run("--store", store, "verify", "--json").Json;
        var search = Run("--store", store, "sessions", "--app", "dns", "--case", "C", "--reason", "R", "--json").Json;
        var index = Run("--store", store, "sessions", "index", "--json").Json;

        Assert.Equal([1L], verify["notes"]!["sessionMetadataNotBuilt"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(0, search["count"]!.GetValue<int>());
        Assert.Equal([1L], search["segmentsNotBuilt"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(1, index["segments"]!.GetValue<int>());
        Assert.Equal(original, File.ReadAllBytes(file));
        Run("--store", store, "verify");
    }

    [Fact]
    public void Import_WithNoSessions_BuildsNone_UntilSessionsIndex()
    {
        var store = _directory.File("store");
        var import = Run("--store", store, "import", "--no-sessions", WriteCapture(), "--json").Json;

        Assert.Empty(import["sessions"]!.AsArray());
        Assert.False(File.Exists(SessionsFile(store, 1)));
        Run("--store", store, "sessions", "index");
        Assert.Equal([40001], Ports(Run("--store", store, "sessions", "--domain", "www.example.com", "--case", "C", "--reason", "R", "--json").Json));
    }

    [Theory]
    [InlineData("--port", "http")]
    [InlineData("--port", "70000")]
    [InlineData("--ja3", "abc")]
    [InlineData("--cert-sha256", "zz")]
    [InlineData("--file-sha256", "abc")]
    [InlineData("--host", "999.1.1.1")]
    [InlineData("--proto", "tcpp")]
    [InlineData("--from", "yesterday")]
    [InlineData("--domain", " ")]
    public void BadFilter_ExitsTwo_NamingTheOption(string option, string value)
    {
        var store = ImportedStore();

        var result = Cli.Run("--store", store, "sessions", option, value, "--case", "C", "--reason", "R");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"recorder sessions: {option}:", result.Error.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--case")]
    [InlineData("--reason")]
    public void Search_WithoutCaseOrReason_ExitsTwo_AndIsNotRun(string missing)
    {
        var store = ImportedStore();
        string[] args = missing == "--case" ? ["--reason", "R"] : ["--case", "C"];

        var result = Cli.Run(["--store", store, "sessions", "--app", "dns", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(LedgerEntries(store), e => e["action"]!.GetValue<string>() == LedgerActions.SessionsSearched);
    }

    [SkippableTheory]
    [InlineData("http-download.pcap")]
    [InlineData("mixed.pcap")]
    public void Corpus_ImportAndSearch_GiveTheSameSessionsAsTheBuilderDirectly(string name)
    {
        var file = Path.Combine(ExternalTools.RequireShared(), "corpus", "small", name);
        var store = _directory.File("store-" + name);
        Run("--store", store, "import", "--sessions", file);

        var direct = new List<SessionRecord>();
        var all = new Dictionary<long, List<Recorder.Sessions.Files.TransferredFile>>();
        var observer = new Recorder.Sessions.Files.FileObserver(f => (all.TryGetValue(f.SessionId, out var list) ? list : all[f.SessionId] = []).Add(f));
        var builder = new SessionBuilder(new SessionOptions(), direct.Add, ApplicationSignatures.DefaultStreamFactories(observer),
            ApplicationSignatures.DefaultDatagramFactories());
        foreach (var packet in CaptureFiles.Read(file))
        {
            builder.Add(packet.LinkType, packet.Data, packet.Nanoseconds, 1, (int)packet.OriginalLength);
        }

        builder.Complete();
        var files = all.ToDictionary(p => p.Key, p => p.Value.Where(f => f.Sha256 is not null).Select(f => f.Sha256!).ToList());
        var expected = direct.OrderBy(r => r.Id).Select(r => Line(SessionDocument.From(r, 1, continuesPreviousSegment: false, files: all.GetValueOrDefault(r.Id)))).ToList();
        var searched = Run("--store", store, "sessions", "--case", "C", "--reason", "corpus", "--json").Json["results"]!.AsArray()
            .Select(r => r!.ToJsonString()).ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, RecordLines(store, 1));
        Assert.Equal(expected.Select(l => JsonNode.Parse(l)!.ToJsonString()), searched);
        Assert.Equal(direct.Count(r => r.Application == "http"),
            Run("--store", store, "sessions", "--app", "http", "--case", "C", "--reason", "corpus", "--json").Json["count"]!.GetValue<int>());
        // Every complete HTTP file is findable by its hash (http-download.pcap: the served files of MANIFEST).
        foreach (var (session, hashes) in files)
        {
            foreach (var hash in hashes)
            {
                Assert.Contains(Run("--store", store, "sessions", "--file-sha256", hash, "--case", "C", "--reason", "corpus", "--json").Json["results"]!.AsArray(),
                    r => r!["id"]!.GetValue<long>() == session);
            }
        }
    }

    private static string Line(SessionDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            SessionDocumentJson.Write(writer, document);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private string ImportedStore()
    {
        var store = _directory.File("store");
        Run("--store", store, "import", "--sessions", WriteCapture());
        return store;
    }

    /// <summary>
    /// Three DNS lookups (www.example.com, mail.example.com, other.test) from ports 40001..40003 one
    /// second apart, then an HTTP GET of files.example.com/report-7.pdf from port 45000.
    /// </summary>
    private string WriteCapture()
    {
        var packets = new List<TestPacket>();
        var time = Start;
        void Add(byte[] frame, long step = 1_000_000)
        {
            packets.Add(new TestPacket(LinkTypes.Ethernet, time, (uint)frame.Length, frame));
            time += step;
        }

        ushort id = 0x1000;
        foreach (var (port, name) in new[] { ((ushort)40001, "www.example.com"), ((ushort)40002, "mail.example.com"), ((ushort)40003, "other.test") })
        {
            Add(Udp("10.0.0.1", port, "10.0.0.53", 53, Dns(id, name, answer: null)));
            Add(Udp("10.0.0.53", 53, "10.0.0.1", port, Dns(id, name, answer: [93, 184, 216, 34])), 999_000_000);
            id++;
        }

        const uint c = 1000, s = 5000;
        var request = Encoding.ASCII.GetBytes("GET /report-7.pdf HTTP/1.1\r\nHost: files.example.com\r\nUser-Agent: TestAgent/1.0\r\n\r\n");
        var response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 4\r\n\r\n%PDF");
        Add(Tcp("10.0.0.1", 45000, "10.0.0.80", 80, c, 0, 0x02));
        Add(Tcp("10.0.0.80", 80, "10.0.0.1", 45000, s, c + 1, 0x12));
        Add(Tcp("10.0.0.1", 45000, "10.0.0.80", 80, c + 1, s + 1, 0x10));
        Add(Tcp("10.0.0.1", 45000, "10.0.0.80", 80, c + 1, s + 1, 0x18, request));
        Add(Tcp("10.0.0.80", 80, "10.0.0.1", 45000, s + 1, c + 1 + (uint)request.Length, 0x18, response));
        Add(Tcp("10.0.0.1", 45000, "10.0.0.80", 80, c + 1 + (uint)request.Length, s + 1 + (uint)response.Length, 0x11));
        Add(Tcp("10.0.0.80", 80, "10.0.0.1", 45000, s + 1 + (uint)response.Length, c + 2 + (uint)request.Length, 0x11));
        Add(Tcp("10.0.0.1", 45000, "10.0.0.80", 80, c + 2 + (uint)request.Length, s + 2 + (uint)response.Length, 0x10));
        var path = _directory.File($"sessions-{Guid.NewGuid():N}.pcap");
        CaptureFiles.Write(path, packets);
        return path;
    }

    private static byte[] Dns(ushort id, string name, byte[]? answer)
    {
        var message = new List<byte>();
        message.AddRange([(byte)(id >> 8), unchecked((byte)id), answer is null ? (byte)0x01 : (byte)0x81, answer is null ? (byte)0x00 : (byte)0x80, 0, 1, 0,
            answer is null ? (byte)0 : (byte)1, 0, 0, 0, 0]);
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, 0, 1, 0, 1]);
        if (answer is not null)
        {
            message.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4]);
            message.AddRange(answer);
        }

        return [.. message];
    }

    private static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, byte[] payload)
    {
        var transport = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(transport, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(4), (ushort)transport.Length);
        payload.CopyTo(transport.AsSpan(8));
        return Frames.Ip(source, destination, 17, transport);
    }

    private static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, uint seq, uint ack, byte flags, byte[]? payload = null) =>
        Frames.TcpSegment(source, sourcePort, destination, destinationPort, seq, ack, flags, payload);

    private static List<int> Ports(JsonNode result) =>
        result["results"]!.AsArray().Select(r => r!["clientPort"]!.GetValue<int>()).Order().ToList();

    private static string SessionsFile(string store, long id) =>
        Path.Combine(store, "segments", "000000", id.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".sessions.jsonl.zst");

    /// <summary>The JSON lines a segment's block file holds (zstd frames decompressed in order, index frames skipped).</summary>
    private static string[] RecordLines(string store, long id) =>
        Encoding.UTF8.GetString(Recorder.Storage.Sessions.SessionBlockFile.DecompressAll(SessionsFile(store, id))).Split('\n')[..^1];

    private static List<JsonNode> LedgerEntries(string store) =>
        File.ReadAllLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();

    private static CliResult Run(params string[] args)
    {
        var result = Cli.Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
