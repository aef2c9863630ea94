using System.Text.Json.Nodes;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>How a query ran: what it searched, how, and what it found.</summary>
public sealed record QueryRun
{
    /// <summary>Packets written to the sink.</summary>
    public long Packets { get; init; }

    /// <summary>Captured bytes written to the sink.</summary>
    public long PacketBytes { get; init; }

    /// <summary>Sealed segments whose time range overlapped the window.</summary>
    public IReadOnlyList<long> SegmentsConsidered { get; init; } = [];

    /// <summary>Segments that contributed at least one packet.</summary>
    public IReadOnlyList<long> SegmentsContributing { get; init; } = [];

    /// <summary>Segments answered from the index.</summary>
    public int SegmentsFromIndex { get; init; }

    /// <summary>Segments read in full because the index did not (yet) cover them.</summary>
    public int SegmentsScanned { get; init; }

    /// <summary>Packet blocks read and checked.</summary>
    public long PacketsExamined { get; init; }

    /// <summary>Link types for which the BPF expression could not be compiled (their packets cannot match).</summary>
    public IReadOnlyDictionary<int, string> BpfNotApplicable { get; init; } = new Dictionary<int, string>();

    /// <summary>Time spent opening the index (a per-process cost a long-running service pays once).</summary>
    public TimeSpan IndexOpenTime { get; init; }

    /// <summary>Time spent finding candidates in the index.</summary>
    public TimeSpan LookupTime { get; init; }

    /// <summary>Time spent reading, checking, merging and handing over the packets.</summary>
    public TimeSpan ReadTime { get; init; }

    /// <summary>Why the index could not be used, when it could not (every segment was then read in full).</summary>
    public string? IndexProblem { get; init; }

    /// <summary>Segments that may hold matches but could not be read (see <see cref="SegmentSelection"/>).</summary>
    public IReadOnlyList<SegmentLeftOut> SegmentsLeftOut { get; init; } = [];

    /// <summary>True when some segment was left out: the answer is not the complete one.</summary>
    public bool Partial => SegmentsLeftOut.Count > 0;

    /// <summary>JSON for output and the ledger.</summary>
    public JsonObject ToJson() => new()
    {
        ["indexProblem"] = IndexProblem,
        ["indexOpenMilliseconds"] = Math.Round(IndexOpenTime.TotalMilliseconds, 3),
        ["lookupMilliseconds"] = Math.Round(LookupTime.TotalMilliseconds, 3),
        ["readMilliseconds"] = Math.Round(ReadTime.TotalMilliseconds, 3),
        ["packets"] = Packets,
        ["packetBytes"] = PacketBytes,
        ["segmentsConsidered"] = SegmentsConsidered.Count,
        ["segmentsContributing"] = new JsonArray(SegmentsContributing.Select(s => (JsonNode)s).ToArray()),
        ["segmentsFromIndex"] = SegmentsFromIndex,
        ["segmentsScanned"] = SegmentsScanned,
        ["packetsExamined"] = PacketsExamined,
        ["partial"] = Partial,
        ["segmentsLeftOut"] = SegmentLeftOut.ToJson(SegmentsLeftOut),
        ["bpfNotApplicable"] = new JsonObject(BpfNotApplicable.Select(p =>
            new KeyValuePair<string, JsonNode?>(p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Value))),
    };
}

/// <summary>
/// Answers a <see cref="PacketQuery"/> over the sealed segments: prunes segments by time, asks the
/// index for candidate positions (host, port, protocol) or time chunks, reads only those packet
/// blocks, re-checks every packet exactly (window, flow conditions, BPF), and merges the segments'
/// packets by timestamp. Segments the index does not cover are read in full, so the answer is the
/// same with or without the index.
/// </summary>
public sealed class QueryExecutor
{
    private readonly EvidenceStore _store;
    private readonly IPacketFilterCompiler? _filters;
    private readonly IPacketIndex? _index;

    /// <summary>
    /// Creates an executor; <paramref name="filters"/> compiles BPF (null: BPF queries are refused).
    /// A long-running host passes an <paramref name="index"/> it keeps open (refreshed before each
    /// query); otherwise each query opens the index and closes it again.
    /// </summary>
    public QueryExecutor(EvidenceStore store, IPacketFilterCompiler? filters, IPacketIndex? index = null)
    {
        _store = store;
        _filters = filters;
        _index = index;
    }

    /// <summary>
    /// The sealed segments a query will read, fixed when the query starts, each checked as sealed
    /// (<see cref="SegmentAdmission"/>), and those it cannot read.
    /// </summary>
    public SegmentSelection Snapshot(PacketQuery query) => new SegmentAdmission(_store).Select(query);

    /// <summary>
    /// Runs the query over <paramref name="selection"/> (from <see cref="Snapshot"/>), writing matches
    /// to <paramref name="sink"/>; the run carries the selection's left-out segments, so a caller
    /// cannot report the answer without them.
    /// </summary>
    public QueryRun Execute(PacketQuery query, SegmentSelection selection, IQueryPacketSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(sink);
        var segments = selection.Segments;
        if (query.Bpf is not null && _filters is null)
        {
            throw new InvalidOperationException("a BPF expression needs libpcap, which is not available");
        }

        string? indexProblem = null;
        List<SegmentPlan> plans;
        List<SealedSegment> fromIndex;
        var timings = new PlanTimings();
        try
        {
            (plans, fromIndex) = PlanFromIndex(query, segments, timings);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The index is derived data and only ever an accelerator: when it cannot be opened or
            // read, every segment is read in full and the answer is the same (slower). The problem
            // is reported with the run; `recorder verify` names it and `index rebuild` repairs it.
            indexProblem = $"{e.GetType().Name}: {e.Message}";
            plans = [];
            fromIndex = [];
        }

        var scanned = segments.Where(s => !fromIndex.Contains(s)).ToList();
        plans.AddRange(scanned.Select(SegmentPlan.ForScan));
        var bpf = new BpfCache(_filters, query.Bpf);
        try
        {
            var reading = System.Diagnostics.Stopwatch.StartNew();
            var run = Merge(query, plans, bpf, sink, segments, fromIndex.Count, scanned.Count, cancellationToken);
            return run with { SegmentsLeftOut = selection.LeftOut, IndexProblem = indexProblem, IndexOpenTime = timings.Open, LookupTime = timings.Lookup, ReadTime = reading.Elapsed };
        }
        finally
        {
            bpf.Dispose();
        }
    }

    private (List<SegmentPlan> Plans, List<SealedSegment> FromIndex) PlanFromIndex(PacketQuery query, IReadOnlyList<SealedSegment> segments, PlanTimings timings)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var opened = _index is null ? _store.OpenIndexReader() : null;
        var index = _index ?? opened;
        var indexed = index?.Segments().ToDictionary(s => s.SegmentId, s => s.ManifestSha256) ?? [];
        if (_index is not null && segments.Any(s => !indexed.TryGetValue(s.Id, out var sha) || sha != s.ManifestSha256))
        {
            // A kept-open reader catches up with the writer only when the store holds a segment its
            // view lacks (catching up costs milliseconds; an indexed segment's entries never change).
            _index.Refresh();
            indexed = _index.Segments().ToDictionary(s => s.SegmentId, s => s.ManifestSha256);
        }

        timings.Open = clock.Elapsed;
        var fromIndex = segments.Where(s => indexed.TryGetValue(s.Id, out var sha) && sha == s.ManifestSha256).ToList();
        var plans = new List<SegmentPlan>();
        if (query.HasFlowConditions && fromIndex.Count > 0)
        {
            var candidates = index!.FindCandidates(query, fromIndex.Select(s => s.Id).ToHashSet());
            var bySegment = fromIndex.ToDictionary(s => s.Id);
            foreach (var candidate in candidates)
            {
                if (candidate.Positions.Count > 0)
                {
                    plans.Add(SegmentPlan.ForPositions(bySegment[candidate.SegmentId], candidate.Positions));
                }
            }
        }
        else
        {
            foreach (var segment in fromIndex)
            {
                var chunks = index!.Chunks(segment.Id);
                var ranges = chunks.Where(c => query.Overlaps(c.MinNanoseconds, c.MaxNanoseconds))
                    .Select(c => (c.Offset, c.EndOffset)).ToList();
                if (ranges.Count > 0 || chunks.Count == 0)
                {
                    plans.Add(chunks.Count == 0 ? SegmentPlan.ForScan(segment) : SegmentPlan.ForRanges(segment, ranges));
                }
            }
        }

        timings.Lookup = clock.Elapsed - timings.Open;
        return (plans, fromIndex);
    }

    private sealed class PlanTimings
    {
        public TimeSpan Open { get; set; }

        public TimeSpan Lookup { get; set; }
    }

    private static QueryRun Merge(PacketQuery query, List<SegmentPlan> plans, BpfCache bpf, IQueryPacketSink sink,
        IReadOnlyList<SealedSegment> considered, int fromIndex, int scanned, CancellationToken cancellationToken)
    {
        // Open segments lazily in order of their earliest packet: a segment not yet opened cannot hold
        // a packet earlier than the smallest head, so memory stays bounded by the overlap, not the store.
        var pending = new Queue<SegmentPlan>(plans.OrderBy(p => p.Segment.Manifest.FirstTimestamp.UnixNanoseconds).ThenBy(p => p.Segment.Id));
        var heads = new PriorityQueue<SegmentCursor, (long Time, long Segment)>();
        var contributing = new SortedSet<long>();
        long packets = 0, bytes = 0, examined = 0;
        try
        {
            while (true)
            {
                while (pending.Count > 0 && (!heads.TryPeek(out _, out var top) || pending.Peek().Segment.Manifest.FirstTimestamp.UnixNanoseconds <= top.Time))
                {
                    var cursor = new SegmentCursor(pending.Dequeue(), query, bpf);
                    if (cursor.MoveNext())
                    {
                        heads.Enqueue(cursor, (cursor.CurrentTime, cursor.Segment.Id));
                    }
                    else
                    {
                        examined += cursor.Examined;
                        cursor.Dispose();
                    }
                }

                if (heads.Count == 0)
                {
                    break;
                }

                var head = heads.Dequeue();
                var packet = head.Reader.ReadAt(head.CurrentOffset);
                sink.Write(head.Segment.Id, packet.LinkType, packet.Nanoseconds, packet.OriginalLength, packet.Data);
                contributing.Add(head.Segment.Id);
                packets++;
                bytes += packet.Data.Length;
                if ((packets & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (head.MoveNext())
                {
                    heads.Enqueue(head, (head.CurrentTime, head.Segment.Id));
                }
                else
                {
                    examined += head.Examined;
                    head.Dispose();
                }
            }
        }
        finally
        {
            while (heads.TryDequeue(out var open, out _))
            {
                open.Dispose();
            }
        }

        return new QueryRun
        {
            Packets = packets,
            PacketBytes = bytes,
            SegmentsConsidered = considered.Select(s => s.Id).ToList(),
            SegmentsContributing = contributing.ToList(),
            SegmentsFromIndex = fromIndex,
            SegmentsScanned = scanned,
            PacketsExamined = examined,
            BpfNotApplicable = bpf.Failures,
        };
    }

    private sealed record SegmentPlan(SealedSegment Segment, IReadOnlyList<long>? Positions, IReadOnlyList<(long Start, long End)>? Ranges)
    {
        public static SegmentPlan ForPositions(SealedSegment segment, IReadOnlyList<long> positions) => new(segment, positions, null);

        public static SegmentPlan ForRanges(SealedSegment segment, IReadOnlyList<(long, long)> ranges) => new(segment, null, ranges);

        public static SegmentPlan ForScan(SealedSegment segment) => new(segment, null, null);
    }

    /// <summary>Walks one segment's candidate packets in file order, stopping at each match.</summary>
    private sealed class SegmentCursor : IDisposable
    {
        private readonly SegmentPlan _plan;
        private readonly PacketQuery _query;
        private readonly BpfCache _bpf;
        private int _positionIndex;
        private int _rangeIndex;
        private long _next;
        private long _end;

        public SegmentCursor(SegmentPlan plan, PacketQuery query, BpfCache bpf)
        {
            _plan = plan;
            _query = query;
            _bpf = bpf;
            Reader = new SegmentReader(plan.Segment.Path);
            if (plan.Ranges is { Count: > 0 })
            {
                (_next, _end) = plan.Ranges[0];
            }
            else
            {
                _next = Reader.DataStart;
                _end = Reader.Length;
            }
        }

        public SealedSegment Segment => _plan.Segment;

        public SegmentReader Reader { get; }

        public long CurrentOffset { get; private set; }

        public long CurrentTime { get; private set; }

        public long Examined { get; private set; }

        public bool MoveNext()
        {
            while (TryNextOffset(out var offset))
            {
                var packet = Reader.ReadAt(offset);
                if (_plan.Positions is null)
                {
                    _next = packet.EndOffset;
                }

                Examined++;
                if (!_query.InWindow(packet.Nanoseconds))
                {
                    continue;
                }

                if (_query.HasFlowConditions)
                {
                    PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
                    if (!_query.MatchesFlowConditions(decoded, packet.Nanoseconds))
                    {
                        continue;
                    }
                }

                if (!_bpf.Matches(packet.LinkType, packet.Data, packet.OriginalLength))
                {
                    continue;
                }

                CurrentOffset = offset;
                CurrentTime = packet.Nanoseconds;
                return true;
            }

            return false;
        }

        public void Dispose() => Reader.Dispose();

        private bool TryNextOffset(out long offset)
        {
            if (_plan.Positions is not null)
            {
                if (_positionIndex < _plan.Positions.Count)
                {
                    offset = _plan.Positions[_positionIndex++];
                    return true;
                }

                offset = 0;
                return false;
            }

            while (_next >= _end)
            {
                if (_plan.Ranges is null || ++_rangeIndex >= _plan.Ranges.Count)
                {
                    offset = 0;
                    return false;
                }

                (_next, _end) = _plan.Ranges[_rangeIndex];
            }

            offset = _next;
            return true;
        }
    }

    /// <summary>One compiled filter per link type, compiled on first use.</summary>
    private sealed class BpfCache(IPacketFilterCompiler? compiler, string? expression) : IDisposable
    {
        private readonly Dictionary<int, IPacketFilter?> _filters = [];
        private readonly Dictionary<int, string> _failures = [];

        public IReadOnlyDictionary<int, string> Failures => _failures;

        public bool Matches(int linkType, ReadOnlySpan<byte> data, uint originalLength)
        {
            if (expression is null)
            {
                return true;
            }

            if (!_filters.TryGetValue(linkType, out var filter))
            {
                filter = compiler!.TryCompile(expression, linkType, out var error);
                _filters[linkType] = filter;
                if (filter is null)
                {
                    _failures[linkType] = error;
                }
            }

            return filter is not null && filter.Matches(data, originalLength);
        }

        public void Dispose()
        {
            foreach (var filter in _filters.Values)
            {
                filter?.Dispose();
            }
        }
    }
}
