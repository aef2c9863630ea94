using System.IO.Compression;
using System.Text.Json.Nodes;
using Recorder.Signing;
using Recorder.TestSupport;
using PdfDocument = UglyToad.PdfPig.PdfDocument;

namespace Recorder.Cli.Tests;

public sealed class PackageTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-package");
    private readonly string _queryId;
    private readonly string _extraction;

    public PackageTests()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 3000);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        _extraction = _directory.File("needle.pcap");
        var needle = truth.Needles[0];
        var query = Cli.Run("--store", Store, "query", "--host", needle.Query.Hosts[0], "--port", needle.Query.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--out", _extraction, "--case", "CASE-2026-17", "--reason", "data sent to an unknown host", "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        _queryId = query.Json["queryId"]!.GetValue<string>();
    }

    private string Store => _directory.File("store");

    [SkippableFact]
    public void Package_VerifiesWithRecorderAndWithStandardTools_AndTheReportStatesTheFacts()
    {
        var package = _directory.File("package");
        var built = Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package, "--title", "Exfiltration", "--json");
        Assert.True(built.ExitCode == 0, built.ToString());

        var verified = Cli.Run("verify-package", package);
        Assert.True(verified.ExitCode == 0, verified.ToString());

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")))!;
        Assert.Equal("CASE-2026-17", manifest["case"]!["id"]!.GetValue<string>());
        var evidence = manifest["evidence"]![0]!;
        Assert.Equal(CaptureFiles.Sha256(_extraction), evidence["sha256"]!.GetValue<string>());
        Assert.Equal(40, evidence["sha1"]!.GetValue<string>().Length);
        Assert.Equal(32, evidence["md5"]!.GetValue<string>().Length);
        Assert.Equal(File.ReadAllBytes(_extraction), File.ReadAllBytes(Path.Combine(package, evidence["file"]!.GetValue<string>())));
        var ledger = Cli.Run("--store", Store, "ledger", "--json", "--action", "package.built", "--action", "report.generated").Json.AsArray();
        Assert.Equal(built.Json["manifestSha256"]!.GetValue<string>(), ledger[0]!["hashes"]!["manifest"]!.GetValue<string>());
        Assert.Equal(CaptureFiles.Sha256(Path.Combine(package, "report.pdf")), ledger[1]!["hashes"]!["report"]!.GetValue<string>());

        using (var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf")))
        {
            var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
            Assert.Contains("CASE-2026-17", text, StringComparison.Ordinal);
            Assert.Contains(evidence["sha256"]!.GetValue<string>(), text, StringComparison.Ordinal);
            Assert.Contains(built.Json["manifestSha256"]!.GetValue<string>(), text, StringComparison.Ordinal);
            Assert.Contains("902(13)", text, StringComparison.Ordinal);
            Assert.Contains($"Page {pdf.NumberOfPages} of {pdf.NumberOfPages}", text, StringComparison.Ordinal);
        }

        var sha256sum = ExternalTools.Require("sha256sum", "coreutils");
        var openssl = ExternalTools.Require("openssl", "openssl");
        var sums = ExternalTools.Run(sha256sum, ["-c", "SHA256SUMS"], workingDirectory: package);
        Assert.True(sums.ExitCode == 0, sums.Output + sums.Error);
        var signature = ExternalTools.Run(openssl, ["pkeyutl", "-verify", "-pubin", "-inkey", "signing.pub.pem", "-rawin", "-in", "manifest.json", "-sigfile", "manifest.sig"], workingDirectory: package);
        Assert.True(signature.ExitCode == 0, signature.Output + signature.Error);
        var stamp = ExternalTools.Run(openssl, ["ts", "-verify", "-data", "custody/checkpoint.txt", "-in", "custody/checkpoint.tsr", "-CAfile", "custody/tsa.pem"], workingDirectory: package);
        Assert.True(stamp.ExitCode == 0, stamp.Output + stamp.Error);
    }

    [Fact]
    public void ZipPackage_VerifiesToo()
    {
        var zip = _directory.File("package.zip");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", zip).ExitCode);

        Assert.True(File.Exists(zip));
        Assert.Equal(0, Cli.Run("verify-package", zip).ExitCode);
        using var archive = ZipFile.OpenRead(zip);
        Assert.Contains(archive.Entries, e => e.FullName == "report.pdf");
    }

    [Theory]
    [InlineData("change")]
    [InlineData("add")]
    [InlineData("remove")]
    [InlineData("report")]
    public void VerifyPackage_AnyChangedAddedOrRemovedFile_IsFoundAndNamed(string tamper)
    {
        var package = _directory.File("package");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);
        var evidence = Directory.GetFiles(Path.Combine(package, "evidence")).Single();
        string named;
        switch (tamper)
        {
            case "change":
                var bytes = File.ReadAllBytes(evidence);
                bytes[^1] ^= 1;
                File.WriteAllBytes(evidence, bytes);
                named = "evidence/" + Path.GetFileName(evidence);
                break;
            case "add":
                File.WriteAllText(Path.Combine(package, "evidence", "extra.pcap"), "x");
                named = "evidence/extra.pcap";
                break;
            case "remove":
                File.Delete(Path.Combine(package, "custody", "proofs", Directory.GetFiles(Path.Combine(package, "custody", "proofs")).Select(Path.GetFileName).First()!));
                named = "custody/proofs/";
                break;
            default:
                File.AppendAllText(Path.Combine(package, "report.pdf"), "%% appended");
                named = "report.pdf";
                break;
        }

        var result = Cli.Run("verify-package", package, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Json["findings"]!.AsArray(), f => f!["subject"]!.GetValue<string>().StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void VerifyPackage_ResignedWithAnotherKey_IsCaughtWhenTheKeyIsPinned()
    {
        var package = _directory.File("package");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);
        var storeKey = _directory.File("store-key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", storeKey).ExitCode);
        var forger = Ed25519Key.Generate();
        File.WriteAllText(Path.Combine(package, "signing.pub.pem"), forger.PublicKeyPem());
        File.WriteAllBytes(Path.Combine(package, "SHA256SUMS.sig"), forger.Sign(File.ReadAllBytes(Path.Combine(package, "SHA256SUMS"))));

        var result = Cli.Run("verify-package", package, "--key", storeKey, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Json["findings"]!.AsArray(), f => f!["check"]!.GetValue<string>() == "key fingerprint");
    }

    [Fact]
    public void Package_Refuses_UnknownQueries_ExistingOutput_AndChangedExtractions()
    {
        Assert.Equal(2, Cli.Run("--store", Store, "package", "--query", Guid.NewGuid().ToString(), "--out", _directory.File("a")).ExitCode);
        Assert.Equal(2, Cli.Run("--store", Store, "package", "--query", "../../etc/passwd", "--out", _directory.File("b")).ExitCode);
        Directory.CreateDirectory(_directory.File("c"));
        File.WriteAllText(_directory.File("c/x"), "x");
        Assert.Equal(2, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", _directory.File("c")).ExitCode);
        File.AppendAllText(_extraction, "tampered");
        var changed = Cli.Run("--store", Store, "package", "--query", _queryId, "--out", _directory.File("d"));
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains("changed since", changed.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.File("d")));
    }

    [Fact]
    public void Package_ReportsTheImportsStartAndEnd_AsRecorded()
    {
        var import = Cli.Run("--store", Store, "ledger", "--json", "--action", "import.completed").Json.AsArray().Single()!;
        var started = import["details"]!["startedAt"]!.GetValue<string>();
        var ended = import["time"]!.GetValue<string>();
        Assert.True(string.CompareOrdinal(started, ended) < 0, $"import started {started}, ended {ended}");

        var package = _directory.File("package-times");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);
        using var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf"));
        var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
        Assert.Contains("Started" + started, text, StringComparison.Ordinal);
        Assert.Contains("Ended" + ended, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_NamesTheExaminerAndOrganisation_InVerifyTxtTheReportAndTheLedger()
    {
        var package = _directory.File("package-examiner");
        var built = Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package, "--examiner", "Dana Ruiz", "--organisation", "Example Forensics Ltd");
        Assert.True(built.ExitCode == 0, built.ToString());

        Assert.Contains("Examiner: Dana Ruiz, Example Forensics Ltd.", File.ReadAllText(Path.Combine(package, "VERIFY.txt")), StringComparison.Ordinal);
        using (var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf")))
        {
            Assert.Contains("Dana Ruiz, Example Forensics Ltd", string.Join("\n", pdf.GetPages().Select(p => p.Text)), StringComparison.Ordinal);
        }

        var entry = Cli.Run("--store", Store, "ledger", "--json", "--action", "package.built").Json.AsArray()[^1]!;
        Assert.Equal("Dana Ruiz", entry["details"]!["examiner"]!.GetValue<string>());
        Assert.Equal("Example Forensics Ltd", entry["details"]!["organisation"]!.GetValue<string>());
    }

    [Fact]
    public void Package_NoTextFileStartsWithAByteOrderMark()
    {
        var package = _directory.File("package-bom");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);

        var files = Directory.GetFiles(package, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Path.GetFileName(f) == "VERIFY.txt");
        foreach (var file in files)
        {
            var head = File.ReadAllBytes(file).Take(3).ToArray();
            Assert.False(head is [0xEF, 0xBB, 0xBF], $"{Path.GetRelativePath(package, file)} starts with a UTF-8 byte-order mark");
        }
    }

    [Fact]
    public void Package_VerifyTxtAndReport_NumberTheStepsTheSame()
    {
        var package = _directory.File("package-steps");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);

        var steps = File.ReadAllLines(Path.Combine(package, "VERIFY.txt"))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^(\d+)\. (.+):$")).Where(m => m.Success)
            .Select(m => (Number: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Title: m.Groups[2].Value)).ToList();
        Assert.True(steps.Count >= 5, "VERIFY.txt lists no numbered steps");
        Assert.Equal(Enumerable.Range(1, steps.Count), steps.Select(s => s.Number));
        Assert.Contains(steps, s => s.Title.Contains("SHA256SUMS is signed", StringComparison.Ordinal));

        using var pdf = PdfDocument.Open(Path.Combine(package, "report.pdf"));
        var text = Squeeze(string.Join("\n", pdf.GetPages().Select(p => p.Text)));
        foreach (var (number, title) in steps)
        {
            Assert.Contains(Squeeze($"{number}.{title}"), text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Squeeze($"{steps.Count + 1}."), Squeeze(File.ReadAllText(Path.Combine(package, "VERIFY.txt")).Split("Also:")[0]).Split(Squeeze(steps[^1].Title))[1], StringComparison.Ordinal);

        static string Squeeze(string value) => new(value.Where(c => !char.IsWhiteSpace(c)).ToArray());
    }

    [Fact]
    public void Package_ToolsThatPrintLocalTime_RunWithTzUtc()
    {
        var package = _directory.File("package-tz");
        Assert.Equal(0, Cli.Run("--store", Store, "package", "--query", _queryId, "--out", package).ExitCode);

        var verify = File.ReadAllText(Path.Combine(package, "VERIFY.txt"));
        Assert.Contains("TZ=UTC capinfos", verify, StringComparison.Ordinal);
        Assert.DoesNotContain(" capinfos", verify.Replace("TZ=UTC capinfos", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
