namespace Recorder.Core.Store;

/// <summary>
/// The closed vocabulary of ledger actions: every custody event Recorder writes has one of these
/// names, and nothing else (the store's journal and the service's ledger refuse any other, see
/// <see cref="IsKnown"/>). Each is documented with its subjects, hashes and details fields in
/// docs/ledger-actions.md; a test keeps the two equal. Names may be added, never renamed or removed:
/// ledgers written earlier keep them for ever.
/// </summary>
public static class LedgerActions
{
    // Store and keys

    /// <summary>A store and its key were created.</summary>
    public const string StoreCreated = "store.created";

    /// <summary>A signing key was created: the store's Ed25519 key, or the built-in time-stamp authority's.</summary>
    public const string KeyCreated = "key.created";

    /// <summary>The store's public key was written out.</summary>
    public const string KeyExported = "key.exported";

    // Import and capture

    /// <summary>Reserved (version 1 of the vocabulary); imports record import.completed or import.refused.</summary>
    public const string ImportStarted = "import.started";

    /// <summary>An import completed: every packet of every file is in the segments named.</summary>
    public const string ImportCompleted = "import.completed";

    /// <summary>Reserved (version 1 of the vocabulary); a failed import records import.refused.</summary>
    public const string ImportFailed = "import.failed";

    /// <summary>An import was refused or failed; what it stored, if anything, is named.</summary>
    public const string ImportRefused = "import.refused";

    /// <summary>A live capture started.</summary>
    public const string CaptureStarted = "capture.started";

    /// <summary>A live capture stopped, with its drop counters.</summary>
    public const string CaptureStopped = "capture.stopped";

    /// <summary>A service user asked the service to start its live capture.</summary>
    public const string CaptureStartRequested = "capture.start-requested";

    /// <summary>A service user asked the service to stop its live capture.</summary>
    public const string CaptureStopRequested = "capture.stop-requested";

    // Segments

    /// <summary>A segment was sealed (recovered: true when recovery wrote the entry a dead writer owed).</summary>
    public const string SegmentSealed = "segment.sealed";

    /// <summary>A segment was deleted.</summary>
    public const string SegmentDeleted = "segment.deleted";

    /// <summary>Recovery sealed the complete records a dead writer left unsealed.</summary>
    public const string SegmentRecovered = "recovery.segment-recovered";

    /// <summary>Reserved (version 1 of the vocabulary); recoveries are recorded per segment.</summary>
    public const string RecoveryCompleted = "recovery.completed";

    // Session metadata

    /// <summary>A sealed segment's session metadata file was built (its SHA-256 recorded before it was put in place).</summary>
    public const string SessionsIndexed = "sessions.indexed";

    /// <summary>An investigator searched the session metadata (case, reason, filter, results and the answer's SHA-256).</summary>
    public const string SessionsSearched = "sessions.searched";

    /// <summary>Session, DNS, HTTP, TLS and file records of a time window were exported (ECS JSON lines) with the output's SHA-256.</summary>
    public const string SessionsExported = "sessions.exported";

    /// <summary>A transferred file's octets were extracted from the packets that carried it (case, reason, the outputs' hashes, session and segments).</summary>
    public const string FilesExtracted = "files.extracted";

    // TLS key logs

    /// <summary>A TLS key log (NSS SSLKEYLOGFILE format) was stored as evidence (its SHA-256, entries, labels and problems per line).</summary>
    public const string KeylogImported = "keylog.imported";

    // Queries and extractions

    /// <summary>A query was submitted, with its case and reason, before any packet was read.</summary>
    public const string QuerySubmitted = "query.submitted";

    /// <summary>A query was refused before it ran.</summary>
    public const string QueryRefused = "query.refused";

    /// <summary>A service job started an attempt at a query.</summary>
    public const string QueryStarted = "query.started";

    /// <summary>A chunk of a running service query's result was written.</summary>
    public const string QueryChunkWritten = "query.chunk-written";

    /// <summary>A service query's dead attempt was discarded and the query started over.</summary>
    public const string QueryRestarted = "query.restarted";

    /// <summary>A user cancelled a service query.</summary>
    public const string QueryCancelled = "query.cancelled";

    /// <summary>A query ended without a complete extraction.</summary>
    public const string QueryFailed = "query.failed";

    /// <summary>A query's result was written (partial: true with the segments left out when it is not the whole answer).</summary>
    public const string ExtractionWritten = "extraction.written";

    /// <summary>A query's result, a chunk or a sink artifact was served (checked over the bytes sent).</summary>
    public const string ResultRead = "result.read";

    /// <summary>A result, chunk or artifact was not served, or its download was cut off, because it is not the file the ledger recorded.</summary>
    public const string ResultReadRefused = "result.read-refused";

    /// <summary>An analysis tool pre-wired to a query finished receiving its result.</summary>
    public const string SinkCompleted = "sink.completed";

    /// <summary>An analysis tool pre-wired to a query failed.</summary>
    public const string SinkFailed = "sink.failed";

    // Evidence packages and reports

    /// <summary>An evidence package was built.</summary>
    public const string PackageBuilt = "package.built";

    /// <summary>A package's report.pdf was written.</summary>
    public const string ReportGenerated = "report.generated";

    /// <summary>The service refused to build a package.</summary>
    public const string PackageRefused = "package.refused";

    /// <summary>The service stored a package zip it built (hashes.package), so that verify can check it.</summary>
    public const string PackageStored = "package.stored";

    /// <summary>A package zip was served (checked over the bytes sent).</summary>
    public const string PackageRead = "package.read";

    /// <summary>A package zip was not served, or its download was cut off, because it is not the zip recorded.</summary>
    public const string PackageReadRefused = "package.read-refused";

    /// <summary>A package's report.pdf was served.</summary>
    public const string ReportRead = "report.read";

    /// <summary>A report was not served because it or its package is not what was recorded.</summary>
    public const string ReportReadRefused = "report.read-refused";

    // Verification and index

    /// <summary>A verification of the store ran; its outcome is recorded whatever it is.</summary>
    public const string VerifyCompleted = "verify.completed";

    /// <summary>A service user asked for a verification.</summary>
    public const string VerifyRequested = "verify.requested";

    /// <summary>The index was rebuilt from the segments.</summary>
    public const string IndexRebuilt = "index.rebuilt";

    // The ledger's own maintenance

    /// <summary>The ledger cut an incomplete tail left by a crash and kept the bytes aside.</summary>
    public const string TornTailRecovered = "ledger.torn-tail-recovered";

    /// <summary>The ledger moved aside complete entries no signed head covered.</summary>
    public const string UncoveredEntriesQuarantined = "ledger.uncovered-entries-quarantined";

    /// <summary>A signed head could not be time-stamped.</summary>
    public const string TimeStampFailed = "ledger.timestamp-failed";

    // The service

    /// <summary>A service node started.</summary>
    public const string ServiceStarted = "service.started";

    /// <summary>A service node stopped.</summary>
    public const string ServiceStopped = "service.stopped";

    /// <summary>A starting node queued again the jobs a dead node left.</summary>
    public const string ServiceRecovered = "service.recovered";

    /// <summary>A local service user was added.</summary>
    public const string UserAdded = "user.added";

    /// <summary>A local service user's token was revoked.</summary>
    public const string UserRevoked = "user.revoked";

    /// <summary>A local service user was given another role.</summary>
    public const string UserRoleChanged = "user.role-changed";

    /// <summary>The service refused a request that named a user.</summary>
    public const string RequestRefused = "request.refused";

    /// <summary>A user signed in to the web dashboard.</summary>
    public const string DashboardSignedIn = "dashboard.signed-in";

    /// <summary>A user signed out of the web dashboard.</summary>
    public const string DashboardSignedOut = "dashboard.signed-out";

    // Cases

    /// <summary>A note was added to a case (append-only: notes are never changed or removed).</summary>
    public const string CaseNoteAdded = "case.note-added";

    /// <summary>Every action, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        StoreCreated,
        KeyCreated,
        KeyExported,
        ImportStarted,
        ImportCompleted,
        ImportFailed,
        ImportRefused,
        CaptureStarted,
        CaptureStopped,
        CaptureStartRequested,
        CaptureStopRequested,
        SegmentSealed,
        SegmentDeleted,
        SegmentRecovered,
        RecoveryCompleted,
        SessionsIndexed,
        SessionsSearched,
        SessionsExported,
        FilesExtracted,
        KeylogImported,
        QuerySubmitted,
        QueryRefused,
        QueryStarted,
        QueryChunkWritten,
        QueryRestarted,
        QueryCancelled,
        QueryFailed,
        ExtractionWritten,
        ResultRead,
        ResultReadRefused,
        SinkCompleted,
        SinkFailed,
        PackageBuilt,
        ReportGenerated,
        PackageRefused,
        PackageStored,
        PackageRead,
        PackageReadRefused,
        ReportRead,
        ReportReadRefused,
        VerifyCompleted,
        VerifyRequested,
        IndexRebuilt,
        TornTailRecovered,
        UncoveredEntriesQuarantined,
        TimeStampFailed,
        ServiceStarted,
        ServiceStopped,
        ServiceRecovered,
        UserAdded,
        UserRevoked,
        UserRoleChanged,
        RequestRefused,
        DashboardSignedIn,
        DashboardSignedOut,
        CaseNoteAdded,
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>True when <paramref name="action"/> is one of Recorder's actions.</summary>
    public static bool IsKnown(string action) => Known.Contains(action);

    /// <summary>Throws when <paramref name="action"/> is not one of Recorder's actions: a custody event under a name no auditor's documentation has is a bug.</summary>
    /// <exception cref="ArgumentException">The name is not in <see cref="All"/>.</exception>
    public static void EnsureKnown(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!Known.Contains(action))
        {
            throw new ArgumentException($"'{action}' is not a ledger action of Recorder (LedgerActions, docs/ledger-actions.md)", nameof(action));
        }
    }
}
