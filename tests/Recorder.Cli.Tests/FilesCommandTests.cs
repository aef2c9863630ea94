using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// `recorder files extract` end to end on traffic the test builds: an HTTP body sent gzip-coded and
/// chunked, an SMTP base64 attachment, an FTP PASV RETR and an active-mode STOR come out byte for
/// byte as sent, with a sidecar and a `files.extracted` ledger entry holding their hashes; a bad
/// hash is a usage error, an unknown one "not found", and a file cut by a gap is refused.
/// </summary>
public sealed class FilesCommandTests : IDisposable
{
    private const long Start = 1_790_000_000_000_000_000L;
    private readonly TempDirectory _directory = new("recorder-files");
    private readonly byte[] _httpFile = Random(20_000, 1);
    private readonly byte[] _attachment = Random(5_000, 2);
    private readonly byte[] _retrieved = Random(30_000, 3);
    private readonly byte[] _stored = Random(12_345, 4);
    private readonly byte[] _cut = Random(9_000, 5);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Extract_EachProtocolsFile_WritesTheBytesSent_WithSidecarAndLedgerEntry()
    {
        var store = ImportedStore();
        foreach (var (bytes, protocol, direction, name) in new[]
        {
            (_httpFile, "http", "download", "report.bin"),
            (_attachment, "smtp", "upload", "secrets.bin"),
            (_retrieved, "ftp", "download", "customers.db"),
            (_stored, "ftp", "upload", "loot.tar"),
        })
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var output = _directory.File("out-" + protocol + direction);
            var result = Cli.Run("--store", store, "files", "extract", "--sha256", sha.ToUpperInvariant(), "--case", "CASE-9", "--reason", "exfiltration", "--out", output, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            var json = result.Json;

            var path = json["path"]!.GetValue<string>();
            Assert.Equal(Path.Combine(output, $"{sha}-{name}"), path);
            Assert.Equal(bytes, File.ReadAllBytes(path));
            Assert.Equal((protocol, direction), (json["protocol"]!.GetValue<string>(), json["direction"]!.GetValue<string>()));
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bytes)), json["md5"]!.GetValue<string>());
            var sidecar = JsonNode.Parse(File.ReadAllText(json["sidecar"]!.GetValue<string>()))!;
            Assert.Equal(sha, sidecar["sha256"]!.GetValue<string>());
            Assert.Equal(name, sidecar["claimedName"]!.GetValue<string>());
            Assert.Equal(bytes.Length, sidecar["size"]!.GetValue<long>());
            Assert.Equal(2, Directory.GetFiles(output).Length);

            var entry = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.FilesExtracted
                && e["hashes"]!["file"]!.GetValue<string>() == sha);
            Assert.Equal(("CASE-9", "exfiltration"), (entry["case"]!.GetValue<string>(), entry["reason"]!.GetValue<string>()));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(json["sidecar"]!.GetValue<string>()))), entry["hashes"]!["sidecar"]!.GetValue<string>());
            Assert.Equal(json["sessionId"]!.GetValue<long>(), entry["details"]!["sessionId"]!.GetValue<long>());
            Assert.Equal([1L], entry["details"]!["segments"]!.AsArray().Select(s => s!.GetValue<long>()));
        }
    }

    [Fact]
    public void Extract_BadHash_IsAUsageError_UnknownIsNotFound_CutFileIsRefused()
    {
        var store = ImportedStore();
        string[] audit = ["--case", "CASE-9", "--reason", "r"];
        var output = _directory.File("refused");

        var bad = Cli.Run(["--store", store, "files", "extract", "--sha256", "abc", "--out", output, .. audit]);
        var unknown = Cli.Run(["--store", store, "files", "extract", "--sha256", new string('0', 64), "--out", output, .. audit]);
        // The octets seen of the cut transfer (up to the gap) hash to the partial hash the metadata keeps.
        var partial = Convert.ToHexStringLower(SHA256.HashData(_cut.AsSpan(0, 4_000)));
        var cut = Cli.Run(["--store", store, "files", "extract", "--sha256", partial, "--out", output, .. audit]);
        var noCase = Cli.Run("--store", store, "files", "extract", "--sha256", new string('0', 64), "--out", output);

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--sha256", bad.Error, StringComparison.Ordinal);
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("no session metadata names", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("incomplete file (Gap", cut.Error, StringComparison.Ordinal);
        Assert.Equal(2, noCase.ExitCode);
        Assert.True(!Directory.Exists(output) || Directory.GetFiles(output).Length == 0, "nothing may be written");
        Assert.DoesNotContain(LedgerEntries(store), e => e["action"]!.GetValue<string>() == LedgerActions.FilesExtracted);
    }

    private string ImportedStore()
    {
        var store = _directory.File("store");
        var import = Cli.Run("--store", store, "import", "--sessions", WriteCapture());
        Assert.True(import.ExitCode == 0, import.ToString());
        return store;
    }

    private string WriteCapture()
    {
        var capture = new ScriptedCapture(Start);

        // HTTP: gzip content coding, sent chunked.
        var http = new ScriptedFlow(capture, "10.0.0.1", 45000, "10.0.0.80", 80);
        http.Send(true, Encoding.ASCII.GetBytes("GET /files/report.bin HTTP/1.1\r\nHost: files.example.com\r\n\r\n"));
        http.Send(false, Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var gzip = Gzip(_httpFile);
        for (var i = 0; i < gzip.Length; i += 3000)
        {
            var chunk = gzip.AsSpan(i, Math.Min(3000, gzip.Length - i)).ToArray();
            http.Send(false, [.. Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"), .. chunk, .. "\r\n"u8]);
        }

        http.Send(false, "0\r\n\r\n"u8.ToArray());
        http.Close();

        // SMTP: a base64 attachment.
        var smtp = new ScriptedFlow(capture, "10.0.0.1", 45100, "10.0.0.25", 25);
        smtp.Send(false, "220 mail.example.com ESMTP\r\n"u8.ToArray());
        smtp.Send(true, "EHLO client\r\n"u8.ToArray());
        smtp.Send(false, "250 mail.example.com\r\n"u8.ToArray());
        smtp.Send(true, "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"u8.ToArray());
        smtp.Send(false, "250 ok\r\n250 ok\r\n354 go ahead\r\n"u8.ToArray());
        var base64 = Convert.ToBase64String(_attachment, Base64FormattingOptions.InsertLineBreaks);
        smtp.Send(true, Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: q3\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
            "--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n" +
            "Content-Disposition: attachment; filename=\"secrets.bin\"\r\n\r\n" + base64 + "\r\n--XX--\r\n.\r\n"));
        smtp.Send(false, "250 queued\r\n"u8.ToArray());
        smtp.Send(true, "QUIT\r\n"u8.ToArray());
        smtp.Send(false, "221 bye\r\n"u8.ToArray());
        smtp.Close();

        // FTP: PASV + RETR, PORT + STOR, PASV + RETR cut by a gap.
        var ftp = new ScriptedFlow(capture, "10.0.0.1", 45200, "10.0.0.21", 21);
        ftp.Send(false, "220 FTP ready\r\n"u8.ToArray());
        ftp.Send(true, "USER alice\r\n"u8.ToArray());
        ftp.Send(false, "331 password\r\n"u8.ToArray());
        ftp.Send(true, "PASS x\r\n"u8.ToArray());
        ftp.Send(false, "230 ok\r\n"u8.ToArray());
        ftp.Send(true, "PASV\r\n"u8.ToArray());
        ftp.Send(false, "227 Entering Passive Mode (10,0,0,21,156,65)\r\n"u8.ToArray());
        var retr = new ScriptedFlow(capture, "10.0.0.1", 45201, "10.0.0.21", 40001);
        ftp.Send(true, "RETR /export/customers.db\r\n"u8.ToArray());
        ftp.Send(false, "150 Opening BINARY mode data connection (30000 bytes)\r\n"u8.ToArray());
        retr.SendInSegments(false, _retrieved);
        retr.Close(serverFirst: true);
        ftp.Send(false, "226 done\r\n"u8.ToArray());
        ftp.Send(true, "PORT 10,0,0,1,156,66\r\n"u8.ToArray());
        ftp.Send(false, "200 ok\r\n"u8.ToArray());
        ftp.Send(true, "STOR loot.tar\r\n"u8.ToArray());
        var stor = new ScriptedFlow(capture, "10.0.0.21", 20, "10.0.0.1", 40002);
        ftp.Send(false, "150 send it\r\n"u8.ToArray());
        stor.SendInSegments(false, _stored);
        stor.Close(serverFirst: true);
        ftp.Send(false, "226 done\r\n"u8.ToArray());
        ftp.Send(true, "PASV\r\n"u8.ToArray());
        ftp.Send(false, "227 Entering Passive Mode (10,0,0,21,156,67)\r\n"u8.ToArray());
        var cut = new ScriptedFlow(capture, "10.0.0.1", 45203, "10.0.0.21", 40003);
        ftp.Send(true, "RETR cut.bin\r\n"u8.ToArray());
        cut.SendInSegments(false, _cut, skipFrom: 4_000, skipLength: 1_000);
        cut.Close(serverFirst: true);
        ftp.Send(false, "226 done\r\n"u8.ToArray());
        ftp.Send(true, "QUIT\r\n"u8.ToArray());
        ftp.Send(false, "221 bye\r\n"u8.ToArray());
        ftp.Close();

        var path = _directory.File($"files-{Guid.NewGuid():N}.pcap");
        CaptureFiles.Write(path, capture.Packets);
        return path;
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static List<JsonNode> LedgerEntries(string store) =>
        File.ReadAllLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();
}
