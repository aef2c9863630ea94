using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Json;
using Recorder.Core.Packets;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Recording;

/// <summary>How a session's finished segments become sealed.</summary>
public enum SealMode
{
    /// <summary>Seal each segment as soon as it is finished (live capture).</summary>
    Immediately,

    /// <summary>
    /// Keep finished segments staged and seal them all in <see cref="RecordingSession.Commit"/>, so
    /// that an input found malformed late leaves nothing behind (import).
    /// </summary>
    OnCommit,
}

/// <summary>
/// One writer's packets on their way into sealed segments. Packets are sorted into one lane per
/// link type (a segment holds a single link type, so tcpdump reads it); each lane writes one open
/// segment at a time inside the session's directory under <c>open/</c>, rotating at the size and age
/// limits, at a new source and when a new interface appears. The session directory is locked for
/// the session's life, so recovery can tell an abandoned session (its writer died) from a live one.
/// </summary>
public sealed class RecordingSession : IDisposable
{
    /// <summary>The session description file inside the session directory.</summary>
    public const string SessionFileName = "session.json";

    /// <summary>The lock file held for the session's life.</summary>
    public const string LockFileName = "session.lock";

    private const long StagedIndexMemoryLimit = 16L * 1024 * 1024;

    private readonly EvidenceStore _store;
    private readonly FileLock _lock;
    private readonly SealMode _mode;
    private readonly JsonObject _origin;
    private readonly Dictionary<int, Lane> _lanes = [];
    private readonly List<StagedSegment> _staged = [];
    private readonly List<SealedSegment> _sealed = [];
    private readonly List<string> _indexProblems = [];
    private long _stagedIndexBytes;
    private int _unsettledSeals;
    private long _sourcePackets;
    private int _fileCounter;
    private SourceInfo? _source;
    private bool _closed;

    private RecordingSession(EvidenceStore store, string directory, FileLock sessionLock, SealMode mode, JsonObject origin)
    {
        _store = store;
        Directory = directory;
        _lock = sessionLock;
        _mode = mode;
        _origin = origin;
    }

    /// <summary>The session directory.</summary>
    public string Directory { get; }

    /// <summary>Packets appended.</summary>
    public long Packets { get; private set; }

    /// <summary>Captured bytes appended.</summary>
    public long PacketBytes { get; private set; }

    /// <summary>Segments sealed so far.</summary>
    public IReadOnlyList<SealedSegment> SealedSegments => _sealed;

    /// <summary>
    /// Index updates that failed after their segments were sealed. The segments stay sealed (they
    /// are the evidence; the index is derived): queries read them in full until the next writer or
    /// <c>recorder index rebuild</c> catches the index up.
    /// </summary>
    public IReadOnlyList<string> IndexProblems => _indexProblems;

    /// <summary>
    /// True when the session closed with a seal begun and not settled (sealed, indexed and recorded
    /// in the ledger), or with segments the index missed: the session directory was then left as a
    /// crash leaves it, and the next opener of the store completes the seal, records it and catches
    /// the index up (docs/store-layout.md, "Sealing").
    /// </summary>
    public bool LeftForRecovery { get; private set; }

    /// <summary>Raised after each seal (and its index update and ledger entry), on the writing thread.</summary>
    public event Action<SealedSegment>? Sealed;

    /// <summary>Starts a session. <paramref name="origin"/> describes the writer (kind, ids, interface, filter).</summary>
    public static RecordingSession Start(EvidenceStore store, SealMode mode, JsonObject origin)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(origin);
        var id = Guid.NewGuid().ToString("N");
        var directory = Path.Combine(store.Layout.OpenDirectory, id);
        System.IO.Directory.CreateDirectory(directory);
        var sessionLock = FileLock.TryAcquire(Path.Combine(directory, LockFileName))
            ?? throw new IOException($"{directory}: cannot lock a brand-new session directory");
        var description = new JsonObject
        {
            ["sessionId"] = id,
            ["sealMode"] = mode == SealMode.Immediately ? "immediately" : "on-commit",
            ["startedAt"] = Timestamp.Now(store.Clock).ToString(),
            ["processId"] = Environment.ProcessId,
            ["origin"] = origin.DeepClone(),
        };
        DurableFile.WriteAllBytes(Path.Combine(directory, SessionFileName), CanonicalJson.Serialize(description));
        return new RecordingSession(store, directory, sessionLock, mode, origin);
    }

    /// <summary>
    /// Starts a new source (an input file): open segments are finished so that no segment mixes two
    /// sources. <paramref name="source"/> is completed by the caller (hash, size) before commit.
    /// </summary>
    public void BeginSource(SourceInfo source)
    {
        ArgumentNullException.ThrowIfNull(source);
        FinishLanes("end-of-input");
        _source = source;
        _sourcePackets = 0;
        foreach (var lane in _lanes.Values)
        {
            lane.ResetInterfaces();
        }
    }

    /// <summary>Appends a packet read from a capture file (its interface identifies the lane).</summary>
    public void Append(in CapturedPacket packet) =>
        Append(packet.Interface, packet.InterfaceIndex, packet.TimestampTicks, packet.TimestampNanoseconds, packet.OriginalLength, packet.Data);

    /// <summary>Appends one packet of interface <paramref name="captureInterface"/> (identified within the source by <paramref name="interfaceKey"/>).</summary>
    public void Append(CaptureInterface captureInterface, int interfaceKey, ulong ticks, long nanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(captureInterface);
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!_lanes.TryGetValue(captureInterface.LinkType, out var lane))
        {
            lane = new Lane(captureInterface.LinkType);
            _lanes.Add(captureInterface.LinkType, lane);
        }

        if (!lane.TryMap(interfaceKey, out var interfaceId))
        {
            interfaceId = lane.AddInterface(interfaceKey, captureInterface);
            if (lane.Writer is not null)
            {
                // A segment's interfaces are all described up front; a new one starts a new segment.
                FinishLane(lane, "interface-change");
            }
        }

        var size = PcapngBlocks.EnhancedPacketSize(data.Length);
        if (lane.Writer is not null && lane.Writer.Length + size > _store.Options.SegmentMaxBytes)
        {
            FinishLane(lane, "size");
        }

        _sourcePackets++;
        lane.Writer ??= OpenWriter(lane);
        PacketDecoder.TryDecode(captureInterface.LinkType, data, out var decoded);
        lane.Writer.Append((uint)interfaceId, ticks, nanoseconds, originalLength, data, decoded.ToFlowKey());
        Packets++;
        PacketBytes += data.Length;
    }

    /// <summary>Finishes (and, in <see cref="SealMode.Immediately"/>, seals) segments older than the age limit.</summary>
    public void SealAged()
    {
        var now = _store.Clock.GetUtcNow();
        foreach (var lane in _lanes.Values)
        {
            if (lane.Writer is not null && now - lane.Writer.OpenedAt >= _store.Options.SegmentMaxAge)
            {
                FinishLane(lane, "age");
            }
        }
    }

    /// <summary>Makes everything written so far visible to readers of the open segments.</summary>
    public void FlushToOperatingSystem()
    {
        foreach (var lane in _lanes.Values)
        {
            lane.Writer?.FlushToOperatingSystem();
        }
    }

    /// <summary>
    /// Finishes every open segment, seals whatever is staged, indexes everything sealed and removes
    /// the session directory. Returns every segment this session sealed.
    /// </summary>
    public IReadOnlyList<SealedSegment> Commit(string reason, JsonObject? finalOrigin = null)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (finalOrigin is not null)
        {
            // Facts known only at the end (a capture's drop counters) go into the last segments' manifests.
            foreach (var (name, value) in finalOrigin)
            {
                _origin[name] = value?.DeepClone();
            }
        }

        FinishLanes(reason);
        if (_staged.Count > 0)
        {
            // Seal everything (sealing does not need the index data), then index one segment at a
            // time: each one's index data is taken from memory or its spill file when the index
            // asks for it and dropped once written. Loading all of it first made an import's memory
            // grow with the size of the capture (about 60 MB per 4 GiB segment).
            var staged = new Dictionary<long, StagedSegment>(_staged.Count);
            var segments = new List<SealedSegment>(_staged.Count);
            foreach (var segment in _staged)
            {
                var sealedSegment = SealOne(segment.Segment, segment.Reason, segment.Origin());
                segments.Add(sealedSegment);
                staged.Add(sealedSegment.Id, segment);
            }

            _staged.Clear();
            _stagedIndexBytes = 0;
            TryUpdateIndex(segments, segment => staged[segment.Id].TakeIndexData());
            foreach (var segment in segments)
            {
                Settle(segment);
            }

            foreach (var segment in segments)
            {
                Sealed?.Invoke(segment);
            }
        }

        // A failed index update leaves the session directory as a crash would: the next opener's
        // recovery catches the index up (the directory is the only record that it is behind, and
        // leaving it needs no write on a full disk).
        LeftForRecovery = _indexProblems.Count > 0;
        Close(deleteDirectory: !LeftForRecovery);
        return _sealed;
    }

    /// <summary>
    /// Throws away everything not yet sealed (staged segments and open files), unless a seal was
    /// begun and not settled: then nothing is thrown away and the directory is left for recovery
    /// (<see cref="LeftForRecovery"/>), because a sealed segment must get its ledger entry and
    /// deleting the note that owes it would leave a segment the ledger never names.
    /// </summary>
    public void Abort()
    {
        if (_closed)
        {
            return;
        }

        foreach (var lane in _lanes.Values)
        {
            lane.Writer?.Dispose();
            lane.Writer = null;
        }

        _staged.Clear();
        LeftForRecovery = _unsettledSeals > 0 || _indexProblems.Count > 0;
        Close(deleteDirectory: !LeftForRecovery);
    }

    /// <summary>Leaves the session as it is (a crash-like stop: recovery will seal what is complete).</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        foreach (var lane in _lanes.Values)
        {
            lane.Writer?.Dispose();
        }

        Close(deleteDirectory: false);
    }

    /// <summary>
    /// Seals one finished segment. It counts as unsettled from before the seal starts (a failure
    /// inside may leave an intent or a note owed) until its ledger entry is recorded.
    /// </summary>
    private SealedSegment SealOne(FinishedSegment finished, string reason, JsonObject origin)
    {
        _unsettledSeals++;
        var sealedSegment = _store.Sealer.Seal(finished, reason, origin, new SealEntry(Directory, DescribeSeal));
        _sealed.Add(sealedSegment);
        return sealedSegment;
    }

    /// <summary>The <c>segment.sealed</c> event, naming the import or capture (from the origin) it came from.</summary>
    private CustodyEvent DescribeSeal(SealedSegment segment)
    {
        var subjects = new JsonObject();
        foreach (var key in (string[])["importId", "captureId"])
        {
            if (_origin[key] is { } value)
            {
                subjects[key] = value.DeepClone();
            }
        }

        return _store.SealedEvent(segment, subjects);
    }

    /// <summary>Records the ledger entry the seal of <paramref name="segment"/> owes and removes its note.</summary>
    private void Settle(SealedSegment segment)
    {
        SealEntryNote.Settle(_store, SealEntryNote.PathFor(Directory, segment.Id));
        _unsettledSeals--;
    }

    private void TryUpdateIndex(IReadOnlyList<SealedSegment> segments, Func<SealedSegment, ISegmentIndexSource> indexData)
    {
        try
        {
            _store.UpdateIndex(segments, indexData);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _indexProblems.Add($"segments {string.Join(", ", segments.Select(s => s.Id))} sealed but not indexed: {e.GetType().Name}: {e.Message}");
        }

        foreach (var segment in segments)
        {
            _store.SealFaults?.Reached(SealStep.Indexed, segment.Id);
        }
    }

    private SegmentWriter OpenWriter(Lane lane)
    {
        lane.SourceFirstPacket = _sourcePackets;
        var path = NewFile(".pcapng", lane.SourceFirstPacket);
        return new SegmentWriter(path, lane.Interfaces, _store.Options.Application, _store.Clock.GetUtcNow(), _store.Options.IndexMemoryBytes);
    }

    /// <summary>
    /// A new file name in the session directory for a segment whose first packet is packet
    /// <paramref name="firstPacket"/> of the current source (recovery attributes abandoned files through a note).
    /// </summary>
    public string NewFile(string extension, long firstPacket)
    {
        var path = Path.Combine(Directory, (++_fileCounter).ToString("D6", CultureInfo.InvariantCulture) + extension);
        if (_source is not null)
        {
            DurableFile.WriteAllBytes(Path.ChangeExtension(path, ".source.json"), CanonicalJson.Serialize(new JsonObject
            {
                ["source"] = _source.Name,
                ["path"] = _source.Path,
                ["firstPacket"] = firstPacket,
            }));
        }

        return path;
    }

    /// <summary>
    /// Takes a segment file produced outside the lanes (an imported classic pcap kept verbatim, made
    /// with <see cref="NewFile"/>) and stages or seals it like any other.
    /// </summary>
    public void AddFinished(FinishedSegment finished, string reason)
    {
        ArgumentNullException.ThrowIfNull(finished);
        ObjectDisposedException.ThrowIf(_closed, this);
        Packets += finished.Packets;
        PacketBytes += finished.PacketBytes;
        Accept(finished, reason, firstPacket: 1);
    }

    private void FinishLanes(string reason)
    {
        foreach (var lane in _lanes.Values)
        {
            FinishLane(lane, reason);
        }
    }

    private void FinishLane(Lane lane, string reason)
    {
        if (lane.Writer is null)
        {
            return;
        }

        var finished = lane.Writer.Finish();
        lane.Writer = null;
        Accept(finished, reason, lane.SourceFirstPacket);
    }

    private void Accept(FinishedSegment finished, string reason, long firstPacket)
    {
        var source = _source;
        var packets = finished.Packets;
        var baseOrigin = _origin;
        JsonObject Origin()
        {
            var origin = baseOrigin.DeepClone().AsObject();
            if (source is not null)
            {
                origin["source"] = source.ToJson();
                origin["sourceFirstPacket"] = firstPacket;
                origin["sourcePackets"] = packets;
            }

            return origin;
        }

        if (_mode == SealMode.Immediately)
        {
            var sealedSegment = SealOne(finished, reason, Origin());
            // A block-scoped copy: capturing the parameter would hoist it into the closure that
            // Origin() shares, and every staged segment would keep its index data reachable.
            var index = finished.Index;
            try
            {
                TryUpdateIndex([sealedSegment], _ => index);
            }
            finally
            {
                // Deletes the index file of a large segment when the update failed before taking it.
                (index as IDisposable)?.Dispose();
            }

            Settle(sealedSegment);
            Sealed?.Invoke(sealedSegment);
            return;
        }

        var staged = new StagedSegment(finished, reason, Origin);
        if (finished.Index is SegmentIndexData data)
        {
            // A small segment's index data stayed in memory; past a budget for all staged segments
            // it goes to a file like a large segment's (whose builder already left it in one).
            var size = EstimateSize(data);
            if (_stagedIndexBytes + size > StagedIndexMemoryLimit)
            {
                staged.Index = SegmentIndexFile.Write(SegmentWriter.IndexPath(finished.Path), data);
            }
            else
            {
                staged.Index = data;
                _stagedIndexBytes += size;
            }
        }
        else
        {
            staged.Index = finished.Index;
        }

        _staged.Add(staged with { Segment = finished with { Index = EmptyIndex } });
    }

    private static readonly SegmentIndexData EmptyIndex = new([], []);

    private static long EstimateSize(SegmentIndexData data)
    {
        long total = data.Chunks.Count * 40L;
        foreach (var flow in data.Flows)
        {
            total += 120 + flow.Positions.Length;
        }

        return total;
    }

    private void Close(bool deleteDirectory)
    {
        _closed = true;

        // Delete while still holding the lock: recovery takes a session whose lock is free for an
        // abandoned one, so the lock must outlive the files it protects. The lock file goes last, so
        // a prober finds either a busy lock or no lock file (a session being removed), never a free one.
        if (deleteDirectory && System.IO.Directory.Exists(Directory))
        {
            var lockPath = Path.Combine(Directory, LockFileName);
            foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory).Where(e => e != lockPath))
            {
                if (System.IO.Directory.Exists(entry))
                {
                    System.IO.Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }

            File.Delete(lockPath);
            System.IO.Directory.Delete(Directory);
        }

        _lock.Dispose();
    }

    private sealed class Lane(int linkType)
    {
        private readonly Dictionary<int, int> _map = [];
        private readonly List<CaptureInterface> _interfaces = [];

        public int LinkType { get; } = linkType;

        public SegmentWriter? Writer { get; set; }

        public long SourceFirstPacket { get; set; }

        public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

        public bool TryMap(int key, out int id) => _map.TryGetValue(key, out id);

        public int AddInterface(int key, CaptureInterface captureInterface)
        {
            var id = _interfaces.Count;
            _interfaces.Add(captureInterface);
            _map.Add(key, id);
            return id;
        }

        public void ResetInterfaces()
        {
            _map.Clear();
            _interfaces.Clear();
        }
    }

    private sealed record StagedSegment(FinishedSegment Segment, string Reason, Func<JsonObject> Origin)
    {
        /// <summary>The index data: in memory, or a file in the session directory.</summary>
        public ISegmentIndexSource? Index { get; set; }

        /// <summary>The index data; the segment keeps no reference to it afterwards (the index update disposes it).</summary>
        public ISegmentIndexSource TakeIndexData()
        {
            var index = Index ?? throw new InvalidOperationException($"{Segment.Path}: index data already taken");
            Index = null;
            return index;
        }
    }
}

/// <summary>An input file of an import; hash and size are filled in once it has been read whole.</summary>
public sealed class SourceInfo
{
    /// <summary>Creates the description of an input.</summary>
    public SourceInfo(string name, string path)
    {
        Name = name;
        Path = path;
    }

    /// <summary>The name as given on the command line.</summary>
    public string Name { get; }

    /// <summary>The absolute path.</summary>
    public string Path { get; }

    /// <summary>Size in bytes.</summary>
    public long? Bytes { get; set; }

    /// <summary>SHA-256 of the whole file.</summary>
    public string? Sha256 { get; set; }

    /// <summary>The container format.</summary>
    public string? Format { get; set; }

    /// <summary>What was cut off the end, if the file was truncated and that was accepted.</summary>
    public TruncatedTail? Truncation { get; set; }

    /// <summary>The JSON recorded in manifests and the ledger.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["path"] = Path,
            ["bytes"] = Bytes,
            ["sha256"] = Sha256,
            ["format"] = Format,
        };
        if (Truncation is not null)
        {
            json["truncated"] = new JsonObject
            {
                ["offset"] = Truncation.Offset,
                ["availableBytes"] = Truncation.AvailableBytes,
                ["expectedBytes"] = Truncation.ExpectedBytes,
            };
        }

        return json;
    }
}
