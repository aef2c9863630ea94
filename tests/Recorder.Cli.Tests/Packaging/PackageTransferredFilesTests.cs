using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.TestSupport;
using PdfDocument = UglyToad.PdfPig.PdfDocument;

namespace Recorder.Cli.Tests.Packaging;

/// <summary>
/// `recorder package --file-extraction ID` on traffic the test builds (an HTTP download of a PDF):
/// the file extracted by `recorder files extract` and its sidecar go into files/ beside the query's
/// packets, listed in the manifest, SHA256SUMS, VERIFY.txt (checked with sha256sum), the report and
/// case.jsonld, with the files.extracted entry and its proof in custody/; verify-package finds a
/// changed or missing file; an unknown extraction, one of another case, or a file moved or changed
/// since it was extracted refuses the package (exit 2, nothing written).
/// </summary>
public sealed class PackageTransferredFilesTests : IDisposable
{
    private const string Case = "CASE-2026-40";
    private readonly TempDirectory _directory = new("recorder-package-files");
    private readonly byte[] _body = Body();
    private readonly string _sha256;
    private readonly string _queryId;
    private readonly string _extractionId;
    private readonly string _extractedPath;

    public PackageTransferredFilesTests()
    {
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(_body));
        var capture = _directory.File("download.pcap");
        SyntheticTcpCapture.Write(capture,
        [
            (true, Encoding.ASCII.GetBytes("GET /docs/report.pdf HTTP/1.1\r\nHost: files.example.com\r\n\r\n")),
            (false, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {_body.Length}\r\n\r\n"), .. _body]),
        ]);
        var import = Cli.Run("--store", Store, "import", "--sessions", capture);
        Assert.True(import.ExitCode == 0, import.ToString());
        var extracted = Extract(Case, _directory.File("extracted"));
        _extractionId = extracted["extractionId"]!.GetValue<string>();
        _extractedPath = extracted["path"]!.GetValue<string>();
        var query = Cli.Run("--store", Store, "query", "--host", SyntheticTcpCapture.ServerAddress, "--out", _directory.File("download-query.pcap"),
            "--case", Case, "--reason", "report downloaded", "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        _queryId = query.Json["queryId"]!.GetValue<string>();
    }

    private string Store => _directory.File("store");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public void Package_WithAFileExtraction_CarriesTheFileBesideThePackets_ListedEverywhere_AndVerifies()
    {
        var package = _directory.File("package");
        var built = Cli.Run("--store", Store, "package", "--query", _queryId, "--file-extraction", _extractionId, "--out", package, "--json");
        Assert.True(built.ExitCode == 0, built.ToString());

        var verified = Cli.Run("verify-package", package);
        Assert.True(verified.ExitCode == 0, verified.ToString());

        // manifest.json files[]: the ledger's facts and the copy's hashes.
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!;
        var file = Assert.Single(manifest["files"]!.AsArray())!;
        var name = file["file"]!.GetValue<string>();
        Assert.Equal($"files/{_extractionId}/{_sha256}-report.pdf", name);
        Assert.Equal(_body, File.ReadAllBytes(Path.Combine(package, name)));
        Assert.Equal(File.ReadAllBytes(_extractedPath), File.ReadAllBytes(Path.Combine(package, name)));
        Assert.Equal(_sha256, file["sha256"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(_body)), file["sha1"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(_body)), file["md5"]!.GetValue<string>());
        Assert.Equal(_body.Length, file["bytes"]!.GetValue<long>());
        Assert.Equal(("pdf", "http", "download"), (file["type"]!.GetValue<string>(), file["protocol"]!.GetValue<string>(), file["direction"]!.GetValue<string>()));
        var sidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(package, file["sidecar"]!.GetValue<string>())))!;
        Assert.Equal((_extractionId, _sha256), (sidecar["extractionId"]!.GetValue<string>(), sidecar["sha256"]!.GetValue<string>()));

        // Custody: the files.extracted entry, proven, and package.built naming the extraction and the file's hash.
        var custody = File.ReadAllLines(Path.Combine(package, "custody", "entries.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var extraction = Assert.Single(custody, e => e["action"]!.GetValue<string>() == LedgerActions.FilesExtracted)!;
        Assert.Equal(file["extractedSeq"]!.GetValue<long>(), extraction["seq"]!.GetValue<long>());
        Assert.True(File.Exists(Path.Combine(package, "custody", "proofs", extraction["seq"]!.GetValue<long>().ToString("D10", System.Globalization.CultureInfo.InvariantCulture) + ".json")));
        Assert.Contains(custody, e => e["action"]!.GetValue<string>() == LedgerActions.SegmentSealed
            && e["subjects"]!["segmentId"]!.GetValue<long>() == file["segmentId"]!.GetValue<long>());
        var packageBuilt = custody.Single(e => e["action"]!.GetValue<string>() == LedgerActions.PackageBuilt);
        Assert.Equal([_extractionId], packageBuilt["subjects"]!["fileExtractionIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(_sha256, packageBuilt["hashes"]![name]!.GetValue<string>());

        // VERIFY.txt: sha256sum lines anyone can check.
        var lines = File.ReadAllLines(Path.Combine(package, "VERIFY.txt")).Where(l => l.Length > 66 && l[64..66] == "  " && l[66..].StartsWith("files/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains($"{_sha256}  {name}", lines);
        var sha256sum = ExternalTools.Require("sha256sum", "coreutils");
        File.WriteAllLines(_directory.File("files.sha256"), lines);
        var check = ExternalTools.Run(sha256sum, ["-c", _directory.File("files.sha256")], workingDirectory: package);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);

        // The report's table and the CASE/UCO graph.
        using (var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf")))
        {
            var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
            Assert.Contains("Transferred files", text, StringComparison.Ordinal);
            Assert.Contains(_sha256, text, StringComparison.Ordinal);
        }

        var graph = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "case.jsonld")))!["@graph"]!.AsArray();
        var node = Assert.Single(graph, n => n!["@id"]!.GetValue<string>().StartsWith("kb:transferred-file-", StringComparison.Ordinal))!;
        Assert.Contains(_sha256.ToUpperInvariant(), node.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(graph, n => n!["uco-core:name"]?.GetValue<string>() == "Extraction of a transferred file");
    }

    [Fact]
    public void Package_WithoutFileExtractions_HasNoFilesMemberNorFolder()
    {
        var package = _directory.File("package-plain");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);

        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!.AsObject()["files"]);
        Assert.False(Directory.Exists(Path.Combine(package, "files")));
        Assert.DoesNotContain("Transferred files", File.ReadAllText(Path.Combine(package, "VERIFY.txt")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("change")]
    [InlineData("remove")]
    [InlineData("sidecar")]
    public void VerifyPackage_ChangedOrMissingTransferredFile_IsAFindingNamingIt(string tamper)
    {
        var package = _directory.File("package-" + tamper);
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--file-extraction", _extractionId, "--out", package).ExitCode);
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!["files"]![0]!;
        var target = file[tamper == "sidecar" ? "sidecar" : "file"]!.GetValue<string>();
        var path = Path.Combine(package, target);
        if (tamper == "remove")
        {
            File.Delete(path);
        }
        else
        {
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 1;
            File.WriteAllBytes(path, bytes);
        }

        var result = Cli.Run("verify-package", package, "--json");

        Assert.Equal(1, result.ExitCode);
        var findings = result.Json["findings"]!.AsArray().Select(f => (Subject: f!["subject"]!.GetValue<string>(), Check: f["check"]!.GetValue<string>())).ToList();
        // Beyond SHA256SUMS: the manifest's own check of the file names it.
        Assert.Contains((target, tamper == "remove" ? "transferred file" : "sha256"), findings);
    }

    [Fact]
    public void Package_Refuses_UnknownOtherCaseMovedOrChangedExtractions()
    {
        var other = Extract("CASE-OTHER", _directory.File("extracted-other"))["extractionId"]!.GetValue<string>();

        var notUuid = Package("package-a", "../etc/passwd");
        var unknown = Package("package-b", Guid.NewGuid().ToString());
        var otherCase = Package("package-c", other);
        File.Move(_extractedPath, _extractedPath + ".moved");
        var moved = Package("package-d", _extractionId);
        File.WriteAllBytes(_extractedPath, [.. _body, 0x0a]);
        var changed = Package("package-e", _extractionId);

        foreach (var (result, message) in new[]
        {
            (notUuid, "is not an extraction id"),
            (unknown, "not in the ledger"),
            (otherCase, "a package holds one case"),
            (moved, "is no longer there"),
            (changed, "changed since"),
        })
        {
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(message, result.Error, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetDirectories(_directory.Path, "package-*"));
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(Store, "ledger", "ledger.jsonl")), l => l.Contains(LedgerActions.PackageBuilt, StringComparison.Ordinal));
    }

    private CliResult Package(string name, string extractionId) =>
        Cli.Run("--store", Store, "package", "--query", _queryId, "--file-extraction", extractionId, "--out", _directory.File(name));

    private JsonNode Extract(string caseId, string output)
    {
        var result = Cli.Run("--store", Store, "files", "extract", "--sha256", _sha256, "--case", caseId, "--reason", "report downloaded", "--out", output, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    private static byte[] Body()
    {
        var body = new byte[20_000];
        new Random(40).NextBytes(body);
        "%PDF-1.7\n"u8.CopyTo(body);
        return body;
    }
}
