using Recorder.Fuzzing;
using Recorder.Fuzzing.Harnesses;

// recorder-fuzz TARGET               run under afl-fuzz (SharpFuzz fork server; one input from stdin otherwise)
// recorder-fuzz TARGET PATH...       replay files or folders of inputs; exit 1 when one crashes
// recorder-fuzz --list               the targets
// Exit codes as the CLI's: 0 fine, 1 an input crashed, 2 bad arguments.
if (args is ["--list"])
{
    foreach (var name in FuzzHarnesses.Names)
    {
        Console.WriteLine($"{name,-12} {FuzzHarnesses.Create(name)!.Description}");
    }

    return 0;
}

if (args.Length == 0 || FuzzHarnesses.Create(args[0]) is not { } harness)
{
    await Console.Error.WriteLineAsync($"usage: Recorder.Fuzzing TARGET [FILE|DIR...]; TARGET is one of {string.Join(", ", FuzzHarnesses.Names)}").ConfigureAwait(false);
    return 2;
}

using (harness as IDisposable)
{
    if (args.Length == 1)
    {
        SharpFuzz.Fuzzer.Run(stream => harness.Run(InputReader.ReadAll(stream)));
        return 0;
    }

    return Replay.Run(harness, args[1..], Console.Out, Console.Error);
}
