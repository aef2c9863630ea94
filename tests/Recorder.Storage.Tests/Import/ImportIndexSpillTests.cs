using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Query;
using Recorder.Index;
using Recorder.Storage.Import;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Import;

/// <summary>
/// An open segment's index state spills to files beside it past <see cref="StoreOptions.IndexMemoryBytes"/>
/// and is streamed from the merged file into the index. The index must be exactly what the segment
/// files derive, the store must verify, and no spill file may outlive the import, whether it
/// succeeds or is refused.
/// </summary>
public sealed class ImportIndexSpillTests
{
    [Theory]
    [InlineData(CaptureFileFormat.Pcapng, 64 * 1024)]
    [InlineData(CaptureFileFormat.Pcap, 4L * 1024 * 1024 * 1024)]
    public void Import_WithATinyIndexMemoryBound_IndexesExactlyWhatTheSegmentsDerive_AndLeavesNoSpillFiles(CaptureFileFormat format, long segmentBytes)
    {
        using var directory = new TempDirectory("recorder-index-spill");
        var provider = new RecordingIndexProvider();
        var options = new StoreOptions { SegmentMaxBytes = segmentBytes, IndexMemoryBytes = 2000 };
        using var store = EvidenceStore.OpenOrCreate(Path.Combine(directory.Path, "store"),
            new StoreServices { IndexProvider = provider, Options = options, JournalFactory = _ => new MemoryJournal() });
        var packets = Traffic.Mixed(3000);
        var input = directory.File(format == CaptureFileFormat.Pcap ? "in.pcap" : "in.pcapng");
        CaptureFiles.Write(input, packets, format);

        var result = new CaptureImporter(store).Import([input], new ImportOptions());

        Assert.Empty(result.IndexProblems);
        Assert.Equal(result.Segments.Count, provider.Sources.Count);
        Assert.All(provider.Sources, s => Assert.Equal(nameof(SegmentIndexFile), s));
        using (var index = store.OpenIndexReader()!)
        {
            foreach (var segment in result.Segments)
            {
                var stored = index.Read(segment.Id)!;
                var derived = EvidenceStore.DeriveIndex(segment);
                Assert.Equal(derived.Flows.Count, stored.Flows.Count);
                Assert.All(derived.Flows.Zip(stored.Flows), pair => Assert.True(pair.First.SameAs(pair.Second), $"{pair.First} vs {pair.Second}"));
                Assert.Equal(derived.Chunks, stored.Chunks);
            }
        }

        Assert.True(!Directory.Exists(store.Layout.OpenDirectory) || Directory.GetFileSystemEntries(store.Layout.OpenDirectory).Length == 0,
            "the session directory (and its spill files) outlived the import");
        Assert.True(new StoreVerifier(store).Verify().Passed);
        var query = new Recorder.Storage.Query.QueryExecutor(store, null);
        var output = directory.File("all.pcap");
        using (var writer = new Recorder.Storage.Query.CaptureFileOutput(output, false, "tests"))
        {
            query.Execute(PacketQuery.All, query.Snapshot(PacketQuery.All), writer);
            writer.Complete();
        }

        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(CaptureFiles.Read(output)));
    }

    [Fact]
    public void Import_RefusedAfterSpilling_LeavesNoSpillFiles()
    {
        using var store = new TestStore(new StoreOptions { SegmentMaxBytes = 64 * 1024, IndexMemoryBytes = 2000 });
        var good = store.WriteCapture("good.pcapng", Traffic.Mixed(3000), CaptureFileFormat.Pcapng);
        var bad = store.File("bad.pcap");
        File.WriteAllBytes(bad, File.ReadAllBytes(store.WriteCapture("source.pcap", Traffic.Mixed(20)))[..^5]);

        Assert.Throws<CaptureFormatException>(() => store.Import(good, bad));

        ImportTests.AssertNothingStored(store, "refused after spilling");
    }

    /// <summary>The real RocksDB index, noting what kind of index data each segment was handed over as.</summary>
    private sealed class RecordingIndexProvider : IPacketIndexProvider
    {
        private readonly RocksPacketIndexProvider _inner = new();

        public List<string> Sources { get; } = [];

        public IPacketIndexWriter OpenWriter(string directory) => new Writer(_inner.OpenWriter(directory), this);

        public IPacketIndex? OpenReader(string directory) => _inner.OpenReader(directory);

        private sealed class Writer(IPacketIndexWriter inner, RecordingIndexProvider owner) : IPacketIndexWriter
        {
            public void Add(IndexedSegment segment, ISegmentIndexSource data)
            {
                owner.Sources.Add(data.GetType().Name);
                inner.Add(segment, data);
            }

            public void Remove(long segmentId) => inner.Remove(segmentId);

            public void Flush() => inner.Flush();

            public IReadOnlyList<IndexedSegment> Segments() => inner.Segments();

            public IReadOnlyList<SegmentCandidates> FindCandidates(PacketQuery query, IReadOnlySet<long> segmentIds) => inner.FindCandidates(query, segmentIds);

            public IReadOnlyList<TimeChunk> Chunks(long segmentId) => inner.Chunks(segmentId);

            public SegmentIndexData? Read(long segmentId) => inner.Read(segmentId);

            public long SizeOnDisk() => inner.SizeOnDisk();

            public void Refresh() => inner.Refresh();

            public void Dispose() => inner.Dispose();
        }
    }
}
