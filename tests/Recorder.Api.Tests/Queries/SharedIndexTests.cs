using Recorder.Api.Tests.Support;
using Recorder.Synthesis;

namespace Recorder.Api.Tests.Queries;

/// <summary>The service keeps one index reader open for its queries; what is imported while it runs is still found through the index.</summary>
public sealed class SharedIndexTests
{
    [Fact]
    public async Task AnImportWhileTheServiceRuns_IsAnsweredThroughTheKeptOpenIndex()
    {
        using var store = ServiceTestStore.Create(packets: 8_000);
        using var factory = new ServiceFactory(store.Options());
        using var alice = factory.As(store.Tokens["alice"]);

        var first = await alice.SubmitAsync(ApiClient.Query(store.Needle.Server, store.Needle.ServerPort, store.Window));
        var firstDone = await alice.WaitSettledAsync(first);
        Assert.Equal("succeeded", firstDone["state"]!.GetValue<string>());
        Assert.Equal(1, firstDone["run"]!["segmentsFromIndex"]!.GetValue<int>());

        // A second capture, an hour later, imported by the CLI while the service holds its reader open.
        var later = store.Directory.File("later.pcap");
        var truth = TrafficSynthesizer.Write(later, new SynthesisOptions
        {
            TargetPackets = 8_000,
            Seed = 99,
            Start = Recorder.Core.Time.Timestamp.FromSeconds(1_700_000_000 + 3600),
        });
        store.Run("import", later);
        var needle = truth.Needles[0];
        var expected = store.Expected(needle.Server, needle.ServerPort);
        Assert.True(expected.Packets > 0);

        var second = await alice.SubmitAsync(ApiClient.Query(needle.Server, needle.ServerPort, store.Window));
        var secondDone = await alice.WaitSettledAsync(second);
        Assert.Equal("succeeded", secondDone["state"]!.GetValue<string>());
        var run = secondDone["run"]!.AsObject();
        Assert.Equal(2, run["segmentsFromIndex"]!.GetValue<int>());
        Assert.Equal(0, run["segmentsScanned"]!.GetValue<int>());
        Assert.Null(run["indexProblem"]?.GetValue<string>());
        Assert.Equal(expected.Sha256, secondDone["result"]!["sha256"]!.GetValue<string>());
    }
}
