using System.Runtime.CompilerServices;
using Recorder.Core.Indexing;
using Recorder.Core.Query;
using Recorder.Index;
using Recorder.Storage.Import;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Recording;

/// <summary>
/// An import's memory must not grow with the size of the capture. What grew was the commit: it
/// loaded the index data of every staged segment (from memory or spill files) into one list
/// before indexing any, so a 20 GB import held five segments' index data at once. The index now
/// asks for each segment's data when it writes it, and nothing keeps it afterwards.
/// </summary>
public sealed class CommitIndexMemoryTests
{
    [Fact]
    public void Import_IndexesEachSegment_WithNoEarlierSegmentsIndexDataStillReachable()
    {
        using var directory = new TempDirectory("recorder-commit-memory");
        var provider = new WatchingIndexProvider();
        var options = new StoreOptions { SegmentMaxBytes = 64 * 1024 };
        using var store = EvidenceStore.OpenOrCreate(Path.Combine(directory.Path, "store"), new StoreServices { IndexProvider = provider, Options = options, JournalFactory = _ => new MemoryJournal() });
        var packets = Traffic.Mixed(3000);
        var input = directory.File("in.pcap");
        CaptureFiles.Write(input, packets);

        var result = new CaptureImporter(store).Import([input], new ImportOptions());

        Assert.Empty(result.IndexProblems);
        Assert.True(result.Segments.Count >= 4, $"{result.Segments.Count} segments");
        Assert.Equal(result.Segments.Count, provider.Added);
        Assert.Empty(provider.StillReachable);

        // And the index written one segment at a time is the whole index.
        using var index = store.OpenIndexReader()!;
        Assert.Equal(result.Segments.Select(s => s.Id), index.Segments().Select(s => s.SegmentId));
        Assert.Equal(packets.Count, index.Segments().Sum(s => s.Packets));
    }

    /// <summary>
    /// The real RocksDB index, watched: when a segment is added, the index data handed over for
    /// earlier segments must already be garbage (only weak references to it are kept here).
    /// </summary>
    private sealed class WatchingIndexProvider : IPacketIndexProvider
    {
        private readonly RocksPacketIndexProvider _inner = new();
        private readonly List<(long Segment, WeakReference Data)> _handedOver = [];

        public int Added { get; private set; }

        public List<long> StillReachable { get; } = [];

        public IPacketIndexWriter OpenWriter(string directory) => new Writer(_inner.OpenWriter(directory), this);

        public IPacketIndex? OpenReader(string directory) => _inner.OpenReader(directory);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void BeforeAdd()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            StillReachable.AddRange(_handedOver.Where(h => h.Data.IsAlive).Select(h => h.Segment));
            _handedOver.RemoveAll(h => !h.Data.IsAlive);
        }

        private sealed class Writer(IPacketIndexWriter inner, WatchingIndexProvider owner) : IPacketIndexWriter
        {
            public void Add(IndexedSegment segment, ISegmentIndexSource data)
            {
                owner.BeforeAdd();
                inner.Add(segment, data);
                owner._handedOver.Add((segment.SegmentId, new WeakReference(data)));
                owner.Added++;
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
