using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Merkle;
using Recorder.Ledger.Proofs;
using Recorder.Ledger.Storage;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger;

/// <summary>
/// The custody ledger of a store: an append-only file of canonical JSON entries, hash-chained and
/// committed to by an RFC 9162 Merkle tree whose heads are signed with the store's key, with RFC
/// 3161 time-stamped checkpoints. Format: docs/ledger-format.md, docs/checkpoint-format.md.
/// </summary>
/// <remarks>
/// <para>Durability: <see cref="Append(LedgerDraft)"/> returns only after the entry and a signed head
/// covering it are on disk (written in one write, then fsync). Concurrent appends in one process are
/// merged into one batch (group commit); several processes append under an exclusive flock and
/// each first takes in what the others wrote.</para>
/// <para>Thread-safe. Holds no file open between calls.</para>
/// </remarks>
public sealed class CustodyLedger
{
    private readonly object _queueGate = new();
    private readonly List<PendingAppend> _queue = [];
    private readonly LedgerStore _store;
    private readonly LedgerOptions _options;
    private readonly ISigner _signer;
    private readonly ITimeStampAuthority _authority;
    private readonly TimeProvider _clock;
    private readonly LedgerActor _defaultActor;
    private readonly object _stampGate = new();
    private readonly Lock _stamping = new();
    private readonly TimeStampScheduler _scheduler;
    private bool _leaderActive;
    private Timestamp? _lastStampTime;
    private Exception? _unrecordedStampFailure;

    private CustodyLedger(string directory, LedgerOptions options, ISigner signer, ITimeStampAuthority authority, TimeProvider clock)
    {
        Directory = directory;
        _options = options;
        _signer = signer;
        _authority = authority;
        _clock = clock;
        _defaultActor = options.DefaultActor ?? LedgerActor.CurrentOsUser();
        _store = new LedgerStore(directory, options, signer, clock);
        _scheduler = new TimeStampScheduler(TryAutomaticTimeStamp, options.TimeStampRetryDelay, clock);
    }

    /// <summary>The ledger directory.</summary>
    public string Directory { get; }

    /// <summary>The path of <c>ledger.jsonl</c>.</summary>
    public string LedgerPath => _store.LedgerPath;

    /// <summary>The origin line of this ledger's checkpoints.</summary>
    public string Origin => _options.Origin;

    /// <summary>The number of committed entries, including those other processes appended.</summary>
    public long Count => _store.WithSession(_ => _store.Count);

    /// <summary>The latest signed head (the one covering every committed entry); null while the ledger is empty.</summary>
    public Checkpoint? LatestHead => _store.WithSession(_ => _store.LastHead is { } head ? _store.WithStoredTimeStamp(head) : null);

    /// <summary>
    /// Opens the ledger in <paramref name="directory"/>, creating the directory and an empty ledger
    /// if needed. Opening takes in what other processes wrote, rebuilds the derived files if they
    /// are missing or inconsistent, recovers a tail a crash left unfinished (moving the bytes to a
    /// <c>ledger.torn-*</c> file and recording the cut), and checks the last signed head against the
    /// tree and the key.
    /// </summary>
    /// <exception cref="LedgerIntegrityException">The ledger is not what Recorder wrote; nothing is appended on top of it.</exception>
    public static CustodyLedger Open(string directory, LedgerOptions options, ISigner signer, ITimeStampAuthority timeStampAuthority, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(timeStampAuthority);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        var ledger = new CustodyLedger(Path.GetFullPath(directory), options, signer, timeStampAuthority, clock);
        ledger._store.Initialize();
        ledger._store.WithSession(_ => 0);
        var stamped = ledger._store.Checkpoints.Sizes();
        if (stamped.Count > 0 && ledger._store.Checkpoints.Read(stamped[^1]) is { } latest
            && CheckpointText.TryParse(latest.Text, out var body, out _))
        {
            ledger._lastStampTime = body.Time;
        }

        return ledger;
    }

    /// <summary>Appends one entry durably and returns it as written.</summary>
    /// <exception cref="ArgumentException">The draft is invalid (the message says which field).</exception>
    /// <exception cref="LedgerAppendException">The batch could not be written; the inner exception says why.</exception>
    public LedgerEntry Append(LedgerDraft draft) => Append([draft])[0];

    /// <summary>
    /// Appends entries durably as one batch (all or, after a crash, none) with consecutive sequence
    /// numbers, and returns them as written.
    /// </summary>
    /// <exception cref="ArgumentException">A draft is invalid.</exception>
    /// <exception cref="LedgerAppendException">The batch could not be written; the inner exception says why.</exception>
    public IReadOnlyList<LedgerEntry> Append(IEnumerable<LedgerDraft> drafts)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        var prepared = drafts.Select(d => EntryCodec.Prepare(d, _defaultActor)).ToArray();
        if (prepared.Length == 0)
        {
            return [];
        }

        var request = new PendingAppend(prepared);
        GroupCommit(request);
        if (request.Error is not null)
        {
            throw new LedgerAppendException($"{LedgerPath}: the batch was not written: {request.Error.Message}", request.Error);
        }

        if (TimeStampDue())
        {
            // Never here: the authority may take its whole timeout, and this thread may be draining a capture.
            _scheduler.Request();
        }

        return request.Result!;
    }

    /// <summary>
    /// The latest signed head as a checkpoint. With <paramref name="timeStamp"/> it is also
    /// time-stamped by the configured authority (unless it already was) and kept under
    /// <c>checkpoints/</c>. A failed time-stamp is recorded in the ledger and rethrown.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ledger is empty.</exception>
    /// <exception cref="TimeStampException">The authority failed.</exception>
    public Checkpoint Checkpoint(bool timeStamp = true)
    {
        var head = LatestHead ?? throw new InvalidOperationException($"{LedgerPath}: the ledger is empty, there is nothing to checkpoint");
        return timeStamp ? TimeStamp(head, automatic: false) : head;
    }

    /// <summary>
    /// Waits until no automatic time-stamp is being made (one waiting for its retry delay does not
    /// count). Automatic time-stamps (<see cref="LedgerOptions.TimeStampInterval"/>) run in the
    /// background so that appends never wait for the authority; a process about to exit calls this
    /// so the attempt it started ends with a kept checkpoint or a recorded failure.
    /// </summary>
    /// <returns>False when <paramref name="timeout"/> passed first.</returns>
    public bool WaitForAutomaticTimeStamp(TimeSpan timeout) => _scheduler.WaitIdle(timeout);

    /// <summary>True while a failed automatic time-stamp waits <see cref="LedgerOptions.TimeStampRetryDelay"/> to be tried again.</summary>
    public bool AutomaticTimeStampRetryPending => _scheduler.RetryPending;

    /// <summary>
    /// Why the last automatic time-stamp failed when the failure could not be recorded in the ledger
    /// itself (it could not be read or written); null once an attempt succeeds. Failures of the
    /// authority are recorded as <c>time-stamp.failed</c> entries instead.
    /// </summary>
    public Exception? AutomaticTimeStampFailure
    {
        get
        {
            lock (_stampGate)
            {
                return _unrecordedStampFailure;
            }
        }
    }

    /// <summary>
    /// Writes the checkpoint of <paramref name="size"/> entries (default: the latest) to
    /// <paramref name="outputDirectory"/> as <c>checkpoint.txt</c> (the exact signed bytes),
    /// <c>checkpoint.sig</c> (raw 64-byte Ed25519 signature), <c>checkpoint.tsr</c> (RFC 3161 response
    /// over checkpoint.txt) and <c>tsa.pem</c> (the authority's certificate), time-stamping it first
    /// if it was not yet.
    /// </summary>
    public Checkpoint ExportCheckpoint(string outputDirectory, long? size = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var head = size is { } s ? _store.WithSession(session => _store.HeadOfSize(session, s)) : (LatestHead ?? throw new InvalidOperationException($"{LedgerPath}: the ledger is empty"));
        var checkpoint = TimeStamp(head, automatic: false);
        System.IO.Directory.CreateDirectory(outputDirectory);
        File.WriteAllBytes(Path.Combine(outputDirectory, "checkpoint.txt"), checkpoint.TextBytes);
        File.WriteAllBytes(Path.Combine(outputDirectory, "checkpoint.sig"), checkpoint.Signature);
        File.WriteAllBytes(Path.Combine(outputDirectory, "checkpoint.tsr"), checkpoint.TimeStampResponse!);
        File.WriteAllText(Path.Combine(outputDirectory, "tsa.pem"), checkpoint.TimeStampAuthorityPem ?? string.Empty, Encoding.ASCII);
        return checkpoint;
    }

    /// <summary>The tree sizes that have a signed head (the end of every batch), ascending: the sizes proofs can be made against.</summary>
    public IReadOnlyList<long> SignedHeadSizes() =>
        _store.WithSession(session =>
        {
            var sizes = new List<long>();
            for (long i = 0; i < session.Tree.HeadCount; i++)
            {
                sizes.Add(session.Tree.ReadHead(i).Size);
            }

            return sizes;
        });

    /// <summary>The time-stamped checkpoints kept under <c>checkpoints/</c>, by size.</summary>
    public IReadOnlyList<Checkpoint> TimeStampedCheckpoints() =>
        _store.WithSession(session => _store.Checkpoints.Sizes()
            .Where(size => size <= _store.Count)
            .Select(size => _store.HeadOfSize(session, size))
            .Where(c => c.TimeStampResponse is not null)
            .ToList());

    /// <summary>
    /// The committed entries that pass <paramref name="filter"/>, in sequence order, read lazily
    /// from a snapshot of the ledger taken when enumeration starts.
    /// </summary>
    /// <exception cref="LedgerIntegrityException">An entry line cannot be read as an entry.</exception>
    public IEnumerable<LedgerEntry> Read(LedgerFilter? filter = null)
    {
        var (start, end, first) = _store.WithSession(session =>
        {
            var from = Math.Max(0, Math.Min(filter?.FromSeq ?? 0, _store.Count));
            return (_store.EntryOffset(session, from), _store.BatchEnd, from);
        });
        return ReadRange(start, end, first, filter);
    }

    /// <summary>Entry <paramref name="seq"/>.</summary>
    public LedgerEntry ReadEntry(long seq) =>
        _store.WithSession(session => Parse(_store.EntryLine(session, seq), seq, null));

    /// <summary>
    /// Proves entry <paramref name="seq"/> is in the tree of the signed head of <paramref name="treeSize"/>
    /// entries (default: the latest). Heads exist at the end of every batch and for every
    /// time-stamped checkpoint. The proof is checked before it is returned.
    /// </summary>
    public InclusionProof ProveInclusion(long seq, long? treeSize = null) =>
        WithRebuildOnce(session =>
        {
            var size = treeSize ?? _store.Count;
            if (seq < 0 || seq >= size)
            {
                throw new ArgumentOutOfRangeException(nameof(seq), seq, $"entry {seq} is not among the first {size} entries");
            }

            var head = _store.HeadOfSize(session, size);
            RequireSignature(head);
            var path = MerkleProofs.InclusionPath(seq, size, (a, b) => _store.SubtreeHash(session, a, b));
            var proof = new InclusionProof(seq, _store.EntryLine(session, seq), path, head);
            return proof.VerifyPath() ? proof : throw new DerivedDataException($"inclusion proof of entry {seq} did not verify");
        });

    /// <summary>
    /// Proves the tree of the signed head of <paramref name="fromSize"/> entries is a prefix of the
    /// tree of <paramref name="toSize"/> entries (default: the latest). Checked before it is returned.
    /// </summary>
    public ConsistencyProof ProveConsistency(long fromSize, long? toSize = null) =>
        WithRebuildOnce(session =>
        {
            var to = toSize ?? _store.Count;
            if (fromSize < 1 || fromSize > to)
            {
                throw new ArgumentOutOfRangeException(nameof(fromSize), fromSize, $"no consistency proof from {fromSize} to {to} entries");
            }

            var first = _store.HeadOfSize(session, fromSize);
            var second = _store.HeadOfSize(session, to);
            RequireSignature(first);
            RequireSignature(second);
            var proof = new ConsistencyProof(first, second, MerkleProofs.ConsistencyPath(fromSize, to, (a, b) => _store.SubtreeHash(session, a, b)));
            return proof.VerifyPath() ? proof : throw new DerivedDataException($"consistency proof {fromSize}→{to} did not verify");
        });

    /// <summary>
    /// Checks that today's ledger extends a checkpoint obtained earlier (its <c>checkpoint.txt</c>
    /// and, if available, <c>checkpoint.sig</c>): the checkpoint's origin is this ledger's, its
    /// signature verifies with the store key, its size is not beyond today's ledger, and the first
    /// that many entries still hash to its root. Catches a ledger truncated, rolled back or
    /// rewritten after the checkpoint was taken.
    /// </summary>
    public CheckpointExtension VerifyExtends(string checkpointText, byte[]? signature)
    {
        ArgumentNullException.ThrowIfNull(checkpointText);
        var bytes = Encoding.UTF8.GetBytes(checkpointText);
        if (!CheckpointText.TryParse(bytes, out var body, out var error))
        {
            return new CheckpointExtension(false, "checkpoint text: " + error, null, Count, false, null);
        }

        var signed = signature is not null;
        if (signed && !_signer.Verify(bytes, signature))
        {
            return new CheckpointExtension(false, $"the checkpoint's signature does not verify with the store key {_signer.Fingerprint}", body, Count, true, null);
        }

        if (body.Origin != _options.Origin)
        {
            return new CheckpointExtension(false, $"the checkpoint is of log '{body.Origin}', this ledger is '{_options.Origin}'", body, Count, signed, null);
        }

        return WithRebuildOnce(session =>
        {
            var count = _store.Count;
            if (body.Size > count)
            {
                return new CheckpointExtension(false,
                    $"the checkpoint covers {body.Size} entries but the ledger has {count}: entries {count}..{body.Size - 1} were removed (truncated or rolled back)",
                    body, count, signed, null);
            }

            var root = _store.SubtreeHash(session, 0, body.Size);
            if (!root.AsSpan().SequenceEqual(body.RootHash))
            {
                // Re-derive from the ledger itself before accusing it.
                _store.Rebuild(session);
                if (!_store.SubtreeHash(session, 0, body.Size).AsSpan().SequenceEqual(body.RootHash))
                {
                    return new CheckpointExtension(false,
                        $"the first {body.Size} entries of today's ledger do not hash to the checkpoint's root: the ledger was rewritten after {body.Time}",
                        body, count, signed, null);
                }
            }

            var latest = _store.LastHead!;
            var first = new Checkpoint(body.Origin, body.Size, body.RootHash, body.Time, signature ?? [], _signer.Fingerprint);
            var proof = new ConsistencyProof(first, latest, MerkleProofs.ConsistencyPath(body.Size, latest.Size, (a, b) => _store.SubtreeHash(session, a, b)));
            return proof.VerifyPath()
                ? new CheckpointExtension(true, null, body, count, signed, proof)
                : throw new DerivedDataException("consistency proof from the checkpoint did not verify");
        });
    }

    private static LedgerEntry Parse(byte[] line, long seq, string? path)
    {
        if (!EntryCodec.TryParse(line, out var entry, out var error))
        {
            throw new LedgerIntegrityException(path ?? LedgerFiles.Ledger, seq, null, "unreadable entry: " + error);
        }

        return entry;
    }

    private IEnumerable<LedgerEntry> ReadRange(long start, long end, long firstSeq, LedgerFilter? filter)
    {
        using var file = File.OpenHandle(LedgerPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var seq = firstSeq;
        foreach (var (_, line) in LineScanner.EnumerateLines(file, start, end))
        {
            if (HeadRecord.LooksLikeHead(line))
            {
                continue;
            }

            if (filter?.ToSeq is { } toSeq && seq >= toSeq)
            {
                yield break;
            }

            var entry = Parse(line, seq, LedgerPath);
            seq++;
            if (filter is null || filter.Matches(entry))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Group commit: the first caller to find no leader becomes the leader and writes every queued
    /// request (oldest first, up to <see cref="LedgerOptions.MaxBatchEntries"/>) as one batch; the
    /// others wait on their own request. When its own request is written, the leader hands the
    /// lead to the oldest waiting request, so no caller leads forever and none is woken needlessly.
    /// </summary>
    private void GroupCommit(PendingAppend request)
    {
        lock (_queueGate)
        {
            _queue.Add(request);
            if (!_leaderActive)
            {
                _leaderActive = true;
                request.Promoted = true;
            }
        }

        if (!request.Promoted)
        {
            request.WaitForSignal();
            if (request.Done)
            {
                return;
            }
        }

        while (true)
        {
            List<PendingAppend> batch = [];
            lock (_queueGate)
            {
                var entries = 0;
                while (_queue.Count > 0 && (batch.Count == 0 || entries + _queue[0].Drafts.Length <= _options.MaxBatchEntries))
                {
                    entries += _queue[0].Drafts.Length;
                    batch.Add(_queue[0]);
                    _queue.RemoveAt(0);
                }
            }

            try
            {
                var drafts = batch.SelectMany(r => r.Drafts).ToList();
                var written = _store.WithSession(session => _store.WriteBatch(session, drafts));
                var at = 0;
                foreach (var pending in batch)
                {
                    pending.Result = written.AsSpan(at, pending.Drafts.Length).ToArray();
                    at += pending.Drafts.Length;
                }
            }
            catch (Exception e)
            {
                // Handed to every caller of the batch, each of which throws its own LedgerAppendException.
                foreach (var pending in batch)
                {
                    pending.Error = e;
                }
            }

            lock (_queueGate)
            {
                foreach (var pending in batch)
                {
                    pending.Done = true;
                    if (!ReferenceEquals(pending, request))
                    {
                        pending.Signal();
                    }
                }

                if (request.Done)
                {
                    if (_queue.Count > 0)
                    {
                        _queue[0].Promoted = true;
                        _queue[0].Signal();
                    }
                    else
                    {
                        _leaderActive = false;
                    }

                    return;
                }
            }
        }
    }

    private bool TimeStampDue()
    {
        if (_options.TimeStampInterval is not { } interval)
        {
            return false;
        }

        var now = Timestamp.Now(_clock);
        lock (_stampGate)
        {
            return _lastStampTime is not { } last || now.UnixNanoseconds - last.UnixNanoseconds >= (long)interval.TotalMilliseconds * 1_000_000;
        }
    }

    /// <summary>One automatic attempt, on the scheduler's worker: the boundary where a failure becomes recorded state.</summary>
    private bool TryAutomaticTimeStamp()
    {
        try
        {
            if (TimeStampDue() && LatestHead is { } head)
            {
                TimeStamp(head, automatic: true);
            }

            lock (_stampGate)
            {
                _unrecordedStampFailure = null;
            }

            return true;
        }
        catch (TimeStampException)
        {
            // Recorded in the ledger by TimeStamp; retried after the retry delay.
            return false;
        }
        catch (Exception e)
        {
            // The ledger itself could not be read or written, so the failure cannot be recorded in
            // it; it is kept for AutomaticTimeStampFailure and retried like any other failure.
            lock (_stampGate)
            {
                _unrecordedStampFailure = e;
            }

            return false;
        }
    }

    private Checkpoint TimeStamp(Checkpoint head, bool automatic)
    {
        if (head.TimeStampResponse is not null)
        {
            return head;
        }

        // One stamp at a time: a command that needs the token while the background worker is
        // stamping the same head waits for that answer and reuses it instead of asking twice.
        lock (_stamping)
        {
            var stored = _store.WithSession(_ => _store.WithStoredTimeStamp(head));
            return stored.TimeStampResponse is not null ? stored : StampNow(head, automatic);
        }
    }

    private Checkpoint StampNow(Checkpoint head, bool automatic)
    {
        TimeStampResult stamp;
        try
        {
            stamp = _authority.Stamp(head.TextBytes);
        }
        catch (TimeStampException e)
        {
            Append(new LedgerDraft(LedgerActions.TimeStampFailed)
            {
                Actor = LedgerActor.SystemActor(),
                Details = new JsonObject
                {
                    ["authority"] = _authority.Description,
                    ["error"] = e.Message,
                    ["size"] = head.Size,
                    ["automatic"] = automatic,
                },
            });
            throw;
        }

        var checkpoint = head with
        {
            TimeStampResponse = stamp.ResponseDer,
            TimeStampAuthorityPem = _authority.TrustAnchorPem ?? stamp.SignerCertificatePem,
        };
        _store.Checkpoints.Write(checkpoint);
        lock (_stampGate)
        {
            _lastStampTime = _lastStampTime is { } last && last > head.Time ? last : head.Time;
        }

        return checkpoint;
    }

    private void RequireSignature(Checkpoint head)
    {
        if (!head.VerifySignature(_signer))
        {
            throw new LedgerIntegrityException(LedgerPath, head.Size - 1, null, $"the signed head of size {head.Size} does not verify with the store key");
        }
    }

    private T WithRebuildOnce<T>(Func<LedgerStore.Session, T> work) =>
        _store.WithSession(session =>
        {
            try
            {
                return work(session);
            }
            catch (DerivedDataException)
            {
                // Derived data never decides anything: rebuild it from the ledger and try once more.
                _store.Rebuild(session);
                return work(session);
            }
        });

    private sealed class PendingAppend(PreparedDraft[] drafts)
    {
        // Set once, by the thread that finished (or promoted) this request. Never disposed: it is
        // only disposable for a kernel handle it creates when WaitHandle is asked for, which it is not.
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 20);

        public PreparedDraft[] Drafts { get; } = drafts;

        public LedgerEntry[]? Result { get; set; }

        public Exception? Error { get; set; }

        /// <summary>Written (or failed); set under the queue lock before <see cref="Signal"/>.</summary>
        public bool Done { get; set; }

        /// <summary>Made the leader; set under the queue lock before <see cref="Signal"/>.</summary>
        public bool Promoted { get; set; }

        public void Signal() => _signal.Set();

        public void WaitForSignal() => _signal.Wait();
    }
}

/// <summary>An append failed; nothing of its batch was acknowledged. The inner exception says why.</summary>
public sealed class LedgerAppendException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerAppendException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerAppendException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LedgerAppendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
