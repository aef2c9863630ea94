using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Cli.Commands;

/// <summary>A session search, run and ledgered (<c>sessions.searched</c>) the same way by every command that searches.</summary>
internal static class SessionSearchAudit
{
    /// <summary>Runs <paramref name="filter"/> and records the search with its answer's SHA-256.</summary>
    public static (string SearchId, long Seq, SessionSearchResult Result, JsonObject FilterJson) Run(EvidenceStore store, SessionFilter filter,
        string caseId, string reason, CancellationToken cancellationToken)
    {
        var searchId = Guid.NewGuid().ToString();
        var result = SessionSearch.Run(store, filter, cancellationToken);
        var filterJson = new JsonObject(filter.Given().Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
        var seq = store.Record(LedgerActions.SessionsSearched, new JsonObject { ["searchId"] = searchId },
            new Dictionary<string, string> { ["answer"] = result.AnswerSha256 },
            new JsonObject
            {
                ["filter"] = filterJson.DeepClone(),
                ["results"] = result.Matches.Count,
                ["segmentsScanned"] = Ids(result.SegmentsScanned),
                ["segmentsNotBuilt"] = Ids(result.SegmentsNotBuilt),
                ["segmentsIndexed"] = Ids(result.SegmentsIndexed),
                ["segmentsFullyScanned"] = Fallbacks(result.SegmentsFullyScanned),
                ["optionsNotIndexed"] = new JsonArray(result.OptionsNotIndexed.Select(o => (JsonNode)o).ToArray()),
                ["recordsRead"] = result.RecordsRead,
            },
            caseId, reason);
        return (searchId, seq, result, filterJson);
    }

    /// <summary>The segments searched by a full scan instead of their index, and why.</summary>
    public static JsonArray Fallbacks(IReadOnlyList<SessionScanFallback> fallbacks) =>
        new(fallbacks.Select(f => (JsonNode)new JsonObject { ["segmentId"] = f.SegmentId, ["reason"] = f.Reason }).ToArray());

    /// <summary>Segment ids as a JSON array.</summary>
    public static JsonArray Ids(IReadOnlyList<long> ids) => new(ids.Select(i => (JsonNode)i).ToArray());
}
