namespace Recorder.Storage.Segments;

/// <summary>
/// The durable steps of sealing a segment and recording it, in the order they happen (see
/// docs/store-layout.md, "Sealing"). A crash after any step must leave a store that the next opener
/// completes into one that verifies, with exactly one ledger entry per sealed segment.
/// </summary>
internal enum SealStep
{
    /// <summary>The seal intent (manifest, signature, source, ledger entry owed) is on disk.</summary>
    IntentWritten,

    /// <summary>The segment file has been renamed into <c>segments/</c>.</summary>
    DataMoved,

    /// <summary>The manifest's signature file is on disk.</summary>
    SignatureWritten,

    /// <summary>The note of the ledger entry owed is in the writer's session directory.</summary>
    EntryNoteWritten,

    /// <summary>The manifest is on disk: the commit point, the segment is sealed.</summary>
    ManifestWritten,

    /// <summary>The seal intent has been removed.</summary>
    IntentRemoved,

    /// <summary>HEAD names the new segment.</summary>
    HeadWritten,

    /// <summary>
    /// The index update has run. When it failed, the entry is recorded anyway (the segment is the
    /// evidence, the index is derived) and the session is left for recovery to catch the index up.
    /// </summary>
    Indexed,

    /// <summary>The ledger entry is durable; its note is still on disk.</summary>
    EntryRecorded,

    /// <summary>The note is gone: the seal is settled.</summary>
    EntryNoteRemoved,
}

/// <summary>
/// A fault-injection seam: told when each <see cref="SealStep"/> is durable, so a test can "crash"
/// there (throw, then abandon the writer as a killed process would). Null in production.
/// </summary>
internal interface ISealFaults
{
    /// <summary>Called right after <paramref name="step"/> of segment <paramref name="segmentId"/> is durable.</summary>
    void Reached(SealStep step, long segmentId);
}
