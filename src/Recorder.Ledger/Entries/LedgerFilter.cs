using Recorder.Core.Time;

namespace Recorder.Ledger.Entries;

/// <summary>Selects entries for <c>CustodyLedger.Read</c>; every condition set must hold (AND).</summary>
public sealed record LedgerFilter
{
    /// <summary>Actions to keep: an exact name (<c>import.completed</c>) or a prefix ending in <c>.*</c> (<c>import.*</c>); any of them (OR).</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>Keep only entries of this case.</summary>
    public string? Case { get; init; }

    /// <summary>Keep only entries whose actor has this name (any kind of actor).</summary>
    public string? ActorName { get; init; }

    /// <summary>Keep entries at or after this time.</summary>
    public Timestamp? From { get; init; }

    /// <summary>Keep entries strictly before this time.</summary>
    public Timestamp? To { get; init; }

    /// <summary>Keep entries with a sequence number at or above this.</summary>
    public long? FromSeq { get; init; }

    /// <summary>Keep entries with a sequence number strictly below this.</summary>
    public long? ToSeq { get; init; }

    /// <summary>True when <paramref name="entry"/> passes every condition.</summary>
    public bool Matches(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Actions is { Count: > 0 } && !Actions.Any(a => ActionMatches(a, entry.Action)))
        {
            return false;
        }

        if (Case is not null && !string.Equals(Case, entry.Case, StringComparison.Ordinal))
        {
            return false;
        }

        if (ActorName is not null && !string.Equals(ActorName, entry.Actor.Name, StringComparison.Ordinal))
        {
            return false;
        }

        if ((From is { } from && entry.Time < from) || (To is { } to && entry.Time >= to))
        {
            return false;
        }

        return (FromSeq is not { } first || entry.Seq >= first) && (ToSeq is not { } end || entry.Seq < end);
    }

    private static bool ActionMatches(string pattern, string action) =>
        pattern.EndsWith(".*", StringComparison.Ordinal)
            ? action.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, action, StringComparison.Ordinal);
}
