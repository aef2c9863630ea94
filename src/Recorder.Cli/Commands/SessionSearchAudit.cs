using System.Text.Json.Nodes;
using Recorder.Application.Sessions;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Cli.Commands;

/// <summary>A session search, run and ledgered (<c>sessions.searched</c>) by the command line, as <see cref="AuditedSessionSearch"/> shapes it for every host.</summary>
internal static class SessionSearchAudit
{
    /// <summary>Runs <paramref name="filter"/> and records the search with its answer's SHA-256 in the store's journal.</summary>
    public static (string SearchId, long Seq, SessionSearchResult Result, JsonObject FilterJson) Run(EvidenceStore store, SessionFilter filter,
        string caseId, string reason, CancellationToken cancellationToken)
    {
        var search = AuditedSessionSearch.Run(store, filter, caseId, reason, store.Record, cancellationToken);
        return (search.SearchId, search.Seq, search.Result, search.Filter);
    }

    /// <summary>Segment ids as a JSON array.</summary>
    public static JsonArray Ids(IReadOnlyList<long> ids) => AuditedSessionSearch.Ids(ids);
}
