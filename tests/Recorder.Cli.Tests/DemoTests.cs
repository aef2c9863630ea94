using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>The README's main job: <c>recorder demo</c> runs end to end, and again on the same store.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-demo");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Demo_RunsEveryStep_AndRunsAgainOnTheSameStoreWithoutWritingOverItsEvidence()
    {
        var store = _directory.File("store");
        var work = _directory.File("work");

        var first = Cli.Run("--store", store, "demo", "--work", work);
        var second = Cli.Run("--store", store, "demo", "--work", work);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("imported 20,000 packets", first.Output, StringComparison.Ordinal);
        Assert.Contains("all signatures, hashes, the chain and the index hold", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("already holds these captures; not importing them twice", second.Output, StringComparison.Ordinal);
        Assert.Contains("all signatures, hashes, the chain and the index hold", second.Output, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(work, "extract-*.pcap").Length);
    }

    [Fact]
    public void Demo_WithJson_PrintsOneDocumentWithTheFactsOfEachStep()
    {
        var store = _directory.File("store-json");
        var work = _directory.File("work-json");

        var run = Cli.Run("--store", store, "demo", "--work", work, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var document = System.Text.Json.Nodes.JsonNode.Parse(run.Output)!;
        Assert.True(document["passed"]!.GetValue<bool>());
        Assert.Equal(20_000, document["imported"]!["packets"]!.GetValue<long>());
        var extract = document["extraction"]!["path"]!.GetValue<string>();
        Assert.Equal(CaptureFiles.Sha256(extract), document["extraction"]!["sha256"]!.GetValue<string>());
        Assert.True(document["verification"]!["passed"]!.GetValue<bool>());
        Assert.True(document["package"]!["verified"]!.GetValue<bool>());
        Assert.Contains(document["steps"]!.AsArray(), s => s!.GetValue<string>().Contains("imported 20,000 packets", StringComparison.Ordinal));
    }
}
