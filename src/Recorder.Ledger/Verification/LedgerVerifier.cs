using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Json;
using Recorder.Ledger.Merkle;
using Recorder.Ledger.Storage;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Verification;

/// <summary>A checkpoint obtained earlier (e.g. printed in a report) that today's ledger must extend.</summary>
/// <param name="Text">The exact <c>checkpoint.txt</c> bytes.</param>
/// <param name="Signature">The <c>checkpoint.sig</c> bytes, if available.</param>
/// <param name="Source">Where it came from, for the findings (e.g. a file name).</param>
public sealed record ExternalCheckpoint(byte[] Text, byte[]? Signature, string Source);

/// <summary>Settings of <see cref="LedgerVerifier.Verify"/>.</summary>
public sealed record LedgerVerifyOptions
{
    /// <summary>The origin every head must carry; null accepts the first head's origin for all.</summary>
    public string? Origin { get; init; }

    /// <summary>Checkpoints obtained earlier that the ledger must extend (<c>recorder verify --checkpoint</c>).</summary>
    public IReadOnlyList<ExternalCheckpoint> ExtendsCheckpoints { get; init; } = [];

    /// <summary>
    /// Called for every readable entry in sequence order during the pass; what it returns is added
    /// to the findings (e.g. a segment the entry names is missing or has another hash).
    /// </summary>
    public Func<LedgerEntry, IEnumerable<LedgerFinding>>? EntryCheck { get; init; }

    /// <summary>
    /// Check the signature of every signed head (default), or only of the last one. The last head's
    /// signature over the root of all entries already authenticates every entry; the others locate
    /// where a rewrite began and vouch for proofs made against them. Each costs one Ed25519
    /// verification (about 90 µs), which matters for ledgers written one entry per batch.
    /// </summary>
    public bool CheckEveryHeadSignature { get; init; } = true;

    /// <summary>
    /// The most per-entry findings listed (after merging runs); further ones are counted in a note.
    /// Default 10 000.
    /// </summary>
    public int MaxFindings { get; init; } = 10_000;

    /// <summary>Threads used for the per-line work. Default: all processors.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>The result of <see cref="LedgerVerifier.Verify"/>: every finding, not only the first.</summary>
/// <param name="Findings">Every problem found.</param>
/// <param name="Notes">Observations that are not problems (recoveries recorded, clock steps, unchecked items).</param>
/// <param name="Entries">Entry lines read.</param>
/// <param name="Heads">Signed-head lines read.</param>
/// <param name="CheckpointsChecked">Stored and supplied checkpoints checked.</param>
/// <param name="RootHash">The root of all entries read (RFC 9162), hex.</param>
/// <param name="Elapsed">How long the verification took.</param>
public sealed record LedgerVerificationReport(
    IReadOnlyList<LedgerFinding> Findings,
    IReadOnlyList<string> Notes,
    long Entries,
    long Heads,
    int CheckpointsChecked,
    string RootHash,
    TimeSpan Elapsed)
{
    /// <summary>True when there is no finding.</summary>
    public bool IsValid => Findings.Count == 0;
}

/// <summary>
/// Verifies a ledger directory from its files alone, as an auditor would, with only the store's
/// public key and (for the time-stamps) the authority's certificate: each entry's form and
/// canonical encoding, the sequence numbers, the hash chain, every signed head (signature, root,
/// size), coverage of every entry by a signed head, the tail, every stored checkpoint (signature,
/// root, RFC 3161 time-stamp), the bytes every recorded recovery cut, and any checkpoint obtained
/// earlier. Derived files are never trusted. One finding per problem, located by entry and offset;
/// consecutive consequences of one problem (e.g. every later root after a removed entry) are merged
/// into one finding that states their range.
/// </summary>
public static class LedgerVerifier
{
    private const int BlockSize = 8 << 20;

    /// <summary>Verifies the ledger in <paramref name="directory"/>.</summary>
    public static LedgerVerificationReport Verify(string directory, ISigner publicKey, X509Certificate2? timeStampCertificate, LedgerVerifyOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(publicKey);
        options ??= new LedgerVerifyOptions();
        var watch = Stopwatch.StartNew();
        var pass = new Pass(directory, publicKey, timeStampCertificate, options);
        pass.Run();
        return new LedgerVerificationReport(pass.Findings, pass.Notes, pass.Count, pass.HeadCount, pass.CheckpointsChecked, Hex.Lower(pass.Range.Root()), watch.Elapsed);
    }

    private struct LineResult
    {
        public bool IsHead;
        public Checkpoint? Head;
        public string? Error;
        public LedgerEntry? Entry;
        public bool Canonical;
        public long ChainSeq;
        public byte[]? Prev;
        public byte[] Hash;
        public byte[] Leaf;
        public Timestamp Time;
        public string? Action;
    }

    private sealed class Pass(string directory, ISigner key, X509Certificate2? tsa, LedgerVerifyOptions options)
    {
        private readonly string _path = Path.Combine(directory, LedgerFiles.Ledger);
        private readonly List<(Checkpoint Head, long FirstSeq, long Offset)> _heads = [];
        private readonly Dictionary<long, byte[]> _rootsWanted = [];
        private readonly List<LedgerEntry> _recoveries = [];
        private string? _origin = options.Origin;
        private byte[] _prevHash = new byte[32];
        private (Checkpoint Head, long FirstSeq, long Offset)? _pending;
        private long _seqDelta;
        private int _seqRun = -1;
        private int _uncoveredRun = -1;
        private int _rootRun = -1;
        private int _rootRunCount;
        private int _incompleteRun = -1;
        private int _omitted;
        private Timestamp _lastTime = Timestamp.MinValue;

        public List<LedgerFinding> Findings { get; } = [];

        public List<string> Notes { get; } = [];

        public CompactRange Range { get; } = new();

        public long Count { get; private set; }

        public long HeadCount => _heads.Count;

        public int CheckpointsChecked { get; private set; }

        public void Run()
        {
            var stored = new CheckpointStore(directory);
            var storedSizes = stored.Sizes();
            foreach (var size in storedSizes)
            {
                _rootsWanted[size] = [];
            }

            var external = new List<(ExternalCheckpoint Source, CheckpointBody Body)>();
            foreach (var checkpoint in options.ExtendsCheckpoints)
            {
                if (CheckpointText.TryParse(checkpoint.Text, out var body, out var error))
                {
                    external.Add((checkpoint, body));
                    _rootsWanted[body.Size] = [];
                }
                else
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointInvalid, null, null, null, $"{checkpoint.Source}: {error}"));
                }
            }

            if (!File.Exists(_path))
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.Unreadable, null, null, null, $"{_path} does not exist"));
            }
            else
            {
                ReadLedger();
            }

            CheckHeadSignatures();
            CheckStoredCheckpoints(stored, storedSizes);
            foreach (var (source, body) in external)
            {
                CheckExternal(source, body);
            }

            CheckTornFiles();
            if (_omitted > 0)
            {
                Notes.Add($"{_omitted} further per-entry findings were not listed (limit {options.MaxFindings})");
            }
        }

        private void ReadLedger()
        {
            using var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var end = SnapshotLength(file);
            var buffer = new byte[BlockSize];
            var filled = 0;
            long bufferStart = 0;
            long position = 0;
            var starts = new List<int>();
            var lengths = new List<int>();
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= LineScanner.MaxLine)
                    {
                        Findings.Add(new LedgerFinding(LedgerFindingKind.Unreadable, Count, null, bufferStart, $"a line longer than {LineScanner.MaxLine} bytes; the rest of the ledger was not read"));
                        return;
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var want = (int)Math.Min(buffer.Length - filled, end - position);
                var read = want > 0 ? RandomAccess.Read(file, buffer.AsSpan(filled, want), position) : 0;
                position += read;
                filled += read;
                starts.Clear();
                lengths.Clear();
                var consumed = 0;
                while (true)
                {
                    var newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        break;
                    }

                    starts.Add(consumed);
                    lengths.Add(newline);
                    consumed += newline + 1;
                }

                ProcessBlock(buffer, bufferStart, starts, lengths);
                if (read == 0)
                {
                    Finish(bufferStart + consumed, filled - consumed);
                    return;
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                bufferStart += consumed;
            }
        }

        private long SnapshotLength(Microsoft.Win32.SafeHandles.SafeFileHandle file)
        {
            // A writer appends under the lock; take the length under it too when the lock file exists
            // and may be opened, so a batch being written right now is not mistaken for an interrupted
            // one. A read-only copy (an auditor's) has no writer and needs no lock; none is created.
            var lockPath = Path.Combine(directory, LedgerFiles.Lock);
            if (File.Exists(lockPath))
            {
                try
                {
                    using var held = LedgerLock.Acquire(lockPath, TimeSpan.FromSeconds(10));
                    return RandomAccess.GetLength(file);
                }
                catch (Exception e) when (e is UnauthorizedAccessException or IOException or LedgerLockTimeoutException)
                {
                    Notes.Add($"the ledger lock could not be taken ({e.Message}); a batch being written now may show as interrupted");
                }
            }

            return RandomAccess.GetLength(file);
        }

        private void ProcessBlock(byte[] buffer, long bufferStart, List<int> starts, List<int> lengths)
        {
            var results = new LineResult[starts.Count];
            Parallel.For(0, starts.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) }, i =>
            {
                var line = buffer.AsSpan(starts[i], lengths[i]);
                try
                {
                    results[i] = Examine(line);
                }
                catch (Exception e)
                {
                    // The input is untrusted: whatever a line does to a parser is a finding, never a crash.
                    results[i] = new LineResult
                    {
                        IsHead = HeadRecord.LooksLikeHead(line),
                        Error = "the line could not be examined: " + e.Message,
                        ChainSeq = -1,
                        Hash = SHA256.HashData(line),
                        Leaf = MerkleHash.Leaf(line),
                    };
                }
            });

            for (var i = 0; i < results.Length; i++)
            {
                Merge(bufferStart + starts[i], ref results[i]);
            }
        }

        private LineResult Examine(ReadOnlySpan<byte> line)
        {
            var result = default(LineResult);
            if (HeadRecord.LooksLikeHead(line))
            {
                result.IsHead = true;
                if (HeadRecord.TryParse(line, out var head, out var error))
                {
                    result.Head = head;
                }
                else
                {
                    result.Error = error;
                }

                result.Canonical = CanonicalJsonValidator.IsCanonical(line);
                return result;
            }

            result.Hash = SHA256.HashData(line);
            result.Leaf = MerkleHash.Leaf(line);
            result.Canonical = CanonicalJsonValidator.IsCanonical(line);
            var prev = new byte[32];
            result.Error = EntrySchema.Validate(line, prev, out var summary);
            if (result.Error is null)
            {
                result.ChainSeq = summary.Seq;
                result.Prev = prev;
                result.Time = summary.Time;
                result.Action = summary.Action;

                // The full entry only where someone needs it: the caller's check, or a recovery record.
                if (options.EntryCheck is not null || summary.Action is LedgerActions.TornTailRecovered or LedgerActions.UncoveredEntriesQuarantined)
                {
                    result.Entry = EntryCodec.Parse(line.ToArray());
                }
            }
            else if (EntryCodec.TryReadChainFields(line, out var seq, prev))
            {
                result.ChainSeq = seq;
                result.Prev = prev;
            }
            else
            {
                result.ChainSeq = -1;
            }

            return result;
        }

        private void Merge(long offset, ref LineResult line)
        {
            if (line.IsHead)
            {
                MergeHead(offset, line);
            }
            else
            {
                MergeEntry(offset, line);
            }
        }

        private void MergeHead(long offset, LineResult line)
        {
            if (line.Head is not { } head)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.HeadMalformed, Count, null, offset, "a signed-head line cannot be read: " + line.Error));
                _pending = null;
                return;
            }

            if (!line.Canonical)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.HeadMalformed, Count, null, offset, "a signed-head line is not in canonical form"));
            }

            if (_pending is { } open && Count < open.Head.Size)
            {
                var deficit = open.Head.Size - Count;
                if (_incompleteRun >= 0 && Findings[_incompleteRun].Expected == deficit.ToString(CultureInfo.InvariantCulture))
                {
                    ExtendRun(_incompleteRun, Count - 1);
                }
                else
                {
                    _incompleteRun = Add(new LedgerFinding(LedgerFindingKind.BatchIncomplete, open.FirstSeq, Count - 1, open.Offset,
                        $"the batch signed at byte {open.Offset} announced entries up to {open.Head.Size - 1} but the next head follows after {Count - 1}",
                        deficit.ToString(CultureInfo.InvariantCulture), "0"));
                }
            }

            _origin ??= head.Origin;
            if (head.Origin != _origin)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.HeadOriginMismatch, Count, null, offset, "a signed head names another log", _origin, head.Origin));
            }

            if (head.Size <= Count)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.HeadSizeInvalid, Count, null, offset,
                    $"a signed head announces {head.Size} entries after {Count} were already there", $"> {Count}", head.Size.ToString(CultureInfo.InvariantCulture)));
                _pending = null;
                _heads.Add((head, Count, offset));
                return;
            }

            _pending = (head, Count, offset);
            _heads.Add((head, Count, offset));
        }

        private void MergeEntry(long offset, LineResult line)
        {
            var seq = Count;
            if (line.Error is not null)
            {
                AddPerEntry(new LedgerFinding(LedgerFindingKind.EntryMalformed, seq, seq, offset, "not a valid version-1 entry: " + line.Error));
            }
            else if (!line.Canonical)
            {
                AddPerEntry(new LedgerFinding(LedgerFindingKind.EntryNotCanonical, seq, seq, offset, "the entry is not in RFC 8785 canonical form"));
            }

            if (line.ChainSeq >= 0)
            {
                var delta = line.ChainSeq - seq;
                if (delta != 0)
                {
                    if (_seqRun >= 0 && delta == _seqDelta && Findings[_seqRun].LastSeq == seq - 1)
                    {
                        ExtendRun(_seqRun, seq);
                    }
                    else
                    {
                        _seqRun = Add(new LedgerFinding(LedgerFindingKind.SequenceMismatch, seq, seq, offset,
                            delta > 0 ? $"entries before this position are missing or the entry was moved (seq off by {delta})" : $"entries were inserted or moved (seq off by {delta})",
                            seq.ToString(CultureInfo.InvariantCulture), line.ChainSeq.ToString(CultureInfo.InvariantCulture)));
                    }

                    _seqDelta = delta;
                }
            }

            if (line.Prev is { } prev && !prev.AsSpan().SequenceEqual(_prevHash))
            {
                AddPerEntry(new LedgerFinding(LedgerFindingKind.ChainBroken, Math.Max(0, seq - 1), seq, offset,
                    seq == 0
                        ? "the first entry's prev is not 64 zeros"
                        : $"the chain breaks between entries {seq - 1} and {seq}: one of them was altered, or entries between them were removed or reordered",
                    Hex.Lower(_prevHash), Hex.Lower(prev)));
            }

            Range.Append(line.Leaf);
            _prevHash = line.Hash;
            Count++;
            if (_rootsWanted.ContainsKey(Count))
            {
                _rootsWanted[Count] = Range.Root();
            }

            if (_pending is not { } open || Count > open.Head.Size)
            {
                if (_uncoveredRun >= 0 && Findings[_uncoveredRun].LastSeq == seq - 1)
                {
                    ExtendRun(_uncoveredRun, seq);
                }
                else
                {
                    _uncoveredRun = Add(new LedgerFinding(LedgerFindingKind.EntriesUncovered, seq, seq, offset,
                        "no signed head covers this entry: it was added without the store key"));
                }
            }
            else if (Count == open.Head.Size)
            {
                var root = Range.Root();
                if (!root.AsSpan().SequenceEqual(open.Head.RootHash))
                {
                    if (_rootRun < 0)
                    {
                        _rootRun = Add(new LedgerFinding(LedgerFindingKind.HeadRootMismatch, open.FirstSeq, seq, open.Offset,
                            $"the entries {open.FirstSeq}..{seq} do not hash to the root their signed head (size {open.Head.Size}) commits to: an entry up to here was altered, removed or inserted",
                            Hex.Lower(open.Head.RootHash), Hex.Lower(root)));
                    }
                    else
                    {
                        _rootRunCount++;
                        var first = Findings[_rootRun];
                        Findings[_rootRun] = first with { What = first.What.Split(" (and ")[0] + $" (and {_rootRunCount} later heads, whose roots include it, up to size {open.Head.Size})" };
                    }
                }

                _pending = null;
            }

            if (line.Error is null)
            {
                if (line.Time < _lastTime)
                {
                    Notes.Add($"entry {seq}: time {line.Time} is earlier than the entry before ({_lastTime}); the host clock was stepped back");
                }

                _lastTime = line.Time;
            }

            if (line.Entry is { } entry)
            {
                if (entry.Action is LedgerActions.TornTailRecovered or LedgerActions.UncoveredEntriesQuarantined)
                {
                    _recoveries.Add(entry);
                    Notes.Add($"entry {seq}: {entry.Action}: {entry.Details.ToJsonString()}");
                }

                if (options.EntryCheck is { } check)
                {
                    Findings.AddRange(check(entry));
                }
            }
        }

        private void Finish(long tailOffset, int tailLength)
        {
            if (_pending is { } open && Count < open.Head.Size)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.InterruptedBatch, open.FirstSeq, open.Head.Size - 1, open.Offset,
                    $"the ledger ends in a batch announced to reach {open.Head.Size} entries with {Count - open.FirstSeq} present: a writer crashed (the next writer moves it aside and records that)"));
            }

            if (tailLength > 0)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.TornTail, Count, null, tailOffset,
                    $"the ledger ends in {tailLength} bytes without a newline: a writer crashed mid-line (the next writer moves them aside and records that)"));
            }
        }

        private void CheckHeadSignatures()
        {
            var valid = new bool[_heads.Count];
            var firstChecked = options.CheckEveryHeadSignature ? 0 : Math.Max(0, _heads.Count - 1);
            Array.Fill(valid, true, 0, firstChecked);
            Parallel.For(firstChecked, _heads.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) }, i =>
            {
                valid[i] = _heads[i].Head.VerifySignature(key);
            });
            if (firstChecked > 0)
            {
                Notes.Add($"only the last of {_heads.Count} signed heads had its signature checked (CheckEveryHeadSignature is off); it covers every entry");
            }

            var run = -1;
            for (var i = 0; i < _heads.Count; i++)
            {
                if (valid[i])
                {
                    run = -1;
                    if (_heads[i].Head.KeyFingerprint != key.Fingerprint)
                    {
                        // The key field is outside the signed text; a valid signature under another name means it was edited.
                        var (named, firstSeq, at) = _heads[i];
                        Findings.Add(new LedgerFinding(LedgerFindingKind.HeadMalformed, firstSeq, Math.Max(firstSeq, named.Size - 1), at,
                            "the signed head names another signing key than the one its signature verifies with: its key field was altered",
                            key.Fingerprint, named.KeyFingerprint));
                    }

                    continue;
                }

                var (head, first, offset) = _heads[i];
                var last = Math.Max(first, head.Size - 1);
                if (run >= 0)
                {
                    ExtendRun(run, last);
                    continue;
                }

                run = Add(new LedgerFinding(LedgerFindingKind.HeadSignatureInvalid, first, last, offset,
                    head.KeyFingerprint == key.Fingerprint
                        ? "the signed head's signature does not verify with the store key: the head or the entries were forged"
                        : "the signed head was signed by another key than the store's: the entries were rewritten and re-signed",
                    key.Fingerprint, head.KeyFingerprint));
            }
        }

        private void CheckStoredCheckpoints(CheckpointStore stored, IReadOnlyList<long> sizes)
        {
            foreach (var size in sizes)
            {
                CheckpointsChecked++;
                var files = stored.Read(size)!;
                var where = Path.Combine(LedgerFiles.CheckpointsDirectory, CheckpointStore.Name(size, ".txt"));
                if (!CheckpointText.TryParse(files.Text, out var body, out var error) || body.Size != size)
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointInvalid, null, null, null, $"{where}: {(body is null ? error : $"names size {body.Size}")}"));
                    continue;
                }

                if (files.Signature is null || !key.Verify(files.Text, files.Signature))
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointInvalid, size - 1, null, null, $"{where}: the signature (.sig) is missing or does not verify with the store key"));
                }

                CheckRoot(where, body);
                if (files.TimeStampResponse is null)
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TimeStampInvalid, size - 1, null, null, $"{where}: the time-stamp (.tsr) is missing"));
                    continue;
                }

                using var storedCertificate = tsa is null && files.AuthorityPem is { Length: > 0 } pem ? TimeStampVerifier.LoadCertificatePem(pem) : null;
                var stamp = TimeStampVerifier.Verify(files.TimeStampResponse, files.Text, tsa ?? storedCertificate);
                if (!stamp.IsValid)
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TimeStampInvalid, size - 1, null, null, $"{where}: the RFC 3161 time-stamp does not verify: {stamp.Failure}"));
                }
                else if (tsa is null)
                {
                    Notes.Add($"{where}: time-stamp checked against the certificate stored beside it ({stamp.SignerSubject}), not one supplied by the auditor");
                }
            }
        }

        private void CheckExternal(ExternalCheckpoint source, CheckpointBody body)
        {
            CheckpointsChecked++;
            if (source.Signature is null)
            {
                Notes.Add($"{source.Source}: no signature supplied; its root was taken as given");
            }
            else if (!key.Verify(source.Text, source.Signature))
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointInvalid, null, null, null, $"{source.Source}: the signature does not verify with the store key"));
            }

            if (_origin is not null && body.Origin != _origin)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointInvalid, null, null, null, $"{source.Source}: the checkpoint is of another log", _origin, body.Origin));
                return;
            }

            CheckRoot(source.Source, body);
        }

        private void CheckRoot(string where, CheckpointBody body)
        {
            if (body.Size > Count)
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointBeyondLedger, Count, body.Size - 1, null,
                    $"{where} (signed {body.Time}) covers {body.Size} entries but the ledger has {Count}: entries {Count}..{body.Size - 1} were removed, or the ledger was rolled back",
                    body.Size.ToString(CultureInfo.InvariantCulture), Count.ToString(CultureInfo.InvariantCulture)));
                return;
            }

            if (!_rootsWanted.TryGetValue(body.Size, out var root) || !root.AsSpan().SequenceEqual(body.RootHash))
            {
                Findings.Add(new LedgerFinding(LedgerFindingKind.CheckpointRootMismatch, 0, body.Size - 1, null,
                    $"{where} (signed {body.Time}): today's first {body.Size} entries do not hash to its root: the ledger was rewritten after it was taken",
                    Hex.Lower(body.RootHash), root is { Length: 32 } ? Hex.Lower(root) : null));
            }
        }

        private void CheckTornFiles()
        {
            var recorded = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in _recoveries)
            {
                var name = entry.Details["file"] is JsonValue value && value.TryGetValue<string>(out var file) ? file : null;
                if (name is null || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TornFileProblem, entry.Seq, entry.Seq, null, "the recovery entry does not name the file the cut bytes went to"));
                    continue;
                }

                recorded.Add(name);
                var path = Path.Combine(directory, name);
                if (!File.Exists(path))
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TornFileProblem, entry.Seq, entry.Seq, null, $"{name}, holding the bytes this recovery cut, is missing"));
                    continue;
                }

                var hash = Hex.Lower(SHA256.HashData(File.ReadAllBytes(path)));
                if (!entry.Hashes.TryGetValue("cut", out var expected) || expected != hash)
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TornFileProblem, entry.Seq, entry.Seq, null, $"{name} does not hold the bytes this recovery cut", expected, hash));
                }
            }

            if (!Directory.Exists(directory))
            {
                return;
            }

            foreach (var path in Directory.EnumerateFiles(directory, LedgerFiles.TornPrefix + "*").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (!recorded.Contains(name))
                {
                    Findings.Add(new LedgerFinding(LedgerFindingKind.TornFileProblem, null, null, null,
                        name.EndsWith(LedgerFiles.PendingSuffix, StringComparison.Ordinal)
                            ? $"{name}: a recovery cut these bytes but crashed before recording it (the next writer records it)"
                            : $"{name}: bytes cut from the ledger that no recovery entry records"));
                }
            }
        }

        /// <summary>Adds a finding and returns its index, for findings that may grow into a range.</summary>
        private int Add(LedgerFinding finding)
        {
            Findings.Add(finding);
            return Findings.Count - 1;
        }

        private void ExtendRun(int index, long lastSeq) => Findings[index] = Findings[index] with { LastSeq = lastSeq };

        /// <summary>Adds a per-entry finding, merging it into the previous one when that is the same problem on the entry before.</summary>
        private void AddPerEntry(LedgerFinding finding)
        {
            if (Findings.Count > 0 && Findings[^1] is { } last && last.Kind == finding.Kind && last.What == finding.What && last.LastSeq == finding.Seq - 1)
            {
                ExtendRun(Findings.Count - 1, finding.Seq!.Value);
                return;
            }

            if (Findings.Count >= options.MaxFindings)
            {
                _omitted++;
                return;
            }

            Findings.Add(finding);
        }
    }
}
