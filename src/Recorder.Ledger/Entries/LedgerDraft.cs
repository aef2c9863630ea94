using System.Text.Json.Nodes;
using Recorder.Core.Store;

namespace Recorder.Ledger.Entries;

/// <summary>
/// What a caller asks the ledger to record; the ledger adds the sequence number, time, clock and
/// previous-entry hash. JSON values are copied when the draft is appended, so the caller may reuse them.
/// </summary>
/// <param name="Action">Dotted lower-case action name, e.g. <c>import.completed</c> (see <see cref="LedgerActions"/>).</param>
public sealed record LedgerDraft(string Action)
{
    /// <summary>Who acted; null uses the ledger's default actor (the OS user of this process).</summary>
    public LedgerActor? Actor { get; init; }

    /// <summary>Ids of what the action concerns, e.g. <c>{"segmentIds":[..],"queryId":".."}</c>.</summary>
    public JsonObject? Subjects { get; init; }

    /// <summary>Name → lower-case hex SHA-256 (64 digits), e.g. <c>{"input":"…","output":"…"}</c>.</summary>
    public IReadOnlyDictionary<string, string>? Hashes { get; init; }

    /// <summary>Anything else worth recording. Integers beyond ±2^53 must be strings (RFC 8785).</summary>
    public JsonObject? Details { get; init; }

    /// <summary>The case the action was done for, if any.</summary>
    public string? Case { get; init; }

    /// <summary>Why the action was done, if given.</summary>
    public string? Reason { get; init; }
}
