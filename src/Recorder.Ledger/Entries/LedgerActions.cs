namespace Recorder.Ledger.Entries;

/// <summary>
/// Well-known action names. The ledger accepts any dotted lower-case name; these are the ones
/// Recorder writes, listed so that callers and auditors agree on the spelling.
/// </summary>
public static class LedgerActions
{
    /// <summary>A store and its key were created.</summary>
    public const string StoreCreated = "store.created";

    /// <summary>A signing key was created or rotated.</summary>
    public const string KeyCreated = "key.created";

    /// <summary>An import started.</summary>
    public const string ImportStarted = "import.started";

    /// <summary>An import completed.</summary>
    public const string ImportCompleted = "import.completed";

    /// <summary>An import failed or was refused.</summary>
    public const string ImportFailed = "import.failed";

    /// <summary>A capture started.</summary>
    public const string CaptureStarted = "capture.started";

    /// <summary>A capture stopped.</summary>
    public const string CaptureStopped = "capture.stopped";

    /// <summary>A segment was sealed.</summary>
    public const string SegmentSealed = "segment.sealed";

    /// <summary>A segment was deleted.</summary>
    public const string SegmentDeleted = "segment.deleted";

    /// <summary>A query was submitted.</summary>
    public const string QuerySubmitted = "query.submitted";

    /// <summary>An extraction was written.</summary>
    public const string ExtractionWritten = "extraction.written";

    /// <summary>A verification ran.</summary>
    public const string VerifyCompleted = "verify.completed";

    /// <summary>The index was rebuilt.</summary>
    public const string IndexRebuilt = "index.rebuilt";

    /// <summary>An unsealed segment was recovered after a crash.</summary>
    public const string RecoveryCompleted = "recovery.completed";

    /// <summary>The ledger cut an incomplete tail left by a crash and kept the bytes aside.</summary>
    public const string TornTailRecovered = "ledger.torn-tail-recovered";

    /// <summary>The ledger moved aside complete entries no signed head covered (operator opt-in).</summary>
    public const string UncoveredEntriesQuarantined = "ledger.uncovered-entries-quarantined";

    /// <summary>A checkpoint could not be time-stamped.</summary>
    public const string TimeStampFailed = "ledger.timestamp-failed";
}
