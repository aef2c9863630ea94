using Microsoft.AspNetCore.Routing;
using Recorder.Api.Policies;

namespace Recorder.Api.Dashboard;

/// <summary>
/// The auditor's and the administrator's pages (custody ledger, verification, administration) and the
/// API reference. Each is a fragment and a script over the JSON API; the script never reaches a
/// packet (none of these pages calls a query, chunk or artifact endpoint).
/// </summary>
public static class AuditPages
{
    /// <summary>Maps the pages.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPage("/ui/ledger", "ledger", "Custody ledger", Permission.LedgerRead);
        endpoints.MapPage("/ui/verification", "verification", "Verification", Permission.VerifyRun);
        endpoints.MapPage("/ui/admin", "admin", "Administration", Permission.UsersManage, Permission.CaptureControl, Permission.ConfigRead);
        endpoints.MapPage("/ui/api", "api", "API reference");
    }
}
