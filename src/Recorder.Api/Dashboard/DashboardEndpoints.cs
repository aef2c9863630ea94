using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Security;

namespace Recorder.Api.Dashboard;

/// <summary>
/// The investigator's dashboard, served by the service itself at <c>/ui</c>: sign-in and sign-out,
/// the home page and the shipped assets. Each page is a thin layout over the same API endpoints
/// scripts use, behind the same request gate and permissions (a page a role may not open is refused
/// and ledgered like an API call).
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Maps the dashboard's own endpoints (pages of each area map themselves).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", () => Results.Redirect(DashboardPaths.Root + "/")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(DashboardPaths.Assets + "/{**path}", (HttpContext http, string path) => DashboardAssets.Serve(http, path))
            .AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(DashboardPaths.SignIn, SignInPage).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost(DashboardPaths.SignIn, SignInAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost(DashboardPaths.SignOut, (HttpContext http, ServiceRuntime runtime) =>
        {
            SessionCookie.SignOut(http, runtime);
            return Results.NoContent();
        }).RequirePermission().ExcludeFromDescription();
        // Routing ignores a trailing slash: this is both /ui and /ui/.
        endpoints.MapGet(DashboardPaths.Root, Home).WithMetadata(new DashboardPageMarker()).RequirePermission().ExcludeFromDescription();
    }

    private static IResult Home(HttpContext http)
    {
        var caller = http.Caller();
        var cards = new StringBuilder("<p>Signed in as <strong>")
            .Append(DashboardPage.E(caller.Name)).Append("</strong>, role <strong>").Append(DashboardPage.E(caller.User.Role))
            .Append("</strong>. What your role may do:</p>\n<ul class=\"cards\">\n");
        foreach (var entry in DashboardPage.Navigation.Where(e => e.AnyOf.Length == 0 || e.AnyOf.Any(caller.Has)))
        {
            cards.Append("<li class=\"card\"><h2><a href=\"").Append(entry.Path).Append("\">").Append(DashboardPage.E(entry.Label))
                .Append("</a></h2><p>").Append(DashboardPage.E(entry.Description)).Append("</p></li>\n");
        }

        cards.Append("</ul>\n");
        return DashboardPage.Render(http, "home", "Dashboard", cards.ToString());
    }

    private static IResult SignInPage(HttpContext http, ServiceRuntime runtime)
    {
        var next = http.Request.Query["next"].ToString();
        var ended = http.Request.Query["ended"].ToString();
        var notice = ended switch
        {
            "revoked" => "Your session ended: the token it was started with was revoked.",
            "signed-out" => "You are signed out.",
            _ => null,
        };
        return SignInForm(StatusCodes.Status200OK, DashboardPaths.IsLocal(next) ? next : null, notice, error: false, runtime.Oidc?.Options.DisplayName);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, ServiceRuntime runtime)
    {
        // Only this service's own sign-in form: a form another site posts is refused before it is read.
        if (!IsSameOrigin(http))
        {
            return Problems.Forbidden("the sign-in form must be sent from this service's own page", http.Request.Path);
        }

        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.InvalidField("Content-Type", "the token must be sent from the sign-in form (application/x-www-form-urlencoded)", http.Request.Path);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var token = form["token"].ToString().Trim();
        var next = form["next"].ToString();
        next = DashboardPaths.IsLocal(next) ? next : null;
        if (token.Length == 0 || token.Length > 512)
        {
            return SignInForm(StatusCodes.Status400BadRequest, next, "Paste the token that recorder user add printed.", error: true, runtime.Oidc?.Options.DisplayName);
        }

        var authentication = runtime.Users.Authenticate(token);
        if (authentication.RevokedUser is { } revoked)
        {
            RequestGate.Refused(http, runtime, revoked.Name, revoked.Role, StatusCodes.Status401Unauthorized, "dashboard sign-in with a revoked token", null);
            return SignInForm(StatusCodes.Status401Unauthorized, next, "This token was revoked.", error: true, runtime.Oidc?.Options.DisplayName);
        }

        if (authentication.User is not { } user)
        {
            return SignInForm(StatusCodes.Status401Unauthorized, next, "This token is not valid.", error: true, runtime.Oidc?.Options.DisplayName);
        }

        if (!runtime.Policies.Roles.ContainsKey(user.Role))
        {
            RequestGate.Refused(http, runtime, user.Name, user.Role, StatusCodes.Status403Forbidden, $"dashboard sign-in: role '{user.Role}' is not defined in the policies in force", null);
            return SignInForm(StatusCodes.Status403Forbidden, next, $"Your role '{user.Role}' is not defined in the policies in force.", error: true, runtime.Oidc?.Options.DisplayName);
        }

        SessionCookie.SignIn(http, runtime, user, "token");
        return Results.Redirect(next ?? DashboardPaths.Root + "/");
    }

    /// <summary>True when the request says it comes from this origin (or says nothing, as non-browser clients do).</summary>
    internal static bool IsSameOrigin(HttpContext http)
    {
        var site = http.Request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = http.Request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The sign-in page with a notice (<paramref name="error"/>: an alert) and, when the service is
    /// configured for it, the link to sign in at the identity provider (<paramref name="provider"/>).
    /// </summary>
    internal static IResult SignInForm(int status, string? next, string? message, bool error, string? provider)
    {
        var main = new StringBuilder();
        if (message is not null)
        {
            main.Append("<p class=\"notice ").Append(error ? "notice-error\" role=\"alert\"" : "notice-info\" role=\"status\"").Append('>')
                .Append(DashboardPage.E(message)).Append("</p>\n");
        }

        main.Append("<form method=\"post\" action=\"").Append(DashboardPaths.SignIn).Append("\" class=\"signin\">\n")
            .Append("<p>Paste your token (from <code>recorder user add</code>) once. The browser then keeps a session cookie that scripts cannot read; the token is never stored by the browser. The session lasts ")
            .Append(DashboardSessions.Lifetime.TotalHours).Append(" hours, ends when you sign out, when the token is revoked or when the service restarts, and sign-ins and sign-outs are recorded in the custody ledger.</p>\n")
            .Append("<label for=\"token\">Token</label>\n<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required autofocus>\n");
        if (next is not null)
        {
            main.Append("<input type=\"hidden\" name=\"next\" value=\"").Append(DashboardPage.E(next)).Append("\">\n");
        }

        main.Append("<button type=\"submit\">Sign in</button>\n</form>\n");
        if (provider is not null)
        {
            var start = DashboardPaths.OidcSignIn + (next is null ? string.Empty : "?next=" + Uri.EscapeDataString(next));
            main.Append("<p class=\"signin-provider\">Or <a href=\"").Append(DashboardPage.E(start)).Append("\">Sign in with ")
                .Append(DashboardPage.E(provider)).Append("</a> (your organisation's account; the sign-in is recorded in the custody ledger under your name there).</p>\n");
        }

        return DashboardPage.Anonymous(status, "Sign in", "signin", main.ToString());
    }
}
