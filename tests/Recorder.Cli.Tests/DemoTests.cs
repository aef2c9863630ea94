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
}
