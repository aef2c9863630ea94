using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Application.Sessions;

/// <summary>A session search that ran and was recorded.</summary>
/// <param name="SearchId">The search's UUID (the entry's <c>subjects.searchId</c>).</param>
/// <param name="Seq">The sequence number of its <c>sessions.searched</c> entry.</param>
/// <param name="Result">What it found and looked at.</param>
/// <param name="Filter">The options given, by name, as the entry's <c>details.filter</c> holds them.</param>
public sealed record SessionSearchRecord(string SearchId, long Seq, SessionSearchResult Result, JsonObject Filter);

/// <summary>
/// A session search run and ledgered (<c>sessions.searched</c>) the same way by every host that
/// searches (<c>recorder sessions</c>, <c>recorder query --sessions-of</c>, <c>POST /api/sessions/search</c>,
/// a service query's <c>filter.sessionsOf</c>): the entry's shape and the answer's JSON are built here
/// and nowhere else, so the same filter over the same store gives the same answer hash and the same
/// entry whichever host asked. Only the actor differs: each host records through its own journal.
/// </summary>
public static class AuditedSessionSearch
{
    /// <summary>
    /// Runs <paramref name="filter"/> over <paramref name="store"/> and records the search with its
    /// answer's SHA-256 through <paramref name="record"/> (the caller's journal); returns what was recorded.
    /// </summary>
    public static SessionSearchRecord Run(EvidenceStore store, SessionFilter filter, string caseId, string reason, Func<CustodyEvent, long> record,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(record);
        var searchId = Guid.NewGuid().ToString();
        var result = SessionSearch.Run(store, filter, cancellationToken);
        var filterJson = FilterJson(filter);
        var seq = record(Searched(searchId, filterJson, result, caseId, reason));
        return new SessionSearchRecord(searchId, seq, result, filterJson);
    }

    /// <summary>The <c>sessions.searched</c> event of a search (docs/ledger-actions.md).</summary>
    public static CustodyEvent Searched(string searchId, JsonObject filter, SessionSearchResult result, string caseId, string reason)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(result);
        var details = new JsonObject { ["filter"] = filter.DeepClone(), ["results"] = result.Matches.Count };
        AddCoverage(details, result);
        return new CustodyEvent(LedgerActions.SessionsSearched, new JsonObject { ["searchId"] = searchId },
            new Dictionary<string, string> { ["answer"] = result.AnswerSha256 }, details, caseId, reason);
    }

    /// <summary>The options given, by name (<c>sni</c>, <c>hostHeader</c>, …), as written.</summary>
    public static JsonObject FilterJson(SessionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new JsonObject(filter.Given().Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
    }

    /// <summary>
    /// The answer as <c>recorder sessions --json</c> prints it and the API returns it: the search, its
    /// case and reason, the filter, the count, the answer's SHA-256, the segments scanned and not
    /// built, how the index was used (segments answered from it, segments scanned instead and why,
    /// options it could not look up, records read), the ledger entry and every matching record
    /// exactly as its metadata holds it.
    /// </summary>
    public static JsonObject Answer(SessionSearchRecord search, string caseId, string reason)
    {
        ArgumentNullException.ThrowIfNull(search);
        var result = search.Result;
        var answer = new JsonObject
        {
            ["searchId"] = search.SearchId,
            ["case"] = caseId,
            ["reason"] = reason,
            ["filter"] = search.Filter.DeepClone(),
            ["count"] = result.Matches.Count,
            ["answerSha256"] = result.AnswerSha256,
        };
        AddCoverage(answer, result);
        answer["ledgerSeq"] = search.Seq;
        answer["searchMilliseconds"] = Math.Round(result.Elapsed.TotalMilliseconds, 3);
        answer["results"] = new JsonArray(result.Matches.Select(m => JsonNode.Parse(m.Line.Span)).ToArray());
        return answer;
    }

    /// <summary>What the search covered, the same in its ledger entry and its answer: segments by how they were read, options the index could not look up, records read.</summary>
    private static void AddCoverage(JsonObject target, SessionSearchResult result)
    {
        target["segmentsScanned"] = Ids(result.SegmentsScanned);
        target["segmentsNotBuilt"] = Ids(result.SegmentsNotBuilt);
        target["segmentsIndexed"] = Ids(result.SegmentsIndexed);
        target["segmentsFullyScanned"] = Fallbacks(result.SegmentsFullyScanned);
        target["optionsNotIndexed"] = new JsonArray(result.OptionsNotIndexed.Select(o => (JsonNode)o).ToArray());
        target["recordsRead"] = result.RecordsRead;
    }

    /// <summary>The segments searched by a full scan instead of their index, and why.</summary>
    public static JsonArray Fallbacks(IReadOnlyList<SessionScanFallback> fallbacks)
    {
        ArgumentNullException.ThrowIfNull(fallbacks);
        return new JsonArray(fallbacks.Select(f => (JsonNode)new JsonObject { ["segmentId"] = f.SegmentId, ["reason"] = f.Reason }).ToArray());
    }

    /// <summary>Segment ids as a JSON array.</summary>
    public static JsonArray Ids(IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return new JsonArray(ids.Select(i => (JsonNode)i).ToArray());
    }
}
