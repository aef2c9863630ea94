using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;

namespace Recorder.Api.Security;

/// <summary>
/// Signing a browser in to the Hangfire dashboard: <c>GET /dashboard/login</c> is a form for the
/// administrator's token, <c>POST /dashboard/login</c> checks it as the request gate checks a bearer
/// token (a revoked token or a role without <c>dashboard</c> is refused and ledgered under its user)
/// and starts a <see cref="DashboardSessions"/> session; <c>/hangfire/logout</c> (under the cookie's
/// path, so the browser sends it there) ends it.
/// Sign-ins and sign-outs are ledgered. These pages answer without a token: they are how one is given.
/// </summary>
internal static class DashboardLogin
{
    /// <summary>Where browsers without a session are sent.</summary>
    public const string Path = "/dashboard/login";

    /// <summary>Ends the browser's session.</summary>
    public const string LogoutPath = DashboardGuard.Path + "/logout";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, () => Page(StatusCodes.Status200OK, null)).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost(Path, SignInAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapMethods(LogoutPath, [HttpMethods.Get, HttpMethods.Post], SignOut).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> SignInAsync(HttpContext http, ServiceRuntime runtime)
    {
        // Only the URL-encoded form the page posts: a multipart body is never parsed for an
        // anonymous caller (a broken one would otherwise fail deep inside the form reader).
        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.InvalidField("Content-Type", "the token must be sent from the form (application/x-www-form-urlencoded)", http.Request.Path);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var token = form["token"].ToString().Trim();
        if (token.Length == 0 || token.Length > 512)
        {
            return Page(StatusCodes.Status400BadRequest, "Paste the token that recorder user add printed.");
        }

        var authentication = runtime.Users.Authenticate(token);
        if (authentication.RevokedUser is { } revoked)
        {
            RequestGate.Refused(http, runtime, revoked.Name, revoked.Role, StatusCodes.Status401Unauthorized, "dashboard sign-in with a revoked token", null);
            return Page(StatusCodes.Status401Unauthorized, "This token was revoked.");
        }

        if (authentication.User is not { } user)
        {
            return Page(StatusCodes.Status401Unauthorized, "This token is not valid.");
        }

        if (!runtime.Policies.Roles.TryGetValue(user.Role, out var role) || !role.Has(Permission.Dashboard))
        {
            var needed = Permissions.Name(Permission.Dashboard);
            RequestGate.Refused(http, runtime, user.Name, user.Role, StatusCodes.Status403Forbidden, $"role '{user.Role}' lacks {needed}", needed);
            return Page(StatusCodes.Status403Forbidden, $"Your role '{user.Role}' may not open the jobs dashboard.");
        }

        SessionCookie.SignIn(http, runtime, user, "jobs-dashboard sign-in");
        return Results.Redirect(DashboardGuard.Path);
    }

    private static IResult SignOut(HttpContext http, ServiceRuntime runtime)
    {
        SessionCookie.SignOut(http, runtime);
        return Results.Redirect(Path);
    }

    private static IResult Page(int status, string? message)
    {
        var notice = message is null ? string.Empty : $"<p class=\"error\">{WebUtility.HtmlEncode(message)}</p>";
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Recorder: jobs dashboard sign-in</title>
            <style>
            body { font-family: sans-serif; max-width: 32rem; margin: 4rem auto; color: #222; }
            input[type=password] { width: 100%; padding: .5rem; font-family: monospace; }
            button { margin-top: 1rem; padding: .5rem 1.5rem; }
            .error { color: #a00; }
            </style>
            </head>
            <body>
            <h1>Recorder jobs dashboard</h1>
            <p>Sign in with an administrator's token (from <code>recorder user add</code>). The session lasts
            {{DashboardSessions.Lifetime.TotalHours}} hours, ends at <a href="{{LogoutPath}}">{{LogoutPath}}</a>, when the token
            is revoked or when the service restarts, and is recorded in the custody ledger.</p>
            {{notice}}
            <form method="post" action="{{Path}}">
            <label for="token">Token</label>
            <input type="password" id="token" name="token" autocomplete="off" required>
            <button type="submit">Sign in</button>
            </form>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
