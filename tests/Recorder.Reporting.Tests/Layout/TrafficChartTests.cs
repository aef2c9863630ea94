using Recorder.Reporting.Layout;

namespace Recorder.Reporting.Tests.Layout;

public sealed class TrafficChartTests
{
    [Theory]
    [InlineData(0, 1, 4)]
    [InlineData(7, 2, 8)]
    [InlineData(1734, 500, 2000)]
    [InlineData(2_100_000, 1_000_000, 3_000_000)]
    [InlineData(95, 25, 100)]
    public void NiceScale_GivesRoundStepsCoveringTheMaximum(long max, double step, double top)
    {
        var (s, t) = TrafficChart.NiceScale(max);
        Assert.Equal(step, s);
        Assert.Equal(top, t);
        Assert.True(t >= max);
    }

    [Theory]
    [InlineData(60_000_000_000L, "1 min")]
    [InlineData(600_000_000_000L, "10 min")]
    [InlineData(1_000_000_000L, "1 s")]
    [InlineData(250_000_000L, "250 ms")]
    [InlineData(86_400_000_000_000L, "day")]
    [InlineData(172_800_000_000_000L, "2 days")]
    [InlineData(1_500L, "1500 ns")]
    public void Duration_UsesTheLargestWholeUnit(long nanoseconds, string expected) =>
        Assert.Equal(expected, TrafficChart.Duration(nanoseconds));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1500, "1.5 kB")]
    [InlineData(2_000_000, "2 MB")]
    [InlineData(3_250_000_000, "3.25 GB")]
    public void FormatBytes_UsesDecimalUnits(double value, string expected) =>
        Assert.Equal(expected, TrafficChart.FormatBytes(value));
}
