using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;

namespace Recorder.Api.Dashboard;

/// <summary>One entry of the dashboard's navigation, shown to roles holding any of its permissions.</summary>
/// <param name="Path">Where it leads.</param>
/// <param name="Label">Its text.</param>
/// <param name="Description">What it is for (the home page's cards).</param>
/// <param name="AnyOf">The permissions, any of which shows it.</param>
public sealed record NavigationEntry(string Path, string Label, string Description, params Permission[] AnyOf);

/// <summary>
/// Renders dashboard pages: one layout (navigation for the caller's role, the signed-in user,
/// sign-out, theme) around a page's fragment (<c>Dashboard/Assets/pages/ID.html</c>) and its script
/// module (<c>Dashboard/Assets/ID.js</c>, when shipped). No inline script or style anywhere (the
/// Content-Security-Policy forbids them); the session's anti-forgery token is given to the page's
/// scripts in a meta element, never in a URL or in storage.
/// </summary>
public static class DashboardPage
{
    /// <summary>The navigation, in order. The server decides what a role may open; this only hides what it may not.</summary>
    public static readonly IReadOnlyList<NavigationEntry> Navigation =
    [
        new("/ui/queries/new", "New query", "Paste indicators from an alert, pick a window, and extract the packets as PCAP.", Permission.QueriesSubmit),
        new("/ui/sessions", "Sessions", "Search what the traffic named (domains, URLs, fingerprints, files) and extract a session's packets.", Permission.QueriesSubmit),
        new("/ui/cases", "Incidents", "Queries grouped by case: their results, packages and notes.", Permission.QueriesReadOwn, Permission.QueriesReadAll),
        new("/ui/timeline", "Traffic", "What the store holds over time; select a window to query it.", Permission.SegmentsRead),
        new("/ui/packages", "Evidence packages", "Build court-ready packages from a case's queries and check that they verify.", Permission.PackagesBuild),
        new("/ui/ledger", "Custody ledger", "Every action on the evidence, its verification and inclusion proofs.", Permission.LedgerRead),
        new("/ui/verification", "Verification", "Verify the store and the ledger, and read the findings.", Permission.VerifyRun),
        new("/ui/admin", "Administration", "Users, live capture and the service's health.", Permission.UsersManage, Permission.CaptureControl, Permission.ConfigRead),
        new("/ui/api", "API reference", "Every endpoint of the API the dashboard uses, for scripts."),
    ];

    /// <summary>Maps a dashboard page at <paramref name="pattern"/>: fragment and script <paramref name="id"/>, open to callers holding any of <paramref name="anyOf"/> (none: every signed-in user).</summary>
    public static RouteHandlerBuilder MapPage(this IEndpointRouteBuilder endpoints, string pattern, string id, string title, params Permission[] anyOf)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, (HttpContext http) => Render(http, id, title))
            .WithMetadata(new DashboardPageMarker())
            .RequirePermission(anyOf)
            .ExcludeFromDescription();
    }

    /// <summary>The page <paramref name="id"/> for the request's caller; <paramref name="main"/> replaces its fragment (HTML the server built, every value encoded).</summary>
    public static IResult Render(HttpContext http, string id, string title, string? main = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var caller = http.Caller();
        var runtime = http.RequestServices.GetService(typeof(ServiceRuntime)) as ServiceRuntime;
        var csrf = runtime?.DashboardSessions.Find(http.Request.Cookies[DashboardSessions.CookieName])?.Csrf;
        var module = DashboardAssets.Exists(id + ".js") ? id : null;
        return Html(StatusCodes.Status200OK, title, id, main ?? DashboardAssets.Text("pages/" + id + ".html"), module, caller, csrf, http.Request.Path);
    }

    /// <summary>The page shown when the caller's role may not open a page (the refusal is ledgered by the request gate).</summary>
    public static IResult Forbidden(Caller caller, string needed)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var body = $"<p class=\"notice notice-error\" role=\"alert\"><span class=\"badge badge-error\">Refused</span> Your role <strong>{E(caller.User.Role)}</strong> lacks the permission <code>{E(needed)}</code> this page needs. The refusal is recorded in the custody ledger.</p><p><a href=\"{DashboardPaths.Root}/\">Back to the dashboard</a></p>";
        return Html(StatusCodes.Status403Forbidden, "Not allowed", "forbidden", body, null, caller, null, null);
    }

    /// <summary>A page for someone not signed in (sign-in), with no navigation.</summary>
    public static IResult Anonymous(int status, string title, string id, string main) =>
        Html(status, title, id, main, DashboardAssets.Exists(id + ".js") ? id : null, null, null, null);

    /// <summary>HTML-encodes <paramref name="text"/>.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private static IResult Html(int status, string title, string id, string main, string? module, Caller? caller, string? csrf, PathString? current)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"color-scheme\" content=\"light dark\">\n");
        if (csrf is not null)
        {
            html.Append("<meta name=\"csrf-token\" content=\"").Append(E(csrf)).Append("\">\n");
        }

        html.Append("<title>").Append(E(title)).Append(" · Recorder</title>\n")
            .Append("<link rel=\"icon\" href=\"").Append(DashboardPaths.Assets).Append("/favicon.svg\" type=\"image/svg+xml\">\n")
            .Append("<link rel=\"stylesheet\" href=\"").Append(DashboardPaths.Assets).Append("/app.css\">\n")
            .Append("<script type=\"module\" src=\"").Append(DashboardPaths.Assets).Append("/app.js\"></script>\n");
        if (module is not null)
        {
            html.Append("<script type=\"module\" src=\"").Append(DashboardPaths.Assets).Append('/').Append(E(module)).Append(".js\"></script>\n");
        }

        var permissions = caller is null ? string.Empty : string.Join(' ', Permissions.Names.Where(p => caller.Has(p.Value)).Select(p => p.Key));
        html.Append("</head>\n<body data-page=\"").Append(E(id)).Append("\" data-user=\"").Append(E(caller?.Name))
            .Append("\" data-role=\"").Append(E(caller?.User.Role)).Append("\" data-permissions=\"").Append(E(permissions)).Append("\">\n")
            .Append("<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"top\">\n")
            .Append("<a class=\"brand\" href=\"").Append(DashboardPaths.Root).Append("/\">Recorder</a>\n");
        if (caller is not null)
        {
            html.Append("<nav aria-label=\"Main\"><ul>\n");
            foreach (var entry in Navigation.Where(e => e.AnyOf.Length == 0 || e.AnyOf.Any(caller.Has)))
            {
                var here = current is { } path && path.StartsWithSegments(entry.Path, StringComparison.Ordinal);
                html.Append("<li><a href=\"").Append(entry.Path).Append('"').Append(here ? " aria-current=\"page\"" : string.Empty)
                    .Append('>').Append(E(entry.Label)).Append("</a></li>\n");
            }

            html.Append("</ul></nav>\n<div class=\"who\"><span class=\"user\">").Append(E(caller.Name))
                .Append(" <span class=\"role\">(").Append(E(caller.User.Role)).Append(")</span></span>\n")
                .Append("<button type=\"button\" id=\"theme-toggle\" class=\"quiet\">Theme: auto</button>\n")
                .Append("<button type=\"button\" id=\"sign-out\" class=\"quiet\">Sign out</button></div>\n");
        }

        html.Append("</header>\n<main id=\"main\" tabindex=\"-1\">\n<h1>").Append(E(title)).Append("</h1>\n")
            .Append(main)
            .Append("\n</main>\n<footer><p>Times are UTC unless marked otherwise. Every action here is recorded in the custody ledger.</p></footer>\n</body>\n</html>\n");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
