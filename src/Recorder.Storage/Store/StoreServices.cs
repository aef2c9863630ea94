using Recorder.Core.Indexing;
using Recorder.Core.Store;

namespace Recorder.Storage.Store;

/// <summary>What a store needs from its host: a clock, the index, and the custody journal every action is recorded in.</summary>
public sealed record StoreServices
{
    /// <summary>The clock for every timestamp Recorder itself writes.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Opens the packet index.</summary>
    public required IPacketIndexProvider IndexProvider { get; init; }

    /// <summary>Tunables.</summary>
    public StoreOptions Options { get; init; } = new();

    /// <summary>
    /// Opens the store's custody journal once the store's identity and key are known. Required: a
    /// store that could be opened without a journal would let custody events be dropped by
    /// configuration (tests of the storage layer alone pass an in-memory journal).
    /// </summary>
    public required Func<EvidenceStore, ICustodyJournal> JournalFactory { get; init; }

    /// <summary>Told at each durable step of a seal, so tests can crash there (null in production).</summary>
    internal Segments.ISealFaults? SealFaults { get; init; }
}
