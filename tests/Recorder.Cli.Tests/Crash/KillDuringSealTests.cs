using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Crash;

/// <summary>
/// A real <c>kill -9</c> of a child <c>recorder import</c> while it seals (after a seeded random
/// number of its segments are sealed): the next command's recovery leaves a store that verifies,
/// custody ledger included. Bounded to a few rounds; the in-process fault tests
/// (<see cref="SealCrashTests"/>) cover every step deterministically.
/// </summary>
public sealed class KillDuringSealTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-kill-seal");

    [Fact]
    public void Import_KilledWhileSealing_AtRandomPoints_LeavesAStoreThatVerifies()
    {
        var input = _directory.File("input.pcap");
        Synthesis.TrafficSynthesizer.Write(input, new Synthesis.SynthesisOptions { TargetBytes = 24_000_000, Seed = 71 });
        var environment = new Dictionary<string, string> { ["RECORDER_SEGMENT_MAX_BYTES"] = "524288" };
        var random = new Random(71);
        for (var round = 0; round < 3; round++)
        {
            var store = _directory.File($"store-{round}");
            var killAfter = random.Next(1, 30);
            int sealedWhenKilled;
            using (var import = Cli.StartProcess(environment, "--store", store, "import", input))
            {
                var segments = Path.Combine(store, "segments");
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (!import.HasExited && waited.Elapsed < TimeSpan.FromMinutes(3) && Manifests(segments) < killAfter)
                {
                    Thread.Sleep(2);
                }

                sealedWhenKilled = Manifests(segments);
                Assert.False(import.HasExited, $"round {round}: the import ended before {killAfter} segments were sealed");
                import.Kill(); // SIGKILL
                import.WaitForExit();
            }

            var verify = Cli.Run("--store", store, "verify");
            Assert.True(verify.ExitCode == 0, $"round {round}, killed with {sealedWhenKilled} segments sealed: {verify}");
        }
    }

    private static int Manifests(string segments) =>
        Directory.Exists(segments) ? Directory.EnumerateFiles(segments, "*.manifest.json", SearchOption.AllDirectories).Count() : 0;

    public void Dispose() => _directory.Dispose();
}
