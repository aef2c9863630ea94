using Recorder.Application;
using Recorder.Storage.Import;
using Recorder.Storage.Segments;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Crash;

/// <summary>
/// Verification beside a writer checks the segments sealed when it starts and never reports a seal
/// in progress as a problem (a false failure would go into the permanent record as verify.completed).
/// </summary>
public sealed class VerifyBesideWritersTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-verify-beside");

    private string StorePath => _directory.File("store");

    public static TheoryData<string> Steps() => FaultyStore.Steps();

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Verify_WhileAnImportIsStoppedAtEachSealStep_Passes(string stepName)
    {
        var step = Enum.Parse<SealStep>(stepName);
        var (input, _) = Cli.Sample(_directory, packets: 2000, seed: 42);
        using var pause = new PauseAt(step, occurrence: 2);
        using var store = FaultyStore.Open(StorePath, pause);
        var import = Task.Run(() => new CaptureImporter(store).Import([input], new ImportOptions()));
        Assert.True(pause.WaitUntilReached(TimeSpan.FromMinutes(2)), "the import never reached " + step);

        // Another process's view: its own store instance, opened (with recovery) as `recorder verify` opens it.
        var verify = Task.Run(() =>
        {
            using var verifier = StoreAccess.Open(StorePath, create: false, FaultyStore.Options, ledgerOnDemand: true).Store;
            return StoreAudit.Verify(verifier, []);
        });
        if (step >= SealStep.Indexed)
        {
            // Outside the seal lock: the verification runs entirely while the writer stands still.
            var report = await verify;
            pause.Release();
            Assert.True(report.Passed, string.Join("\n", report.Findings));
        }
        else
        {
            // Inside the seal lock: the verification's snapshot waits for the seal to finish.
            pause.Release();
            var report = await verify;
            Assert.True(report.Passed, string.Join("\n", report.Findings));
        }

        await import;
        Assert.True(StoreAudit.Verify(store, []).Passed);
    }

    [Fact]
    public void Verify_AfterTheIndexDirectoryWasDeleted_ReportsTheMissingIndex()
    {
        var (input, _) = Cli.Sample(_directory, packets: 300, seed: 43);
        Assert.Equal(0, Cli.Run("--store", StorePath, "import", input).ExitCode);
        Directory.Delete(Path.Combine(StorePath, "index"), recursive: true);

        var verify = Cli.Run("--store", StorePath, "verify");

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("index: presence", verify.Output, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("--store", StorePath, "index", "rebuild").ExitCode);
        Assert.Equal(0, Cli.Run("--store", StorePath, "verify").ExitCode);
    }

    public void Dispose() => _directory.Dispose();
}
