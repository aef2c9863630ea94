using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>What a query read from one open capture segment.</summary>
/// <param name="SessionId">The writing session.</param>
/// <param name="CaptureId">The capture, if known.</param>
/// <param name="File">The open file, relative to the store.</param>
/// <param name="LinkType">Its link type.</param>
/// <param name="BytesIncluded">The length the snapshot covered.</param>
/// <param name="PacketsExamined">Packet blocks read.</param>
/// <param name="PacketsMatched">Packets written to the output.</param>
/// <param name="Note">Why reading stopped before the covered length, if it did.</param>
public sealed record OpenSegmentRun(string SessionId, string? CaptureId, string File, int LinkType, long BytesIncluded,
    long PacketsExamined, long PacketsMatched, string? Note)
{
    /// <summary>JSON for status answers and the ledger.</summary>
    public JsonObject ToJson() => new()
    {
        ["sessionId"] = SessionId,
        ["captureId"] = CaptureId,
        ["file"] = File,
        ["linkType"] = LinkType,
        ["bytesIncluded"] = BytesIncluded,
        ["packetsExamined"] = PacketsExamined,
        ["packetsMatched"] = PacketsMatched,
        ["note"] = Note,
    };
}

/// <summary>How a query over a <see cref="StoreSnapshot"/> ran: the sealed part and the open part.</summary>
/// <param name="Sealed">The run over the sealed segments.</param>
/// <param name="Open">What each open segment contributed.</param>
public sealed record SnapshotQueryRun(QueryRun Sealed, IReadOnlyList<OpenSegmentRun> Open)
{
    /// <summary>Packets written in all.</summary>
    public long Packets => Sealed.Packets + Open.Sum(o => o.PacketsMatched);

    /// <summary>Packets that came from segments not yet sealed.</summary>
    public long UnsealedPackets => Open.Sum(o => o.PacketsMatched);

    /// <summary>JSON for status answers and the ledger.</summary>
    public JsonObject ToJson()
    {
        var json = Sealed.ToJson();
        json["unsealedSegments"] = new JsonArray(Open.Select(o => (JsonNode)o.ToJson()).ToArray());
        json["unsealedPackets"] = UnsealedPackets;
        return json;
    }
}

/// <summary>
/// Runs a query over a <see cref="StoreSnapshot"/>: the sealed segments through
/// <see cref="QueryExecutor"/> (index, exact re-check), the open capture segments by reading their
/// covered bytes in full with the same checks (window, hosts, ports, protocols, BPF), and merges
/// both in capture-time order into one sink.
/// </summary>
public sealed class SnapshotQueryExecutor
{
    private readonly EvidenceStore _store;
    private readonly IPacketFilterCompiler? _filters;
    private readonly SharedIndexReader? _index;

    /// <summary>
    /// Creates an executor; <paramref name="filters"/> compiles BPF (null: BPF queries are refused);
    /// <paramref name="index"/> is the host's kept-open index reader (null: each query opens the index).
    /// </summary>
    public SnapshotQueryExecutor(EvidenceStore store, IPacketFilterCompiler? filters, SharedIndexReader? index = null)
    {
        _store = store;
        _filters = filters;
        _index = index;
    }

    /// <summary>Runs <paramref name="query"/> over <paramref name="snapshot"/>, writing matches to <paramref name="sink"/>.</summary>
    public SnapshotQueryRun Execute(PacketQuery query, StoreSnapshot snapshot, IQueryPacketSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(sink);
        if (query.Bpf is not null && _filters is null)
        {
            throw new InvalidOperationException("a BPF expression needs libpcap, which is not available");
        }

        using var open = new OpenMerge(query, snapshot.Open, _filters, _store.Layout);
        var interleaved = new InterleavingSink(sink, open);
        var index = _index?.Current();
        var run = new QueryExecutor(_store, _filters, index).Execute(query, snapshot.Selection, interleaved, cancellationToken);
        if (run.IndexProblem is not null && index is not null)
        {
            // This query read the segments in full (same answer, slower); the next opens a fresh reader.
            _index!.Retire(index);
        }

        open.EmitAll(sink, cancellationToken);
        return new SnapshotQueryRun(run, open.Runs());
    }

    /// <summary>Before each packet of the sealed stream, emits the open stream's earlier packets.</summary>
    private sealed class InterleavingSink(IQueryPacketSink inner, OpenMerge open) : IQueryPacketSink
    {
        public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
        {
            open.EmitBefore(timestampNanoseconds, inner);
            inner.Write(segmentId, linkType, timestampNanoseconds, originalLength, data);
        }
    }

    /// <summary>The open segments' matching packets, merged by timestamp.</summary>
    private sealed class OpenMerge : IDisposable
    {
        private readonly List<OpenCursor> _cursors = [];
        private readonly PriorityQueue<OpenCursor, (long Time, int Index)> _heads = new();
        private readonly Dictionary<int, IPacketFilter?> _bpf = [];
        private readonly IPacketFilterCompiler? _compiler;
        private readonly PacketQuery _query;

        public OpenMerge(PacketQuery query, IReadOnlyList<OpenSegmentView> views, IPacketFilterCompiler? compiler, StoreLayout layout)
        {
            _query = query;
            _compiler = compiler;
            for (var i = 0; i < views.Count; i++)
            {
                var cursor = new OpenCursor(views[i], i, layout.Relative(views[i].Path));
                _cursors.Add(cursor);
                if (cursor.MoveNext(this))
                {
                    _heads.Enqueue(cursor, (cursor.CurrentTime, i));
                }
            }
        }

        public void EmitBefore(long time, IQueryPacketSink sink)
        {
            while (_heads.TryPeek(out var head, out var key) && key.Time < time)
            {
                Emit(head, sink);
            }
        }

        public void EmitAll(IQueryPacketSink sink, CancellationToken cancellationToken)
        {
            var emitted = 0;
            while (_heads.TryPeek(out var head, out _))
            {
                Emit(head, sink);
                if ((++emitted & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        public IReadOnlyList<OpenSegmentRun> Runs() => _cursors.Select(c => c.Run()).ToList();

        public bool Matches(int linkType, ReadOnlySpan<byte> data, uint originalLength, long nanoseconds)
        {
            if (!_query.InWindow(nanoseconds))
            {
                return false;
            }

            if (_query.HasFlowConditions)
            {
                PacketDecoder.TryDecode(linkType, data, out var decoded);
                if (!_query.MatchesFlowConditions(decoded, nanoseconds))
                {
                    return false;
                }
            }

            if (_query.Bpf is null)
            {
                return true;
            }

            if (!_bpf.TryGetValue(linkType, out var filter))
            {
                filter = _compiler!.TryCompile(_query.Bpf, linkType, out _);
                _bpf[linkType] = filter;
            }

            return filter is not null && filter.Matches(data, originalLength);
        }

        public void Dispose()
        {
            foreach (var filter in _bpf.Values)
            {
                filter?.Dispose();
            }
        }

        private void Emit(OpenCursor head, IQueryPacketSink sink)
        {
            _heads.Dequeue();
            var packet = head.View.Reader.ReadAt(head.CurrentOffset);
            sink.Write(0, packet.LinkType, packet.Nanoseconds, packet.OriginalLength, packet.Data);
            head.Matched++;
            if (head.MoveNext(this))
            {
                _heads.Enqueue(head, (head.CurrentTime, head.Index));
            }
        }
    }

    /// <summary>Walks one open segment's covered bytes, stopping at each match.</summary>
    private sealed class OpenCursor(OpenSegmentView view, int index, string relativePath)
    {
        private long _next = view.Reader.DataStart;
        private string? _note;

        public OpenSegmentView View { get; } = view;

        public int Index { get; } = index;

        public long CurrentOffset { get; private set; }

        public long CurrentTime { get; private set; }

        public long Examined { get; private set; }

        public long Matched { get; set; }

        public bool MoveNext(OpenMerge merge)
        {
            while (_next < View.Length)
            {
                SegmentPacket packet;
                try
                {
                    if (!View.Reader.TryReadAt(_next, out packet))
                    {
                        // The last block was still being handed over when the snapshot was taken.
                        _note = $"stopped at offset {_next}: the block there was incomplete when the query started";
                        return false;
                    }
                }
                catch (SegmentCorruptException e)
                {
                    // Bytes a crashed writer left behind; recovery will cut them when it seals the file.
                    _note = $"stopped at offset {e.Offset}: {e.Message}";
                    return false;
                }

                var offset = _next;
                _next = packet.EndOffset;
                Examined++;
                if (merge.Matches(packet.LinkType, packet.Data, packet.OriginalLength, packet.Nanoseconds))
                {
                    CurrentOffset = offset;
                    CurrentTime = packet.Nanoseconds;
                    return true;
                }
            }

            return false;
        }

        public OpenSegmentRun Run() => new(View.SessionId, View.CaptureId, relativePath, View.LinkType, View.Length, Examined, Matched, _note);
    }
}
