using Recorder.Index;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
using Recorder.Storage.Recovery;
using Recorder.Storage.Store;

namespace Recorder.Application;

/// <summary>How a host (the CLI, the service) opens stores: with the RocksDB index and the custody ledger.</summary>
public sealed record StoreAccessOptions
{
    /// <summary>Store tunables.</summary>
    public StoreOptions Store { get; init; } = new();

    /// <summary>Who acts (recorded in every ledger entry).</summary>
    public LedgerActor Actor { get; init; } = LedgerActor.CurrentOsUser();

    /// <summary>An external RFC 3161 authority replacing the built-in one.</summary>
    public Uri? TimeStampAuthority { get; init; }

    /// <summary>The external authority's certificate (PEM file).</summary>
    public string? TimeStampAuthorityCertificate { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>A store opened for use, and what recovery did on the way.</summary>
/// <param name="Store">The store.</param>
/// <param name="Recovery">Abandoned writers' segments sealed while opening (empty when none).</param>
public sealed record OpenedStore(EvidenceStore Store, RecoveryReport Recovery);

/// <summary>Opens stores the way every host must: index, ledger, recovery of abandoned writers.</summary>
public static class StoreAccess
{
    /// <summary>
    /// Opens (or creates) the store. The custody ledger is opened at once, so a command that acts
    /// on evidence can record before it acts, unless <paramref name="ledgerOnDemand"/> (verification,
    /// which must run on a damaged ledger). Abandoned writing sessions are recovered unless the
    /// ledger cannot record it.
    /// </summary>
    /// <exception cref="StoreException">No store, or one of another version.</exception>
    /// <exception cref="LedgerIntegrityException">The ledger is damaged (only without <paramref name="ledgerOnDemand"/>).</exception>
    public static OpenedStore Open(string path, bool create, StoreAccessOptions options, bool ledgerOnDemand = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new StoreServices
        {
            IndexProvider = new RocksPacketIndexProvider(),
            Options = options.Store,
            Clock = options.Clock,
            JournalFactory = store => new LedgerJournal(LedgerSettings(store, options)),
        };
        var store = create ? EvidenceStore.OpenOrCreate(path, services) : EvidenceStore.Open(path, services);
        try
        {
            if (!ledgerOnDemand)
            {
                Journal(store).EnsureOpen();
            }

            RecoveryReport recovery;
            try
            {
                recovery = new SessionRecovery(store).Run();
            }
            catch (LedgerIntegrityException) when (ledgerOnDemand)
            {
                // Recovery records what it does; with a damaged ledger it waits until the ledger is repaired.
                recovery = new RecoveryReport([], 0);
            }

            return new OpenedStore(store, recovery);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The store's ledger journal.</summary>
    public static LedgerJournal Journal(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Journal as LedgerJournal ?? throw new InvalidOperationException("the store was opened without its ledger");
    }

    /// <summary>The ledger settings of a store.</summary>
    public static LedgerJournalSettings LedgerSettings(EvidenceStore store, StoreAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        return new LedgerJournalSettings
        {
            Directory = store.Layout.LedgerDirectory,
            Origin = "recorder.store/" + store.StoreId,
            Signer = store.Key,
            Clock = store.Clock,
            Actor = options.Actor,
            BuiltInAuthorityDirectory = TimeStampAuthorityDirectory(store.Layout),
            ExternalAuthority = options.TimeStampAuthority,
            ExternalAuthorityCertificate = options.TimeStampAuthorityCertificate,
        };
    }

    /// <summary>Where the built-in time-stamp authority keeps its key and certificate.</summary>
    public static string TimeStampAuthorityDirectory(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Path.Combine(layout.KeysDirectory, "tsa");
    }
}
