namespace Recorder.Ledger.Verification;

/// <summary>What a verification finding is about. Reported by name in JSON output; values may only be added.</summary>
public enum LedgerFindingKind
{
    /// <summary>An entry line is not a valid version-1 entry.</summary>
    EntryMalformed,

    /// <summary>An entry line is not in RFC 8785 canonical form.</summary>
    EntryNotCanonical,

    /// <summary>Entries do not carry the sequence numbers of their positions (removed, inserted or reordered entries).</summary>
    SequenceMismatch,

    /// <summary>An entry's prev is not the SHA-256 of the line before it.</summary>
    ChainBroken,

    /// <summary>A signed-head line cannot be read.</summary>
    HeadMalformed,

    /// <summary>A signed head's signature does not verify with the store key.</summary>
    HeadSignatureInvalid,

    /// <summary>A signed head names a different origin than the ledger's.</summary>
    HeadOriginMismatch,

    /// <summary>A signed head's root is not the root of the entries before it.</summary>
    HeadRootMismatch,

    /// <summary>A signed head announces a size that cannot follow the entries before it.</summary>
    HeadSizeInvalid,

    /// <summary>A batch has fewer entries than its head announced, and another batch follows.</summary>
    BatchIncomplete,

    /// <summary>Complete entries no signed head covers (Recorder never writes such entries).</summary>
    EntriesUncovered,

    /// <summary>The ledger ends in a batch a crash cut short; the next writer recovers it.</summary>
    InterruptedBatch,

    /// <summary>The ledger ends in an incomplete line; the next writer recovers it.</summary>
    TornTail,

    /// <summary>A stored or supplied checkpoint cannot be read or its signature does not verify.</summary>
    CheckpointInvalid,

    /// <summary>A checkpoint's root is not the root of today's first entries of its size: the ledger was rewritten.</summary>
    CheckpointRootMismatch,

    /// <summary>A checkpoint covers more entries than the ledger has: entries were removed or the ledger rolled back.</summary>
    CheckpointBeyondLedger,

    /// <summary>A checkpoint's RFC 3161 time-stamp is missing or does not verify.</summary>
    TimeStampInvalid,

    /// <summary>Bytes cut by a recovery are missing or changed, or a cut was never recorded.</summary>
    TornFileProblem,

    /// <summary>A problem reported by the caller's own entry check (e.g. a segment the ledger names is missing).</summary>
    SubjectProblem,

    /// <summary>The ledger file cannot be read at all.</summary>
    Unreadable,
}

/// <summary>One problem: where (entry sequence numbers and/or byte offset), what, expected and found.</summary>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Seq">The first entry concerned (0-based), when entries are concerned.</param>
/// <param name="LastSeq">The last entry concerned when it is a range; equal to <paramref name="Seq"/> for one entry.</param>
/// <param name="Offset">The byte offset in <c>ledger.jsonl</c>, when meaningful.</param>
/// <param name="What">One sentence saying what is wrong.</param>
/// <param name="Expected">What should be there, when one value says it.</param>
/// <param name="Found">What is there, when one value says it.</param>
public sealed record LedgerFinding(LedgerFindingKind Kind, long? Seq, long? LastSeq, long? Offset, string What, string? Expected = null, string? Found = null)
{
    /// <summary>True when entry <paramref name="seq"/> lies in this finding's range.</summary>
    public bool Covers(long seq) => Seq is { } first && seq >= first && seq <= (LastSeq ?? first);
}
