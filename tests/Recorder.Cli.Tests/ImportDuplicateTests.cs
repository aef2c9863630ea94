using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary><c>recorder import</c> refuses an input whose SHA-256 the store already holds, unless <c>--allow-duplicate</c> insists (ledgered).</summary>
public sealed class ImportDuplicateTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-dup");

    private string Store => _directory.File("store");

    [Fact]
    public void Import_TheSameFileTwice_ExitsTwo_StoresNothingMore_AndExtractionsKeepTheirCount()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 400);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var segmentsBefore = Cli.Run("--store", Store, "segments", "--json").Json.AsArray().Count;

        var again = Cli.Run("--store", Store, "import", sample);

        Assert.True(again.ExitCode == 2, again.ToString());
        var line = Assert.Single(again.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(CaptureFiles.Sha256(sample), line, StringComparison.Ordinal);
        Assert.Contains("already holds", line, StringComparison.Ordinal);
        Assert.Contains("--allow-duplicate", line, StringComparison.Ordinal);
        Assert.Equal(segmentsBefore, Cli.Run("--store", Store, "segments", "--json").Json.AsArray().Count);
        var refused = Ledger().Last();
        Assert.Equal("import.refused", refused["action"]!.GetValue<string>());
        Assert.Equal("DuplicateCaptureException", refused["details"]!["errorType"]!.GetValue<string>());
        Assert.True(refused["details"]!["storedNothing"]!.GetValue<bool>());

        var output = _directory.File("all.pcap");
        var query = Cli.Run("--store", Store, "query", "--case", "C", "--reason", "r", "--out", output, "--json");
        Assert.Equal(truth.Packets, query.Json["packets"]!.GetValue<long>());
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
    }

    [Fact]
    public void Import_TheSameFileTwiceInOneCall_IsRefused()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 200);
        var copy = _directory.File("copy.pcap");
        File.Copy(sample, copy);

        var result = Cli.Run("--store", Store, "import", sample, copy);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("earlier in this import", result.Error, StringComparison.Ordinal);
        Assert.Equal("[]", Cli.Run("--store", Store, "segments", "--json").Json.ToJsonString());
    }

    [Fact]
    public void Import_WithAllowDuplicate_StoresItAgain_AndTheLedgerSaysSo()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 300);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
        var firstSegments = Cli.Run("--store", Store, "segments", "--json").Json.AsArray().Select(s => s!["id"]!.GetValue<long>()).ToList();

        var again = Cli.Run("--store", Store, "import", sample, "--allow-duplicate", "--json");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(truth.Packets, again.Json["packets"]!.GetValue<long>());
        var completed = Ledger().Last(e => e["action"]!.GetValue<string>() == "import.completed");
        var allowed = Assert.Single(completed["details"]!["allowedDuplicates"]!.AsArray())!;
        Assert.Equal(CaptureFiles.Sha256(sample), allowed["sha256"]!.GetValue<string>());
        Assert.Equal(firstSegments, allowed["alreadyInSegments"]!.AsArray().Select(s => s!.GetValue<long>()).ToList());
    }

    public void Dispose() => _directory.Dispose();

    private List<JsonObject> Ledger() =>
        File.ReadAllLines(Path.Combine(Store, "ledger", "ledger.jsonl"))
            .Select(l => JsonNode.Parse(l) as JsonObject).Where(e => e?["action"] is not null).Select(e => e!).ToList();
}
