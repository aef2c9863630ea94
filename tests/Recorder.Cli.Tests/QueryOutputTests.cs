using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary><c>recorder query --out</c> never writes over a file; <c>--force</c> replaces only a file that no ledger entry names.</summary>
public sealed class QueryOutputTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-out");

    private string Store => _directory.File("store");

    [Fact]
    public void Query_OutIsAnExistingFile_ExitsTwo_LeavesItByteForByte_AndLedgersTheRefusal()
    {
        Import();
        var existing = _directory.File("capture.pcap");
        var original = Enumerable.Range(0, 4096).Select(i => unchecked((byte)i)).ToArray();
        File.WriteAllBytes(existing, original);

        var result = Query(existing);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("already exists", line, StringComparison.Ordinal);
        Assert.Contains("--force", line, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllBytes(existing));
        var refused = Ledger().Last();
        Assert.Equal("query.refused", refused["action"]!.GetValue<string>());
        Assert.Equal(existing, refused["details"]!["output"]!.GetValue<string>());
        Assert.Empty(Directory.GetFiles(_directory.Path, "capture.pcap.partial-*"));
    }

    [Fact]
    public void Query_WithForce_ReplacesAFileNoLedgerEntryNames()
    {
        Import();
        var existing = _directory.File("scratch.pcap");
        File.WriteAllBytes(existing, [1, 2, 3]);

        var result = Query(existing, "--force");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(CaptureFiles.Sha256(existing), result.Json["sha256"]!.GetValue<string>());
        var submitted = Ledger().Last(e => e["action"]!.GetValue<string>() == "query.submitted");
        Assert.True(submitted["details"]!["replaceExisting"]!.GetValue<bool>());
        Assert.True(Cli.Run("--store", Store, "verify").ExitCode == 0);
    }

    [Fact]
    public void Query_WithForce_NeverReplacesAnEarlierExtraction_SoVerifyKeepsPassing()
    {
        Import();
        var output = _directory.File("extract.pcap");
        var first = Query(output);
        Assert.True(first.ExitCode == 0, first.ToString());
        var sha256 = CaptureFiles.Sha256(output);

        var again = Query(output, "--force", "--format", "pcapng");

        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("extraction.written", again.Error, StringComparison.Ordinal);
        Assert.Equal(sha256, CaptureFiles.Sha256(output));
        var verify = Cli.Run("--store", Store, "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    public void Dispose() => _directory.Dispose();

    private void Import()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 300);
        var import = Cli.Run("--store", Store, "import", sample);
        Assert.True(import.ExitCode == 0, import.ToString());
    }

    private CliResult Query(string output, params string[] more) =>
        Cli.Run(["--store", Store, "query", "--proto", "tcp", "--case", "C-1", "--reason", "tests", "--out", output, "--json", .. more]);

    private List<JsonObject> Ledger() =>
        File.ReadAllLines(Path.Combine(Store, "ledger", "ledger.jsonl"))
            .Select(l => JsonNode.Parse(l) as JsonObject).Where(e => e?["action"] is not null).Select(e => e!).ToList();
}
