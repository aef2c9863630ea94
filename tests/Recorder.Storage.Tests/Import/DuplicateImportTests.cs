using Recorder.Core.Query;
using Recorder.Storage.Import;

namespace Recorder.Storage.Tests.Import;

/// <summary>An input whose SHA-256 the store already holds would double every later extraction: refused unless allowed.</summary>
public sealed class DuplicateImportTests
{
    [Fact]
    public void Import_AFileTheStoreHolds_IsRefused_StoresNothing_AndQueriesKeepTheirCount()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(300, seed: 3);
        var input = store.WriteCapture("in.pcap", packets);
        var first = store.Import(input);
        var copy = store.WriteCapture("renamed.pcap", packets);

        var error = Assert.Throws<DuplicateCaptureException>(() => store.Import(copy));

        Assert.Equal(copy, error.File);
        Assert.Contains($"segment {first.Segments.Single().Id}", error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Segments.Count, store.Store.ListSegments().Count);
        Assert.Equal(packets.Count, store.QueryPackets(PacketQuery.All).Count);
    }

    [Fact]
    public void Import_WithAllowDuplicate_StoresItAgain()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(200, seed: 4);
        var input = store.WriteCapture("in.pcap", packets);
        store.Import(input);

        var again = store.Import(new ImportOptions { AllowDuplicate = true }, input);

        Assert.Equal(packets.Count, again.Packets);
        Assert.Equal(2 * packets.Count, store.QueryPackets(PacketQuery.All).Count);
    }
}
