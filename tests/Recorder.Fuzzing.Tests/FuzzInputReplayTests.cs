using Recorder.Fuzzing.Harnesses;

namespace Recorder.Fuzzing.Tests;

/// <summary>
/// Replays every seed and every saved crash (tests/Recorder.Fuzzing/seeds/TARGET and
/// crashes/TARGET) through its harness in this process: each must be accepted or refused the way
/// the parser documents. A crash afl-fuzz found is kept in crashes/ and so stays a test forever.
/// </summary>
public sealed class FuzzInputReplayTests
{
    private static readonly string Inputs = Path.Combine(AppContext.BaseDirectory, "fuzz-inputs");

    public static TheoryData<string, string> SavedInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "seeds", "crashes" })
        {
            foreach (var target in FuzzHarnesses.Names)
            {
                var folder = Path.Combine(Inputs, kind, target);
                if (!Directory.Exists(folder))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetRelativePath(Inputs, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SavedInputs))]
    public void SavedInput_IsAcceptedOrRefusedAsDocumented(string target, string file)
    {
        var harness = FuzzHarnesses.Create(target)!;
        try
        {
            var crash = Replay.Crash(harness, File.ReadAllBytes(Path.Combine(Inputs, file)));
            Assert.True(crash is null, $"{file} crashes the {target} harness: {crash}");
        }
        finally
        {
            (harness as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void EveryTarget_HasSeeds()
    {
        // The replay theory would pass vacuously if the inputs were not copied next to the tests.
        foreach (var target in FuzzHarnesses.Names)
        {
            var folder = Path.Combine(Inputs, "seeds", target);
            Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), $"no seeds for {target} in {folder}");
        }
    }
}
