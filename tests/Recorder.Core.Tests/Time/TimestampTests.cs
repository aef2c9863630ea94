using Recorder.Core.Time;

namespace Recorder.Core.Tests.Time;

public class TimestampTests
{
    [Theory]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000_000_000_000L)]
    [InlineData("2023-11-14T22:13:20.000000001Z", 1_700_000_000_000_000_001L)]
    [InlineData("2023-11-14T22:13:20.5Z", 1_700_000_000_500_000_000L)]
    [InlineData("2023-11-14T23:13:20.25+01:00", 1_700_000_000_250_000_000L)]
    [InlineData("1700000000", 1_700_000_000_000_000_000L)]
    [InlineData("1700000000.123456789", 1_700_000_000_123_456_789L)]
    [InlineData("1700000000.1", 1_700_000_000_100_000_000L)]
    public void Parse_AcceptedForms_AreExactToTheNanosecond(string text, long expected)
    {
        Assert.True(TimestampParser.TryParse(text, out var value, out var error), error);
        Assert.Equal(expected, value.UnixNanoseconds);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2023-11-14T22:13:20")]
    [InlineData("2023-13-14T22:13:20Z")]
    [InlineData("1700000000.1234567891")]
    [InlineData("")]
    [InlineData("2263-01-01T00:00:00Z")]
    [InlineData("99999999999")]
    public void Parse_BadForms_AreRefusedWithAReason(string text)
    {
        Assert.False(TimestampParser.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void ToString_IsRfc3339WithNineDigits_AndRoundTrips()
    {
        var value = new Timestamp(1_700_000_000_000_000_042L);

        Assert.Equal("2023-11-14T22:13:20.000000042Z", value.ToString());
        Assert.Equal(value, TimestampParser.Parse(value.ToString()));
        Assert.Equal("1700000000.000000042", value.ToEpochString());
    }
}
