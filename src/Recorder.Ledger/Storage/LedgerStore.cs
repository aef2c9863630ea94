using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Merkle;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Storage;

/// <summary>
/// The on-disk ledger as one process sees it: the committed state (entry count, Merkle frontier,
/// last entry hash, last signed head, where the last complete batch ends) and the work done under
/// the cross-process lock: catching up with what other processes appended, recovering a tail cut
/// short by a crash, writing a batch, reading proofs from the derived files.
/// </summary>
/// <remarks>
/// Every operation runs in a session (<see cref="WithSession{T}"/>): the in-process mutex, then the
/// flock on <c>ledger.lock</c>, then a fresh handle on <c>ledger.jsonl</c> and the derived files, then
/// <see cref="Synchronize"/>. Handles are not kept between sessions, so a file replaced or rebuilt by
/// another process is always seen as it is now.
/// </remarks>
internal sealed class LedgerStore
{
    private readonly object _io = new();
    private readonly string _directory;
    private readonly string _ledgerPath;
    private readonly LedgerOptions _options;
    private readonly ISigner _signer;
    private readonly TimeProvider _clock;
    private readonly CheckpointStore _checkpoints;
    private readonly LedgerActor _systemActor = LedgerActor.SystemActor();

    private bool _loaded;
    private long _count;
    private long _headCount;
    private long _batchEnd;
    private CompactRange _range = new();
    private byte[] _lastEntryHash = new byte[32];
    private Checkpoint? _lastHead;
    private long _lastHeadOffset;
    private byte[]? _lastHeadLine;

    public LedgerStore(string directory, LedgerOptions options, ISigner signer, TimeProvider clock)
    {
        _directory = directory;
        _ledgerPath = Path.Combine(directory, LedgerFiles.Ledger);
        _options = options;
        _signer = signer;
        _clock = clock;
        _checkpoints = new CheckpointStore(directory);
    }

    public string LedgerPath => _ledgerPath;

    public CheckpointStore Checkpoints => _checkpoints;

    /// <summary>Creates the directory and an empty ledger file if needed, durably.</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(_directory);
        if (!File.Exists(_ledgerPath))
        {
            using (var stream = new FileStream(_ledgerPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                stream.Flush(flushToDisk: true);
            }

            DirectorySync.Sync(_directory);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a locked, synchronized session.</summary>
    public T WithSession<T>(Func<Session, T> work)
    {
        lock (_io)
        {
            using var fileLock = LedgerLock.Acquire(Path.Combine(_directory, LedgerFiles.Lock), _options.LockTimeout);
            using var ledger = File.OpenHandle(_ledgerPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            using var tree = new TreeFiles(Path.Combine(_directory, LedgerFiles.TreeDirectory));
            var session = new Session(ledger, tree);
            try
            {
                Synchronize(session);
                var result = work(session);
                tree.Flush();
                return result;
            }
            catch
            {
                // Whatever happened, the next session re-derives its state from the files.
                _loaded = false;
                throw;
            }
        }
    }

    /// <summary>Committed entries; meaningful inside a session.</summary>
    public long Count => _count;

    /// <summary>Where the last committed batch ends; meaningful inside a session.</summary>
    public long BatchEnd => _batchEnd;

    /// <summary>The last committed signed head; meaningful inside a session.</summary>
    public Checkpoint? LastHead => _lastHead;

    /// <summary>Writes one batch: its signed head line first, then its entry lines, one write and one fsync.</summary>
    public LedgerEntry[] WriteBatch(Session session, IReadOnlyList<PreparedDraft> drafts)
    {
        var n = drafts.Count;
        var clock = HostClock.Describe(_clock);
        var clockJson = EntryCodec.ClockJson(clock);
        var trial = _range.Clone();
        var prev = _lastEntryHash;
        var lines = new byte[n][];
        var leaves = new byte[n][];
        var hashes = new byte[n][];
        var times = new Timestamp[n];
        for (var i = 0; i < n; i++)
        {
            times[i] = Timestamp.Now(_clock);
            lines[i] = EntryCodec.Encode(drafts[i], _count + i, times[i], clockJson, Hex.Lower(prev));
            leaves[i] = MerkleHash.Leaf(lines[i]);
            trial.Append(leaves[i]);
            prev = hashes[i] = SHA256.HashData(lines[i]);
        }

        var size = checked(_count + n);
        var root = trial.Root();
        var headTime = Timestamp.Now(_clock);
        var text = Encoding.UTF8.GetBytes(CheckpointText.Format(_options.Origin, size, root, headTime));
        var head = new Checkpoint(_options.Origin, size, root, headTime, _signer.Sign(text), _signer.Fingerprint);
        var headLine = HeadRecord.Encode(head);

        var total = headLine.Length + 1 + lines.Sum(l => (long)l.Length + 1);
        var buffer = new byte[checked((int)total)];
        var at = 0;
        headLine.CopyTo(buffer, at);
        at += headLine.Length;
        buffer[at++] = (byte)'\n';
        foreach (var line in lines)
        {
            line.CopyTo(buffer, at);
            at += line.Length;
            buffer[at++] = (byte)'\n';
        }

        // Durable before anything else changes: the write and the fsync of the ledger file.
        RandomAccess.Write(session.Ledger, buffer, _batchEnd);
        RandomAccess.FlushToDisk(session.Ledger);

        var headOffset = _batchEnd;
        var offset = headOffset + headLine.Length + 1;
        var entries = new LedgerEntry[n];
        for (var i = 0; i < n; i++)
        {
            session.Tree.QueueOffset(_count + i, offset);
            offset += lines[i].Length + 1;
            _range.Append(leaves[i], session.Tree.QueueNode);
            entries[i] = EntryFrom(drafts[i], lines[i], hashes[i], _count + i, times[i], clock, i == 0 ? _lastEntryHash : hashes[i - 1]);
        }

        session.Tree.QueueHead(_headCount, new HeadIndexRecord(size, headOffset, offset));
        _count = size;
        _headCount++;
        _batchEnd = offset;
        _lastEntryHash = prev;
        _lastHead = head;
        _lastHeadOffset = headOffset;
        _lastHeadLine = headLine;
        return entries;
    }

    /// <summary>The signed head of exactly <paramref name="size"/> entries, with its stored time-stamp if any.</summary>
    public Checkpoint HeadOfSize(Session session, long size)
    {
        if (size < 1 || size > _count)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"the ledger has {_count} entries");
        }

        var index = session.Tree.FindHead(size, _headCount)
            ?? throw new ArgumentException($"no signed head covers exactly {size} entries; heads exist at the end of each batch (latest: {_count})", nameof(size));
        var record = session.Tree.ReadHead(index);
        var line = LineScanner.ReadLine(session.Ledger, record.HeadOffset, _batchEnd);
        if (line is null || !HeadRecord.TryParse(line, out var head, out _) || head.Size != size)
        {
            throw new DerivedDataException($"head index entry {index} does not point at the head of size {size}");
        }

        return WithStoredTimeStamp(head);
    }

    public Checkpoint WithStoredTimeStamp(Checkpoint head)
    {
        var stored = _checkpoints.Read(head.Size);
        return stored is not null && stored.Text.AsSpan().SequenceEqual(head.TextBytes) && stored.TimeStampResponse is not null
            ? head with { TimeStampResponse = stored.TimeStampResponse, TimeStampAuthorityPem = stored.AuthorityPem }
            : head;
    }

    public byte[] EntryLine(Session session, long seq)
    {
        if (seq < 0 || seq >= _count)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, $"the ledger has {_count} entries");
        }

        var line = LineScanner.ReadLine(session.Ledger, session.Tree.ReadOffset(seq), _batchEnd)
            ?? throw new DerivedDataException($"offset of entry {seq} does not point at a line");
        Span<byte> leaf = stackalloc byte[32];
        MerkleHash.Leaf(line, leaf);
        if (!leaf.SequenceEqual(session.Tree.ReadNode(0, seq)))
        {
            throw new DerivedDataException($"entry {seq} does not match its stored leaf hash");
        }

        return line;
    }

    public long EntryOffset(Session session, long seq) => seq >= _count ? _batchEnd : session.Tree.ReadOffset(seq);

    public byte[] SubtreeHash(Session session, long start, long end) =>
        MerkleProofs.FromCompleteSubtrees(start, end, session.Tree.ReadNode);

    /// <summary>Throws away the derived files and re-derives everything from <c>ledger.jsonl</c>.</summary>
    public void Rebuild(Session session)
    {
        ResetState();
        session.Tree.Truncate(0, 0);
        CatchUp(session);
    }

    private void Synchronize(Session session)
    {
        if (!_loaded)
        {
            Load(session);
            _loaded = true;
            CheckAgainstLatestCheckpoint(session);
            RecordPendingCuts(session);
            return;
        }

        var length = RandomAccess.GetLength(session.Ledger);
        if (length < _batchEnd)
        {
            throw new LedgerIntegrityException(_ledgerPath, _count, length, $"the ledger shrank from {_batchEnd} to {length} bytes: committed entries were removed");
        }

        if (_lastHeadLine is not null)
        {
            var line = LineScanner.ReadLine(session.Ledger, _lastHeadOffset, length);
            if (line is null || !line.AsSpan().SequenceEqual(_lastHeadLine))
            {
                throw new LedgerIntegrityException(_ledgerPath, null, _lastHeadOffset, "the signed head of the last committed batch was rewritten");
            }
        }

        if (session.Tree.OffsetCount < _count || session.Tree.HeadCount < _headCount)
        {
            // The derived files were cut or deleted under us.
            Rebuild(session);
            return;
        }

        CatchUp(session);
    }

    private void Load(Session session)
    {
        ResetState();
        var length = RandomAccess.GetLength(session.Ledger);
        if (length == 0)
        {
            session.Tree.Truncate(0, 0);
            return;
        }

        try
        {
            var tree = session.Tree;
            var headCount = tree.HeadCount;
            if (headCount == 0)
            {
                throw new DerivedDataException("no head index");
            }

            var record = tree.ReadHead(headCount - 1);
            if (record.Size < 1 || record.Size > tree.OffsetCount || record.BatchEnd > length || record.HeadOffset >= record.BatchEnd)
            {
                throw new DerivedDataException("head index does not fit the ledger");
            }

            var frontier = new List<byte[]>();
            long start = 0;
            for (var level = 62; level >= 0; level--)
            {
                if ((record.Size & (1L << level)) != 0)
                {
                    frontier.Add(tree.ReadNode(level, start >> level));
                    start += 1L << level;
                }
            }

            var range = CompactRange.FromFrontier(record.Size, frontier);
            var headLine = LineScanner.ReadLine(session.Ledger, record.HeadOffset, length);
            if (headLine is null || !HeadRecord.TryParse(headLine, out var head, out _) || head.Size != record.Size
                || !head.RootHash.AsSpan().SequenceEqual(range.Root()) || head.Origin != _options.Origin || !head.VerifySignature(_signer))
            {
                throw new DerivedDataException("the last indexed head does not match the stored tree");
            }

            var lastOffset = tree.ReadOffset(record.Size - 1);
            var lastLine = LineScanner.ReadLine(session.Ledger, lastOffset, length);
            if (lastLine is null || lastOffset + lastLine.Length + 1 != record.BatchEnd
                || !MerkleHash.Leaf(lastLine).AsSpan().SequenceEqual(tree.ReadNode(0, record.Size - 1)))
            {
                throw new DerivedDataException("the last indexed entry does not match the ledger");
            }

            _count = record.Size;
            _headCount = headCount;
            _batchEnd = record.BatchEnd;
            _range = range;
            _lastEntryHash = SHA256.HashData(lastLine);
            _lastHead = head;
            _lastHeadOffset = record.HeadOffset;
            _lastHeadLine = headLine;
            tree.Truncate(_count, _headCount);
        }
        catch (DerivedDataException)
        {
            ResetState();
            session.Tree.Truncate(0, 0);
        }

        CatchUp(session);
    }

    /// <summary>
    /// The latest time-stamped checkpoint kept under <c>checkpoints/</c> was signed by the store key
    /// over the first N entries: the ledger must still have them, unchanged. This catches a ledger
    /// file rolled back or truncated (at a batch boundary, which looks complete) while no writer ran.
    /// A checkpoint file whose signature does not verify proves nothing and is left to the verifier.
    /// </summary>
    private void CheckAgainstLatestCheckpoint(Session session)
    {
        var sizes = _checkpoints.Sizes();
        if (sizes.Count == 0 || _checkpoints.Read(sizes[^1]) is not { Signature: { } signature } stored
            || !CheckpointText.TryParse(stored.Text, out var body, out _) || !_signer.Verify(stored.Text, signature))
        {
            return;
        }

        if (body.Size > _count)
        {
            throw new LedgerIntegrityException(_ledgerPath, _count, null,
                $"the time-stamped checkpoint of {body.Time} covers {body.Size} entries but the ledger has {_count}: entries were removed or the ledger was rolled back");
        }

        if (!SubtreeHash(session, 0, body.Size).AsSpan().SequenceEqual(body.RootHash))
        {
            Rebuild(session);
            if (!SubtreeHash(session, 0, body.Size).AsSpan().SequenceEqual(body.RootHash))
            {
                throw new LedgerIntegrityException(_ledgerPath, null, null,
                    $"the first {body.Size} entries no longer hash to the root of the time-stamped checkpoint of {body.Time}: the ledger was rewritten");
            }
        }
    }

    private void ResetState()
    {
        _count = 0;
        _headCount = 0;
        _batchEnd = 0;
        _range = new CompactRange();
        _lastEntryHash = new byte[32];
        _lastHead = null;
        _lastHeadOffset = 0;
        _lastHeadLine = null;
    }

    /// <summary>
    /// Takes in what lies beyond the last committed batch: complete batches written by other
    /// processes (checked: sequence, chain, root, and the signature of the last one), then the tail.
    /// </summary>
    private void CatchUp(Session session)
    {
        var length = RandomAccess.GetLength(session.Ledger);
        if (length == _batchEnd)
        {
            return;
        }

        var scan = new CatchUpScan(this, session);
        var tailStart = LineScanner.Scan(session.Ledger, _batchEnd, length, scan.OnLine);
        if (scan.LastCommitted is { } last && !last.VerifySignature(_signer))
        {
            throw new LedgerIntegrityException(_ledgerPath, last.Size - 1, null,
                $"the signed head of size {last.Size} does not verify with the store key {_signer.Fingerprint}");
        }

        if (scan.UncoveredOffset is { } uncovered)
        {
            if (!_options.QuarantineUncoveredEntries)
            {
                throw new LedgerIntegrityException(_ledgerPath, _count, uncovered,
                    "complete entries follow the last signed head; Recorder never writes those, so they were added without the key (verify the ledger; QuarantineUncoveredEntries moves them aside)");
            }

            Cut(session, uncovered, LedgerActions.UncoveredEntriesQuarantined, "uncovered-entries", null);
            return;
        }

        if (scan.Pending is { } pending)
        {
            if (!pending.Head.VerifySignature(_signer))
            {
                throw new LedgerIntegrityException(_ledgerPath, _count, pending.HeadOffset,
                    $"an unfinished batch's head (announcing {pending.Head.Size} entries) does not verify with the store key: not a crash of a Recorder writer");
            }

            var stamped = _checkpoints.Sizes();
            if (stamped.Count > 0 && stamped[^1] > _count)
            {
                throw new LedgerIntegrityException(_ledgerPath, _count, pending.HeadOffset,
                    $"the ledger ends in an unfinished batch, yet a time-stamped checkpoint covers {stamped[^1]} entries: committed entries were removed");
            }

            Cut(session, pending.HeadOffset, LedgerActions.TornTailRecovered, "interrupted-batch", pending);
            return;
        }

        if (tailStart < length)
        {
            Cut(session, tailStart, LedgerActions.TornTailRecovered, "incomplete-line", null);
        }
    }

    /// <summary>
    /// Moves the bytes from <paramref name="offset"/> to the end into a <c>ledger.torn-*</c> file,
    /// truncates the ledger there, and records the cut in a batch of its own. The file is named
    /// <c>.pending</c> until the record is durable, so an interrupted recovery is finished on next open.
    /// </summary>
    private void Cut(Session session, long offset, string action, string kind, PendingBatch? pending)
    {
        var length = RandomAccess.GetLength(session.Ledger);
        var bytes = new byte[checked((int)(length - offset))];
        RandomAccess.Read(session.Ledger, bytes, offset);
        var completeLines = bytes.Count(b => b == (byte)'\n');
        var name = LedgerFiles.TornPrefix + Timestamp.Now(_clock).ToString().Replace(':', '-') + "-at-" + offset.ToString(CultureInfo.InvariantCulture) + ".bin";
        var pendingPath = Path.Combine(_directory, name + LedgerFiles.PendingSuffix);
        using (var stream = new FileStream(pendingPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        DirectorySync.Sync(_directory);
        RandomAccess.SetLength(session.Ledger, offset);
        RandomAccess.FlushToDisk(session.Ledger);

        var details = new JsonObject
        {
            ["kind"] = kind,
            ["offset"] = offset,
            ["length"] = bytes.Length,
            ["completeLines"] = completeLines,
            ["file"] = name,
        };
        if (pending is not null)
        {
            details["announcedSize"] = pending.Head.Size;
            details["entriesPresent"] = pending.Entries;
        }

        Record(session, action, name, bytes, details);
    }

    private void Record(Session session, string action, string name, byte[] bytes, JsonObject details)
    {
        var draft = new LedgerDraft(action)
        {
            Actor = _systemActor,
            Hashes = new Dictionary<string, string> { ["cut"] = Hex.Lower(SHA256.HashData(bytes)) },
            Details = details,
        };
        WriteBatch(session, [EntryCodec.Prepare(draft, _systemActor)]);
        File.Move(Path.Combine(_directory, name + LedgerFiles.PendingSuffix), Path.Combine(_directory, name));
        DirectorySync.Sync(_directory);
    }

    /// <summary>Finishes recoveries a crash interrupted between cutting the tail and recording the cut.</summary>
    private void RecordPendingCuts(Session session)
    {
        foreach (var path in Directory.EnumerateFiles(_directory, LedgerFiles.TornPrefix + "*" + LedgerFiles.PendingSuffix).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path)[..^LedgerFiles.PendingSuffix.Length];
            if (IsRecorded(session, name))
            {
                File.Move(path, Path.Combine(_directory, name));
                DirectorySync.Sync(_directory);
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            var at = name.LastIndexOf("-at-", StringComparison.Ordinal);
            var offset = at >= 0 && long.TryParse(name[(at + 4)..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1;
            Record(session, LedgerActions.TornTailRecovered, name, bytes, new JsonObject
            {
                ["kind"] = "recorded-after-interrupted-recovery",
                ["offset"] = offset,
                ["length"] = bytes.Length,
                ["completeLines"] = bytes.Count(b => b == (byte)'\n'),
                ["file"] = name,
            });
        }
    }

    private bool IsRecorded(Session session, string name)
    {
        // The record of a cut is the first entry after it; look at the last few entries.
        for (var seq = _count - 1; seq >= 0 && seq >= _count - 16; seq--)
        {
            if (EntryCodec.TryParse(LineScanner.ReadLine(session.Ledger, session.Tree.ReadOffset(seq), _batchEnd) ?? [], out var entry, out _)
                && entry.Details["file"] is JsonValue file && file.TryGetValue<string>(out var recorded) && recorded == name)
            {
                return true;
            }
        }

        return false;
    }

    private LedgerEntry EntryFrom(PreparedDraft draft, byte[] line, byte[] hash, long seq, Timestamp time, ClockInfo clock, byte[] prev) =>
        new(line, Hex.Lower(hash), seq, time, clock, draft.Actor, draft.Action, draft.Subjects, draft.Hashes, draft.Details, draft.Case, draft.Reason, Hex.Lower(prev));

    private void CommitScanned(Session session, PendingBatch batch)
    {
        for (var i = 0; i < batch.Entries; i++)
        {
            session.Tree.QueueOffset(_count + i, batch.Offsets[i]);
            _range.Append(batch.Leaves[i], session.Tree.QueueNode);
        }

        session.Tree.QueueHead(_headCount, new HeadIndexRecord(batch.Head.Size, batch.HeadOffset, batch.End));
        _count = batch.Head.Size;
        _headCount++;
        _batchEnd = batch.End;
        _lastEntryHash = batch.LastHash;
        _lastHead = batch.Head;
        _lastHeadOffset = batch.HeadOffset;
        _lastHeadLine = batch.HeadLine;
    }

    /// <summary>The handles of one session.</summary>
    internal sealed class Session(SafeFileHandle ledger, TreeFiles tree)
    {
        public SafeFileHandle Ledger { get; } = ledger;

        public TreeFiles Tree { get; } = tree;
    }

    private sealed class PendingBatch(Checkpoint head, long headOffset, byte[] headLine, CompactRange trial, byte[] prev)
    {
        public Checkpoint Head { get; } = head;

        public long HeadOffset { get; } = headOffset;

        public byte[] HeadLine { get; } = headLine;

        public CompactRange Trial { get; } = trial;

        public List<long> Offsets { get; } = [];

        public List<byte[]> Leaves { get; } = [];

        public byte[] LastHash { get; set; } = prev;

        public long End { get; set; }

        public int Entries => Offsets.Count;
    }

    /// <summary>The line-by-line state of <see cref="CatchUp"/>.</summary>
    private sealed class CatchUpScan(LedgerStore store, Session session)
    {
        public PendingBatch? Pending { get; private set; }

        public Checkpoint? LastCommitted { get; private set; }

        public long? UncoveredOffset { get; private set; }

        public bool OnLine(long offset, ReadOnlySpan<byte> line)
        {
            var path = store._ledgerPath;
            if (HeadRecord.LooksLikeHead(line))
            {
                if (Pending is not null)
                {
                    throw new LedgerIntegrityException(path, store._count + Pending.Entries, offset,
                        $"a head starts a new batch although the batch announced at byte {Pending.HeadOffset} ({Pending.Head.Size} entries) has only {Pending.Entries}");
                }

                if (!HeadRecord.TryParse(line, out var head, out var error))
                {
                    throw new LedgerIntegrityException(path, store._count, offset, "malformed signed head: " + error);
                }

                if (head.Origin != store._options.Origin)
                {
                    throw new LedgerIntegrityException(path, store._count, offset, $"head origin '{head.Origin}' is not this ledger's origin '{store._options.Origin}'");
                }

                if (head.Size <= store._count)
                {
                    throw new LedgerIntegrityException(path, store._count, offset, $"head announces {head.Size} entries but {store._count} are already committed");
                }

                Pending = new PendingBatch(head, offset, line.ToArray(), store._range.Clone(), store._lastEntryHash) { End = offset + line.Length + 1 };
                return true;
            }

            if (Pending is null)
            {
                UncoveredOffset = offset;
                return false;
            }

            var seq = store._count + Pending.Entries;
            Span<byte> prev = stackalloc byte[32];
            if (!EntryCodec.TryReadChainFields(line, out var recordedSeq, prev))
            {
                throw new LedgerIntegrityException(path, seq, offset, "malformed entry line");
            }

            if (recordedSeq != seq)
            {
                throw new LedgerIntegrityException(path, seq, offset, $"entry records seq {recordedSeq}");
            }

            if (!prev.SequenceEqual(Pending.LastHash))
            {
                throw new LedgerIntegrityException(path, seq, offset, "prev does not match the hash of the previous entry");
            }

            var leaf = MerkleHash.Leaf(line);
            Pending.Trial.Append(leaf);
            Pending.Offsets.Add(offset);
            Pending.Leaves.Add(leaf);
            Pending.LastHash = SHA256.HashData(line);
            Pending.End = offset + line.Length + 1;
            if (seq + 1 == Pending.Head.Size)
            {
                if (!Pending.Trial.Root().AsSpan().SequenceEqual(Pending.Head.RootHash))
                {
                    throw new LedgerIntegrityException(path, store._count, Pending.HeadOffset,
                        $"the entries of the batch {store._count}..{seq} do not hash to the root their signed head commits to");
                }

                store.CommitScanned(session, Pending);
                LastCommitted = Pending.Head;
                Pending = null;
            }

            return true;
        }
    }
}
