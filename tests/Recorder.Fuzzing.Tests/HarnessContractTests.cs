using System.Text;
using Recorder.Fuzzing.Harnesses;

namespace Recorder.Fuzzing.Tests;

public sealed class HarnessContractTests
{
    public static TheoryData<string> Targets() => new(FuzzHarnesses.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Harness_RefusesEmptyAndGarbageInput_WithoutCrashing(string target)
    {
        var harness = FuzzHarnesses.Create(target)!;
        try
        {
            foreach (var input in new[] { Array.Empty<byte>(), "\0\xff{["u8.ToArray(), Encoding.UTF8.GetBytes("null"), new byte[4096] })
            {
                Assert.Null(Replay.Crash(harness, input));
            }
        }
        finally
        {
            (harness as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Replay_ReportsAnExceptionOutsideTheDocumentedRefusals_AsACrash()
    {
        // The query-body harness refuses malformed JSON itself; a harness whose parser throws
        // anything else must surface it, or afl-fuzz and the replay test would see nothing.
        Assert.IsType<InvalidOperationException>(Replay.Crash(new ThrowingHarness(), [1]));
    }

    [Fact]
    public void Replay_OfAFolder_CountsCrashesAndExitsOne()
    {
        var folder = Directory.CreateTempSubdirectory("recorder-fuzz-replay").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "a"), [1]);
            File.WriteAllBytes(Path.Combine(folder, "b"), [2]);
            using var output = new StringWriter();
            using var error = new StringWriter();

            var status = Replay.Run(new ThrowingHarness(), [folder], output, error);

            Assert.Equal(1, status);
            Assert.Contains("2 input(s) replayed, 2 crashed", output.ToString(), StringComparison.Ordinal);
            Assert.Contains(Path.Combine(folder, "a"), error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void UnknownTarget_HasNoHarness() => Assert.Null(FuzzHarnesses.Create("no-such-target"));

    private sealed class ThrowingHarness : IFuzzHarness
    {
        public string Name => "throwing";

        public string Description => "always throws";

        public void Run(ReadOnlySpan<byte> input) => throw new InvalidOperationException("not a documented refusal");
    }
}
