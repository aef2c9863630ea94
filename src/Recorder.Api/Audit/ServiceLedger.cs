using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Storage.Store;

namespace Recorder.Api.Audit;

/// <summary>
/// The custody ledger as the service writes it: every entry carries the authenticated user who
/// acted (actor kind <c>service-user</c>) or, for what the service does on its own, the OS account
/// running it. Entries are durable when a Record call returns.
/// </summary>
public sealed class ServiceLedger
{
    private readonly EvidenceStore _store;
    private readonly string _host;

    /// <summary>Writes into the ledger of <paramref name="store"/>.</summary>
    public ServiceLedger(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _host = Environment.MachineName;
    }

    /// <summary>The ledger actor of service user <paramref name="userName"/>.</summary>
    public LedgerActor Actor(string userName) => new(LedgerActorKind.ServiceUser, userName, _host);

    /// <summary>Durably records an entry under <paramref name="actor"/>; returns its sequence number.</summary>
    public long Record(LedgerActor actor, string action, JsonObject subjects, IReadOnlyDictionary<string, string>? hashes, JsonObject details,
        string? caseId = null, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        LedgerActions.EnsureKnown(action);
        return StoreAccess.Journal(_store).Ledger.Append(new LedgerDraft(action)
        {
            Actor = actor,
            Subjects = subjects,
            Hashes = hashes ?? new Dictionary<string, string>(),
            Details = details,
            Case = caseId,
            Reason = reason,
        }).Seq;
    }

    /// <summary>Records an entry under service user <paramref name="userName"/>.</summary>
    public long Record(string userName, string action, JsonObject subjects, IReadOnlyDictionary<string, string>? hashes, JsonObject details,
        string? caseId = null, string? reason = null) =>
        Record(Actor(userName), action, subjects, hashes, details, caseId, reason);

    /// <summary>A signed, RFC 3161 time-stamped checkpoint of the ledger as it is now.</summary>
    public Checkpoint Checkpoint() => StoreAccess.Journal(_store).Checkpoint();
}
