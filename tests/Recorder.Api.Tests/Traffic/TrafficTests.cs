using System.Net;
using Recorder.Api.Tests.Support;
using Recorder.Api.Traffic;

namespace Recorder.Api.Tests.Traffic;

/// <summary>The traffic timeline's figures: whole packets apportioned over buckets, and the endpoint over a real store.</summary>
public sealed class TrafficTests(SharedService service) : IClassFixture<SharedService>
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Count_SpreadsASpanOverTheBucketsItCovers_LosingNoPacket()
    {
        // 100 packets from 30 s to 149.999… s: a quarter in the first minute, half in the second, a quarter in the third.
        var buckets = TrafficHistogram.Count([new TrafficSpan(30 * Second, (150 * Second) - 1, 100)], 0, 180 * Second, 60 * Second);
        Assert.Equal([25L, 50L, 25L], buckets);
    }

    [Fact]
    public void Count_KeepsOnlyThePartInsideTheWindow()
    {
        var buckets = TrafficHistogram.Count([new TrafficSpan(0, (100 * Second) - 1, 100), new TrafficSpan(500 * Second, 500 * Second, 7)], 50 * Second, 100 * Second, 25 * Second);
        Assert.Equal([25L, 25L], buckets);
    }

    [Fact]
    public void Count_OfOddFigures_AddsUpExactly()
    {
        var spans = Enumerable.Range(0, 50).Select(i => new TrafficSpan(i * 7 * Second, (i * 7 * Second) + (13 * Second), 1 + (i * 37 % 101))).ToList();
        var buckets = TrafficHistogram.Count(spans, 0, 400 * Second, 3 * Second);
        Assert.Equal(spans.Sum(s => s.Packets), buckets.Sum());
    }

    [Fact]
    public async Task Traffic_CountsEveryStoredPacket_AndIsOpenToInvestigators()
    {
        using var alice = service.As("alice");
        var traffic = await alice.GetJsonAsync("/api/traffic");
        var segments = (await alice.GetJsonAsync("/api/segments"))["segments"]!.AsArray();
        Assert.Equal(segments.Sum(s => s!["packets"]!.GetValue<long>()), traffic["packets"]!.GetValue<long>());
        Assert.Equal(traffic["packets"]!.GetValue<long>(), traffic["buckets"]!.AsArray().Sum(b => b!["packets"]!.GetValue<long>()));
        Assert.All(traffic["segments"]!.AsArray(), s => Assert.Equal("index", s!["source"]!.GetValue<string>()));

        var minutes = await alice.GetJsonAsync($"/api/traffic?from={service.Store.Window.From}&to={service.Store.Window.To}&bucket=3600");
        Assert.Equal(48, minutes["buckets"]!.AsArray().Count);
        Assert.Equal(traffic["packets"]!.GetValue<long>(), minutes["packets"]!.GetValue<long>());

        using var tooFine = await alice.GetAsync($"/api/traffic?from={service.Store.Window.From}&to={service.Store.Window.To}&bucket=1");
        Assert.Equal(HttpStatusCode.BadRequest, tooFine.StatusCode);
        using var badTime = await alice.GetAsync("/api/traffic?from=tuesday");
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
    }
}
