using System.Runtime.InteropServices;
using Recorder.Core.Packets;

namespace Recorder.Core.Indexing;

/// <summary>
/// Builds a segment's index data while its packets are written (or when a segment is re-read to
/// rebuild or verify the index): flows, their positions, and time chunks. Work per packet is one
/// dictionary lookup and one varint append.
/// </summary>
/// <remarks>
/// Given a spill path, the builder's memory is bounded whatever the segment's size: when what it
/// holds passes its limit, the flows so far are written, sorted by key, as a run next to the segment
/// (<c>PATH.run-N</c>) and forgotten. <see cref="Finish"/> then merges the runs by key into one file
/// (<c>PATH</c>), concatenating a flow's positions run after run (runs cover consecutive stretches of
/// the segment, so a flow's positions in a later run all follow those in an earlier one), and hands
/// it over as an <see cref="ISegmentIndexSource"/> that streams the flows to the index writer.
/// The runs are removed once merged, and by <see cref="Dispose"/> on failure; a crash leaves them in
/// the session directory, which recovery deletes. Without a spill path everything stays in memory.
/// </remarks>
public sealed class SegmentIndexBuilder : IDisposable
{
    /// <summary>Bytes of segment per time chunk.</summary>
    public const long ChunkBytes = 1024 * 1024;

    /// <summary>The default bound on what a spilling builder holds in memory.</summary>
    public const long DefaultMemoryLimit = 16L * 1024 * 1024;

    /// <summary>
    /// What one flow costs besides its position bytes: its dictionary entry (key, hash, link and
    /// ordinal, about 112 bytes: a key's two 128-bit addresses are 16-byte aligned), its slot in the
    /// flow array (about 144) and its position array's header (24).
    /// </summary>
    private const long BytesPerFlow = 288;

    private readonly Dictionary<FlowKey, int> _ordinals = [];
    private readonly List<TimeChunk> _chunks = [];
    private readonly List<string> _runs = [];
    private readonly string? _spillPath;
    private readonly long _memoryLimit;
    private FlowState[] _flows = new FlowState[64];
    private int _flowCount;
    private long _positionBytes;
    private long _chunkStart = -1;
    private long _chunkEnd;
    private long _chunkMin;
    private long _chunkMax;
    private int _chunkPackets;
    private bool _finished;
    private bool _merging;

    /// <summary>A builder that keeps everything in memory (for a segment re-read whole, or a small one).</summary>
    public SegmentIndexBuilder()
    {
    }

    /// <summary>
    /// A builder that holds at most about <paramref name="memoryLimit"/> bytes of flow state and spills
    /// the rest to files named after <paramref name="spillPath"/> (which must not exist).
    /// </summary>
    public SegmentIndexBuilder(string spillPath, long memoryLimit = DefaultMemoryLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(spillPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryLimit, 1);
        _spillPath = spillPath;
        _memoryLimit = memoryLimit;
    }

    /// <summary>Packets added.</summary>
    public long Packets { get; private set; }

    /// <summary>Runs written to disk so far.</summary>
    public int SpilledRuns { get; private set; }

    /// <summary>An estimate of the bytes of flow state held in memory now.</summary>
    public long MemoryEstimate => _flowCount * BytesPerFlow + _positionBytes;

    /// <summary>Adds the packet whose block starts at <paramref name="offset"/> and ends at <paramref name="endOffset"/>.</summary>
    public void Add(in FlowKey key, long offset, long endOffset, long timestampNanoseconds, int capturedLength)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        ref var ordinal = ref CollectionsMarshal.GetValueRefOrAddDefault(_ordinals, key, out var exists);
        if (!exists)
        {
            if (_flowCount == _flows.Length)
            {
                Array.Resize(ref _flows, _flows.Length * 2);
            }

            ordinal = _flowCount++;
            _flows[ordinal] = new FlowState(key, offset, timestampNanoseconds);
            _positionBytes += FlowState.InitialCapacity;
        }

        ref var flow = ref _flows[ordinal];
        var capacity = flow.Positions.Length;
        flow.Add(offset, timestampNanoseconds, capturedLength);
        _positionBytes += flow.Positions.Length - capacity;

        if (_chunkStart < 0)
        {
            _chunkStart = offset;
            _chunkMin = timestampNanoseconds;
            _chunkMax = timestampNanoseconds;
        }
        else
        {
            _chunkMin = Math.Min(_chunkMin, timestampNanoseconds);
            _chunkMax = Math.Max(_chunkMax, timestampNanoseconds);
        }

        _chunkEnd = endOffset;
        _chunkPackets++;
        Packets++;
        if (_chunkEnd - _chunkStart >= ChunkBytes)
        {
            CloseChunk();
        }

        if (_spillPath is not null && MemoryEstimate > _memoryLimit)
        {
            Spill();
        }
    }

    /// <summary>
    /// The finished index data: in memory when nothing was spilled, otherwise a <see cref="SegmentIndexFile"/>
    /// at the spill path, which the caller owns (disposing it deletes the file). Flows in <see cref="FlowKeyOrder"/>.
    /// </summary>
    public ISegmentIndexSource Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        CloseChunk();
        if (_runs.Count == 0)
        {
            var data = new SegmentIndexData(TakeSorted(), _chunks.ToList());
            Dispose();
            return data;
        }

        try
        {
            if (_flowCount > 0)
            {
                Spill();
            }

            Merge(_spillPath!);
            var file = SegmentIndexFile.Adopt(_spillPath!);
            Dispose();
            return file;
        }
        catch
        {
            if (_merging)
            {
                File.Delete(_spillPath!);
            }

            Dispose();
            throw;
        }
    }

    /// <summary>The finished index data, all in memory (reads back and deletes what was spilled).</summary>
    public SegmentIndexData Build()
    {
        var source = Finish();
        if (source is SegmentIndexData data)
        {
            return data;
        }

        using var file = (SegmentIndexFile)source;
        return new SegmentIndexData(file.ReadFlows().ToList(), file.Chunks);
    }

    /// <summary>Forgets everything and deletes the spilled runs (not a file <see cref="Finish"/> handed over).</summary>
    public void Dispose()
    {
        _finished = true;
        foreach (var run in _runs)
        {
            File.Delete(run);
        }

        _runs.Clear();
        _ordinals.Clear();
        _flows = [];
        _flowCount = 0;
        _positionBytes = 0;
    }

    private void CloseChunk()
    {
        if (_chunkStart >= 0)
        {
            _chunks.Add(new TimeChunk(_chunkStart, _chunkEnd, _chunkMin, _chunkMax, _chunkPackets));
            _chunkStart = -1;
            _chunkPackets = 0;
        }
    }

    /// <summary>The flows held, sorted by key, as entries; the builder holds none afterwards.</summary>
    private List<FlowEntry> TakeSorted()
    {
        var order = SortedOrdinals();
        var entries = new List<FlowEntry>(order.Length);
        foreach (var ordinal in order)
        {
            entries.Add(_flows[ordinal].ToEntry());
            _flows[ordinal] = default;
        }

        Forget();
        return entries;
    }

    private int[] SortedOrdinals()
    {
        var order = new int[_flowCount];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var flows = _flows;
        Array.Sort(order, (x, y) => FlowKeyOrder.CompareKeys(flows[x].Key, flows[y].Key));
        return order;
    }

    /// <summary>Writes the flows held as a sorted run and forgets them (the dictionary keeps its capacity).</summary>
    private void Spill()
    {
        var path = $"{_spillPath}.run-{_runs.Count}";
        _runs.Add(path);
        using (var writer = new FlowRunWriter(path, []))
        {
            foreach (var ordinal in SortedOrdinals())
            {
                ref var flow = ref _flows[ordinal];
                writer.Write(flow.Key, flow.First, flow.Last, flow.Packets, flow.Bytes, flow.FirstOffset, flow.LastOffset, flow.Positions.AsSpan(0, flow.Length));
                flow = default;
            }

            writer.Complete();
        }

        SpilledRuns++;
        Forget();
    }

    private void Forget()
    {
        _ordinals.Clear();
        _flowCount = 0;
        _positionBytes = 0;
    }

    /// <summary>
    /// Merges the runs into <paramref name="path"/> by key; a flow found in several runs becomes one
    /// entry whose positions are those of each run in run order, re-joined into one delta list.
    /// </summary>
    private void Merge(string path)
    {
        var readers = new List<FlowRunReader>(_runs.Count);
        try
        {
            var queue = new PriorityQueue<int, (FlowKey Key, int Run)>(RunOrder.Instance);
            var heads = new FlowRun[_runs.Count];
            foreach (var run in _runs)
            {
                readers.Add(new FlowRunReader(run));
            }

            for (var i = 0; i < readers.Count; i++)
            {
                if (readers[i].TryRead(out heads[i]))
                {
                    queue.Enqueue(i, (heads[i].Entry.Key, i));
                }
            }

            using var writer = new FlowRunWriter(path, _chunks);
            _merging = true;
            var positions = new byte[64];
            while (queue.TryDequeue(out var run, out var priority))
            {
                var merged = new MergedFlow(heads[run], ref positions);
                Advance(readers, heads, queue, run);
                while (queue.TryPeek(out var next, out var nextPriority) && nextPriority.Key == priority.Key)
                {
                    queue.Dequeue();
                    merged.Append(heads[next], ref positions);
                    Advance(readers, heads, queue, next);
                }

                writer.Write(priority.Key, merged.First, merged.Last, merged.Packets, merged.Bytes, merged.FirstOffset, merged.LastOffset,
                    positions.AsSpan(0, merged.Length));
            }

            writer.Complete();
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private static void Advance(List<FlowRunReader> readers, FlowRun[] heads, PriorityQueue<int, (FlowKey Key, int Run)> queue, int run)
    {
        if (readers[run].TryRead(out heads[run]))
        {
            queue.Enqueue(run, (heads[run].Entry.Key, run));
        }
    }

    /// <summary>Runs' heads by key, then by run (so one flow's parts come in the order they were written).</summary>
    private sealed class RunOrder : IComparer<(FlowKey Key, int Run)>
    {
        public static readonly RunOrder Instance = new();

        public int Compare((FlowKey Key, int Run) x, (FlowKey Key, int Run) y)
        {
            var order = FlowKeyOrder.CompareKeys(x.Key, y.Key);
            return order != 0 ? order : x.Run.CompareTo(y.Run);
        }
    }

    /// <summary>One flow being merged from its runs; its positions accumulate in a shared buffer.</summary>
    private struct MergedFlow
    {
        public long First;
        public long Last;
        public long Packets;
        public long Bytes;
        public long FirstOffset;
        public long LastOffset;
        public int Length;

        public MergedFlow(in FlowRun run, ref byte[] positions)
        {
            var entry = run.Entry;
            First = entry.FirstNanoseconds;
            Last = entry.LastNanoseconds;
            Packets = entry.Packets;
            Bytes = entry.Bytes;
            FirstOffset = run.FirstOffset;
            LastOffset = run.LastOffset;
            Length = 0;
            Reserve(ref positions, entry.Positions.Length);
            entry.Positions.CopyTo(positions, 0);
            Length = entry.Positions.Length;
        }

        /// <summary>
        /// Appends a later run's part: its first position, stored absolute, becomes a delta from this
        /// flow's last position so far; the rest of its deltas are copied as they are.
        /// </summary>
        public void Append(in FlowRun run, ref byte[] positions)
        {
            var entry = run.Entry;
            if (run.FirstOffset <= LastOffset)
            {
                throw new InvalidOperationException($"flow {entry.Key}: a later run starts at offset {run.FirstOffset}, not after {LastOffset}");
            }

            var skip = 0;
            Varint.Read(entry.Positions, ref skip);
            Reserve(ref positions, Length + Varint.MaxLength + entry.Positions.Length);
            Length += Varint.Write(positions.AsSpan(Length), (ulong)(run.FirstOffset - LastOffset));
            entry.Positions.AsSpan(skip).CopyTo(positions.AsSpan(Length));
            Length += entry.Positions.Length - skip;
            First = Math.Min(First, entry.FirstNanoseconds);
            Last = Math.Max(Last, entry.LastNanoseconds);
            Packets += entry.Packets;
            Bytes += entry.Bytes;
            LastOffset = run.LastOffset;
        }

        private static void Reserve(ref byte[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length));
            }
        }
    }

    /// <summary>One flow's state while its packets arrive (a struct in an array: no object per flow).</summary>
    private struct FlowState(FlowKey key, long firstOffset, long first)
    {
        public const int InitialCapacity = 8;

        public readonly FlowKey Key = key;
        public byte[] Positions = new byte[InitialCapacity];
        public int Length;
        public readonly long FirstOffset = firstOffset;
        public long LastOffset;
        public long First = first;
        public long Last = first;
        public long Packets;
        public long Bytes;

        public void Add(long offset, long timestamp, int capturedLength)
        {
            Varint.Append(ref Positions, ref Length, (ulong)(offset - LastOffset));
            LastOffset = offset;
            First = Math.Min(First, timestamp);
            Last = Math.Max(Last, timestamp);
            Packets++;
            Bytes += capturedLength;
        }

        public readonly FlowEntry ToEntry() => new(Key, First, Last, Packets, Bytes, Positions.AsSpan(0, Length).ToArray());
    }
}
