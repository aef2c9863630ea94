using Recorder.Core.Packets;

namespace Recorder.Core.Indexing;

/// <summary>
/// Builds a segment's <see cref="SegmentIndexData"/> while its packets are written (or when a
/// segment is re-read to rebuild or verify the index): flows, their positions, and time chunks.
/// Work per packet is one dictionary lookup and one varint append.
/// </summary>
public sealed class SegmentIndexBuilder
{
    /// <summary>Bytes of segment per time chunk.</summary>
    public const long ChunkBytes = 1024 * 1024;

    private readonly Dictionary<FlowKey, int> _ordinals = [];
    private readonly List<FlowAccumulator> _flows = [];
    private readonly List<TimeChunk> _chunks = [];
    private long _chunkStart = -1;
    private long _chunkEnd;
    private long _chunkMin;
    private long _chunkMax;
    private int _chunkPackets;

    /// <summary>Packets added.</summary>
    public long Packets { get; private set; }

    /// <summary>Adds the packet whose block starts at <paramref name="offset"/> and ends at <paramref name="endOffset"/>.</summary>
    public void Add(in FlowKey key, long offset, long endOffset, long timestampNanoseconds, int capturedLength)
    {
        if (!_ordinals.TryGetValue(key, out var ordinal))
        {
            ordinal = _flows.Count;
            _ordinals.Add(key, ordinal);
            _flows.Add(new FlowAccumulator(key, timestampNanoseconds));
        }

        _flows[ordinal].Add(offset, timestampNanoseconds, capturedLength);

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
    }

    /// <summary>The finished index data.</summary>
    public SegmentIndexData Build()
    {
        CloseChunk();
        var flows = new List<FlowEntry>(_flows.Count);
        foreach (var flow in _flows)
        {
            flows.Add(flow.ToEntry());
        }

        return new SegmentIndexData(flows, _chunks.ToList());
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

    private sealed class FlowAccumulator(FlowKey key, long first)
    {
        private byte[] _positions = new byte[8];
        private int _length;
        private long _lastOffset;
        private long _first = first;
        private long _last = first;
        private long _packets;
        private long _bytes;

        public void Add(long offset, long timestamp, int capturedLength)
        {
            Varint.Append(ref _positions, ref _length, (ulong)(offset - _lastOffset));
            _lastOffset = offset;
            _first = Math.Min(_first, timestamp);
            _last = Math.Max(_last, timestamp);
            _packets++;
            _bytes += capturedLength;
        }

        public FlowEntry ToEntry() => new(key, _first, _last, _packets, _bytes, _positions.AsSpan(0, _length).ToArray());
    }
}
