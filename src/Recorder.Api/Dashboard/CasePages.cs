using Microsoft.AspNetCore.Routing;
using Recorder.Api.Policies;

namespace Recorder.Api.Dashboard;

/// <summary>
/// The incident pages (the history by case and one case), the traffic timeline and the evidence
/// packages page; each a thin layout over <c>/api/cases</c>, <c>/api/traffic</c> and <c>/api/packages</c>.
/// </summary>
public static class CasePages
{
    /// <summary>Maps the pages.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPage("/ui/cases", "cases", "Incidents", Permission.QueriesReadOwn, Permission.QueriesReadAll);
        endpoints.MapPage("/ui/cases/{case}", "case", "Case", Permission.QueriesReadOwn, Permission.QueriesReadAll);
        endpoints.MapPage("/ui/timeline", "timeline", "Traffic timeline", Permission.SegmentsRead);
        endpoints.MapPage("/ui/packages", "packages", "Evidence packages", Permission.PackagesBuild);
    }
}
