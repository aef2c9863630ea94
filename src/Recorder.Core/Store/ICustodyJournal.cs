using System.Text.Json.Nodes;

namespace Recorder.Core.Store;

/// <summary>
/// An action on evidence to be recorded in the custody ledger: what was done, to which subjects,
/// the hashes of what came in or out, and the details. Who and when are added by the journal.
/// </summary>
/// <param name="Action">Dotted lower-case action name, e.g. <c>segment.sealed</c>.</param>
/// <param name="Subjects">Ids of what the action concerns (segment ids, query id, file names).</param>
/// <param name="Hashes">Name → lower-case hex SHA-256 of what came in or out.</param>
/// <param name="Details">Anything else worth keeping.</param>
/// <param name="Case">Case number, for audited actions.</param>
/// <param name="Reason">Why, for audited actions.</param>
public sealed record CustodyEvent(
    string Action,
    JsonObject Subjects,
    IReadOnlyDictionary<string, string> Hashes,
    JsonObject Details,
    string? Case = null,
    string? Reason = null);

/// <summary>
/// Where the store reports every action that creates, reads out, changes or deletes evidence.
/// <see cref="Record"/> returns only once the event is durable: an action is reported done after
/// its record is.
/// </summary>
public interface ICustodyJournal
{
    /// <summary>Durably records <paramref name="custodyEvent"/>; returns its sequence number.</summary>
    long Record(CustodyEvent custodyEvent);

    /// <summary>
    /// The events of <paramref name="action"/> recorded so far, oldest first, read from the durable
    /// record: recovery asks before recording an entry a crashed writer owed, because the writer may
    /// have recorded it and died before it could say so.
    /// </summary>
    IEnumerable<CustodyEvent> Recorded(string action);
}
