using System.Globalization;
using Recorder.Api.Queries;
using Recorder.Core.Query;
using Recorder.Core.Time;

namespace Recorder.Api.Cases;

/// <summary>One case of the history: its queries' summaries, newest first.</summary>
/// <param name="Case">The case number.</param>
/// <param name="Queries">Its queries the caller may see, newest first.</param>
public sealed record CaseSummary(string Case, IReadOnlyList<QuerySummary> Queries)
{
    /// <summary>When its latest query was submitted.</summary>
    public string Latest => Queries[0].SubmittedAt;

    /// <summary>When its first query was submitted.</summary>
    public string First => Queries[^1].SubmittedAt;
}

/// <summary>What a listing of cases asks for (already validated).</summary>
/// <param name="Search">Text found in the case number, a query id, or an address or port of a query's filter.</param>
/// <param name="User">Only queries of this user.</param>
/// <param name="From">Only queries submitted at or after this time (RFC 3339, nine digits).</param>
/// <param name="To">Only queries submitted before this time.</param>
/// <param name="Sort">The sort key (<see cref="CaseHistory.SortKeys"/>), descending when it starts with '-'.</param>
public sealed record CaseSearch(string? Search, string? User, string? From, string? To, string Sort);

/// <summary>
/// The query history grouped by case, computed from the in-memory summaries
/// (<see cref="QuerySummaries"/>): no query file is read to answer a listing.
/// </summary>
public static class CaseHistory
{
    /// <summary>The sort keys a listing accepts (each also with a leading '-' for descending).</summary>
    public static readonly IReadOnlyList<string> SortKeys = ["latest", "first", "case", "queries"];

    /// <summary>
    /// The cases holding queries that match <paramref name="search"/>, sorted; <paramref name="visible"/>
    /// says which queries the caller may see. <paramref name="summaries"/> come newest first (as
    /// <see cref="QuerySummaries.All"/> gives them), so each case's queries are already in order.
    /// </summary>
    public static IReadOnlyList<CaseSummary> Find(IEnumerable<QuerySummary> summaries, Func<QuerySummary, bool> visible, CaseSearch search)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(visible);
        ArgumentNullException.ThrowIfNull(search);
        var cases = summaries.Where(visible)
            .Where(s => search.User is null || s.Owner == search.User)
            .Where(s => search.From is null || string.CompareOrdinal(s.SubmittedAt, search.From) >= 0)
            .Where(s => search.To is null || string.CompareOrdinal(s.SubmittedAt, search.To) < 0)
            .GroupBy(s => s.Case, StringComparer.Ordinal)
            .Where(g => search.Search is null || Matches(g.Key, g, search.Search))
            .Select(g => new CaseSummary(g.Key, g.ToList()));
        var descending = search.Sort.StartsWith('-');
        IOrderedEnumerable<CaseSummary> sorted = search.Sort.TrimStart('-') switch
        {
            "case" => descending ? cases.OrderByDescending(c => c.Case, StringComparer.Ordinal) : cases.OrderBy(c => c.Case, StringComparer.Ordinal),
            "queries" => descending ? cases.OrderByDescending(c => c.Queries.Count) : cases.OrderBy(c => c.Queries.Count),
            "first" => descending ? cases.OrderByDescending(c => c.First, StringComparer.Ordinal) : cases.OrderBy(c => c.First, StringComparer.Ordinal),
            _ => descending ? cases.OrderByDescending(c => c.Latest, StringComparer.Ordinal) : cases.OrderBy(c => c.Latest, StringComparer.Ordinal),
        };
        return sorted.ThenBy(c => c.Case, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Reads a time bound of a listing: RFC 3339 (or a date, meaning its midnight UTC) as the nine-digit
    /// UTC form the records hold, so that bounds compare as text; null with a message when it is not one.
    /// </summary>
    public static (string? Value, string? Error) Bound(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 10 && DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            trimmed += "T00:00:00Z";
        }

        return TimestampParser.TryParse(trimmed, out var value, out var error)
            ? (value.ToString(), null)
            : (null, $"'{(trimmed.Length > 64 ? trimmed[..64] : trimmed)}' is not a time: {error}");
    }

    /// <summary>
    /// Whether a case matches the search text: in its number, a query id's start, an owner, a port, or
    /// an address of a query's filter, where an address or CIDR block searched for also matches a
    /// filter's block that overlaps it (an indicator 10.1.2.3 finds the query on 10.1.0.0/16, and
    /// 10.1.0.0/16 the query on 10.1.2.3).
    /// </summary>
    private static bool Matches(string caseId, IEnumerable<QuerySummary> queries, string text)
    {
        var network = IpNetwork.TryParse(text, out var parsed, out _) ? parsed : null;
        return caseId.Contains(text, StringComparison.OrdinalIgnoreCase)
            || queries.Any(q => q.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase)
                || q.Hosts.Any(h => h.Contains(text, StringComparison.OrdinalIgnoreCase) || (network is not null && Overlaps(network, h)))
                || q.Ports.Any(p => p == text)
                || q.Owner.Equals(text, StringComparison.OrdinalIgnoreCase));
    }

    private static bool Overlaps(IpNetwork searched, string host) =>
        IpNetwork.TryParse(host, out var filter, out _) && filter.IsIPv4 == searched.IsIPv4 && filter.First <= searched.Last && searched.First <= filter.Last;
}
