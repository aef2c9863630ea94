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

if (args.Length == 0 || !FuzzHarnesses.Names.Contains(args[0], StringComparer.Ordinal))
{
    await Console.Error.WriteLineAsync($"usage: Recorder.Fuzzing TARGET [FILE|DIR...]; TARGET is one of {string.Join(", ", FuzzHarnesses.Names)}").ConfigureAwait(false);
    return 2;
}

if (args.Length == 1)
{
    // The harness is made inside the first execution: its constructor may run instrumented code
    // (a key, a policy), and instrumented code needs the coverage map that Fuzzer.Run sets up
    // (before it, the fork server aborts with signal 6).
    IFuzzHarness? fuzzed = null;
    try
    {
        SharpFuzz.Fuzzer.Run(stream => (fuzzed ??= FuzzHarnesses.Create(args[0])!).Run(InputReader.ReadAll(stream)));
    }
    finally
    {
        (fuzzed as IDisposable)?.Dispose();
    }

    return 0;
}

var harness = FuzzHarnesses.Create(args[0])!;
using (harness as IDisposable)
{
    return Replay.Run(harness, args[1..], Console.Out, Console.Error);
}
