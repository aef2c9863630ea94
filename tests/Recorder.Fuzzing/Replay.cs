using Recorder.Fuzzing.Harnesses;

namespace Recorder.Fuzzing;

/// <summary>
/// Runs saved inputs through a harness in this process and reports each that escapes with an
/// exception: how a crash from afl-fuzz is reproduced and how seeds are checked before a run.
/// </summary>
internal static class Replay
{
    /// <summary>Replays every file named or inside a folder named; 0 when none crashed, 1 otherwise, 2 for a missing path.</summary>
    public static int Run(IFuzzHarness harness, IEnumerable<string> paths, TextWriter output, TextWriter error)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                error.WriteLine($"{path}: no such file or folder");
                return 2;
            }
        }

        var crashed = 0;
        foreach (var file in files)
        {
            if (Crash(harness, File.ReadAllBytes(file)) is { } exception)
            {
                crashed++;
                error.WriteLine($"{file}: {harness.Name}: crash: {exception}");
            }
        }

        output.WriteLine($"{harness.Name}: {files.Count} input(s) replayed, {crashed} crashed");
        return crashed == 0 ? 0 : 1;
    }

    /// <summary>The exception <paramref name="input"/> escapes the harness with, or null when it was accepted or properly refused.</summary>
    public static Exception? Crash(IFuzzHarness harness, byte[] input)
    {
        try
        {
            harness.Run(input);
            return null;
        }
#pragma warning disable CA1031 // Replaying must report every kind of crash, which is any exception by definition.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }
}
