using Recorder.Benchmarks.Harnesses;
using Xunit.Abstractions;

namespace Recorder.Ledger.Tests.Benchmarks;

/// <summary>Runs the benchmark at a small size: it must work and report consistent figures (not timed).</summary>
public sealed class LedgerBenchmarkTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "recorder-ledger-bench-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Run_SmallSizes_ReportsEveryFigure()
    {
        var result = LedgerBenchmark.Run(new LedgerBenchmarkOptions
        {
            WorkDirectory = _work,
            AppendCount = 500,
            ConcurrentWriters = 8,
            WarmUpRounds = 1,
            SequentialAppendCount = 20,
            VerifyEntries = 5_000,
            BuildBatchSize = 100,
            ProofSamples = 50,
        });
        output.WriteLine(result.ToString());

        Assert.True(result.VerifyValid);
        Assert.Equal(5_000, result.VerifyEntries);
        Assert.InRange(result.VerifyHeads, 1, 50);
        Assert.InRange(result.AppendBatches, 1, 500);
        Assert.True(result.DurableAppendsPerSecond > 0 && result.ColdAppendsPerSecond > 0 && result.SequentialAppendsPerSecond > 0);
        Assert.InRange(result.InclusionPathLength, 12, 13);
        Assert.True(result.InclusionProofMedianMicroseconds > 0 && result.InclusionProofP99Microseconds >= result.InclusionProofMedianMicroseconds);
        Assert.True(result.InclusionProofFileBytes > 1000);
    }

    /// <summary>The full-size run the lead's benchmark project makes; run by hand with RECORDER_LEDGER_BENCH=1.</summary>
    [SkippableFact]
    public void Run_FullSize_PrintsTheFigures()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("RECORDER_LEDGER_BENCH") == "1", "full-size benchmark: set RECORDER_LEDGER_BENCH=1");

        var result = LedgerBenchmark.Run(new LedgerBenchmarkOptions { WorkDirectory = _work });
        output.WriteLine(result.ToString());

        Assert.True(result.VerifyValid);
    }
}
