using System.Text;
using CsCheck;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;

namespace Recorder.Ledger.Tests.Entries;

public sealed class TimeTextTests
{
    [Fact]
    public void TryParseExact_OfAnyTimestampsText_GivesItBack()
    {
        Gen.Long[-9_000_000_000_000_000_000L, 9_000_000_000_000_000_000L].Sample(ns =>
        {
            var text = new Timestamp(ns).ToString();
            return TimeText.TryParseExact(text, out var parsed) && parsed.UnixNanoseconds == ns
                && TimeText.TryParseExact(Encoding.ASCII.GetBytes(text), out var fromBytes) && fromBytes == parsed;
        }, iter: 5000);
    }

    [Fact]
    public void TryParseExact_AfterAnyCharacterChange_AgreesWithTimestampParserRoundTrip()
    {
        var text = "2024-02-29T23:59:59.123456789Z";
        Gen.Int[0, text.Length - 1].Select(Gen.Char['+', 'z']).Sample((i, c) =>
        {
            var changed = text[..i] + c + text[(i + 1)..];
            bool expected;
            try
            {
                expected = TimestampParser.TryParse(changed, out var value, out _) && value.ToString() == changed;
            }
            catch (OverflowException)
            {
                expected = false;
            }

            return TimeText.TryParseExact(changed, out _) == expected;
        }, iter: 5000);
    }

    [Theory]
    [InlineData("2023-02-29T00:00:00.000000000Z")]
    [InlineData("2024-13-01T00:00:00.000000000Z")]
    [InlineData("2024-01-01T24:00:00.000000000Z")]
    [InlineData("8024-01-01T00:00:00.000000000Z")]
    [InlineData("2024-01-01T00:00:00.00000000Z")]
    [InlineData("2024-01-01 00:00:00.000000000Z")]
    public void TryParseExact_RefusesInvalidOrUnrepresentableTimes(string text)
    {
        Assert.False(TimeText.TryParseExact(text, out _));
    }
}
