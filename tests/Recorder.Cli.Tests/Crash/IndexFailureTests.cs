using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Crash;

public sealed class IndexFailureTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-index-failure");

    private string Store => _directory.File("store");

    [Fact]
    public void Import_WhoseSegmentsCannotBeIndexed_ExitsOne_AndSaysSo_ThenRebuildRepairs()
    {
        var (warmUp, _) = Cli.Sample(_directory, packets: 100, seed: 61);
        var (input, truth) = Cli.Sample(_directory, packets: 300, seed: 62);
        Assert.Equal(0, Cli.Run("--store", Store, "import", warmUp).ExitCode);

        // The index directory replaced by a file: RocksDB cannot open it, while sealing works.
        var index = Path.Combine(Store, "index");
        Directory.Delete(index, recursive: true);
        File.WriteAllText(index, "not a database");
        var import = Cli.Run("--store", Store, "import", input);

        Assert.True(import.ExitCode == 1, import.ToString());
        Assert.Contains("sealed but not indexed", import.Error, StringComparison.Ordinal);
        Assert.Contains("recorder index rebuild", import.Error, StringComparison.Ordinal);
        File.Delete(index);
        Assert.Equal(0, Cli.Run("--store", Store, "index", "rebuild").ExitCode);
        var stats = Cli.Run("--store", Store, "stats", "--json");
        Assert.Equal(100 + truth.Packets, stats.Json["packets"]!.GetValue<long>());
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
    }

    public void Dispose() => _directory.Dispose();
}
