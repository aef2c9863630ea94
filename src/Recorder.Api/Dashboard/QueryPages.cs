using Microsoft.AspNetCore.Routing;
using Recorder.Api.Policies;

namespace Recorder.Api.Dashboard;

/// <summary>
/// The investigator's query pages: a new query from indicators (<c>/ui/queries/new</c>) and one
/// query's live progress and results (<c>/ui/queries/{id}</c>). Both are thin over
/// <c>/api/queries</c>; the query page's script follows <c>GET /api/queries/{id}/events</c>. The
/// sessions page (<c>/ui/sessions</c>) searches the session metadata (<c>POST /api/sessions/search</c>)
/// and submits a query for one session's packets.
/// </summary>
public static class QueryPages
{
    /// <summary>Maps the pages.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPage("/ui/queries/new", "query-new", "New query", Permission.QueriesSubmit);
        endpoints.MapPage("/ui/queries/{id}", "query", "Query", Permission.QueriesReadOwn, Permission.QueriesReadAll);
        endpoints.MapPage("/ui/sessions", "sessions", "Sessions", Permission.QueriesSubmit);
    }
}
