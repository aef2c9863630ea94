using Recorder.Fuzzing.Harnesses;

namespace Recorder.Fuzzing.Tests;

/// <summary>
/// Crashes the fuzzer found in parsers whose fix belongs to another part of the work
/// (tests/Recorder.Fuzzing/open/TARGET; docs/fuzzing.md lists them with their owner). While an
/// input still crashes in the way recorded, its test is skipped, saying so; once the parser is
/// fixed it passes, and the input moves to crashes/. A crash of any other kind fails: it is a new
/// finding.
/// </summary>
public sealed class OpenFindingTests
{
    private static readonly string Inputs = Path.Combine(AppContext.BaseDirectory, "fuzz-inputs", "open");

    private static readonly Dictionary<string, (Type[] Exceptions, string Owner)> Recorded = new(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string, string> OpenInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzHarnesses.Names)
        {
            var folder = Path.Combine(Inputs, target);
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetFileName(file));
                }
            }
        }

        // An empty theory fails in xUnit; this row keeps the class valid once every finding is closed.
        data.Add("pcap", string.Empty);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(OpenInputs))]
    public void OpenFinding_CrashesOnlyAsRecorded_UntilItsFixLands(string target, string file)
    {
        if (file.Length == 0)
        {
            return;
        }

        var harness = FuzzHarnesses.Create(target)!;
        Exception? crash;
        try
        {
            crash = Replay.Crash(harness, File.ReadAllBytes(Path.Combine(Inputs, target, file)));
        }
        finally
        {
            (harness as IDisposable)?.Dispose();
        }

        Assert.True(Recorded.TryGetValue(target, out var recorded), $"open/{target} has no recorded finding: add it to {nameof(Recorded)}");
        Skip.If(crash is not null && recorded.Exceptions.Contains(crash.GetType()),
            $"open finding, fixed by another part: {recorded.Owner}: {crash?.GetType().Name}: {crash?.Message}");
        Assert.True(crash is null, $"open/{target}/{file} crashes in a new way: {crash}");
    }
}
