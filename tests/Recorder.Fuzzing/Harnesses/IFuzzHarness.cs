namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// Drives one parser of untrusted bytes with one input. The harness catches exactly the parser's
/// documented ways of refusing input (a false <c>TryParse</c>, a typed format exception, a report
/// of problems) and lets everything else escape: an escaping exception is what afl-fuzz records as
/// a crash and what the replay test fails on.
/// </summary>
internal interface IFuzzHarness
{
    /// <summary>The target name used by <c>fuzz.sh</c> and as the folder of its seeds and crashes.</summary>
    string Name { get; }

    /// <summary>The parser the harness drives and the rejections it accepts, for <c>--list</c> and the docs.</summary>
    string Description { get; }

    /// <summary>Feeds <paramref name="input"/> to the parser; returns only when the parser accepted or properly refused it.</summary>
    void Run(ReadOnlySpan<byte> input);
}
