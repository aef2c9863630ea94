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

    // §4 What is served is what was ledgered (issue 10, part "served").

    /// <summary>A package zip was served (hashes.package: the zip's SHA-256, checked over the bytes sent).</summary>
    public const string PackageRead = "package.read";

    /// <summary>A package zip was not served, or its download was cut off, because it is not the zip recorded when it was built.</summary>
    public const string PackageReadRefused = "package.read-refused";

    /// <summary>The service stored a package zip it built (hashes.package: the zip's SHA-256), so that verify can check it.</summary>
    public const string PackageStored = "package.stored";

    /// <summary>A query's result, a chunk or a sink artifact was served.</summary>
    public const string ResultRead = "result.read";

    /// <summary>A result, chunk or artifact was not served, or its download was cut off, because it is not the file the ledger recorded.</summary>
    public const string ResultReadRefused = "result.read-refused";
}
