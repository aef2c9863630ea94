using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Recorder.Api.Hosting;
using Recorder.Api.Users;
using Recorder.Core.Store;

namespace Recorder.Api.Security;

/// <summary>
/// Starting and ending a browser session (<see cref="DashboardSessions"/>): the cookie and the ledger
/// entry, the same for every way of signing in (a local user's token, the identity provider).
/// </summary>
public static class SessionCookie
{
    /// <summary>
    /// Starts a session for <paramref name="user"/>: sets the HttpOnly, SameSite=Strict cookie and
    /// records <c>dashboard.signed-in</c> with how the user signed in (<paramref name="via"/>).
    /// A provider's user passes <paramref name="providerExpires"/> (when their identity token ends).
    /// </summary>
    public static DateTimeOffset SignIn(HttpContext http, ServiceRuntime runtime, ServiceUser user, string via, DateTimeOffset? providerExpires = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(user);
        var (secret, expires) = providerExpires is { } until ? runtime.DashboardSessions.Start(user, until) : runtime.DashboardSessions.Start(user);
        http.Response.Cookies.Append(DashboardSessions.CookieName, secret, new CookieOptions
        {
            Path = DashboardSessions.CookiePath,
            HttpOnly = true,
            Secure = http.Request.IsHttps,

            // Never sent with a request another site starts; the pages also send the session's
            // anti-forgery token with every change (checked by the request gate).
            SameSite = SameSiteMode.Strict,
            Expires = expires,
            IsEssential = true,
        });
        runtime.Ledger.Record(user.Name, LedgerActions.DashboardSignedIn, new JsonObject(), null, new JsonObject
        {
            ["via"] = via,
            ["role"] = user.Role,
            ["expires"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["remoteAddress"] = http.Connection.RemoteIpAddress?.ToString(),
            ["node"] = runtime.NodeName,
        });
        return expires;
    }

    /// <summary>The user of the request's live session, if any (a revoked token's session has none).</summary>
    public static ServiceUser? UserOf(HttpContext http, ServiceRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(runtime);
        return runtime.DashboardSessions.Find(http.Request.Cookies[DashboardSessions.CookieName]) is { } session
            ? UserOf(session, runtime).User
            : null;
    }

    /// <summary>Who a session stands for, resolved again now (so a revoked token ends it at once).</summary>
    public static Authentication UserOf(SessionInfo session, ServiceRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(runtime);
        return session.ProviderUser is { } provider
            ? new Authentication(provider, null)
            : runtime.Users.AuthenticateHash(session.TokenSha256!);
    }

    /// <summary>Ends the request's session (recording <c>dashboard.signed-out</c> when it named a user) and deletes the cookie.</summary>
    public static void SignOut(HttpContext http, ServiceRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(runtime);
        var secret = http.Request.Cookies[DashboardSessions.CookieName];
        if (runtime.DashboardSessions.Find(secret) is { } session && UserOf(session, runtime).User is { } user)
        {
            runtime.Ledger.Record(user.Name, LedgerActions.DashboardSignedOut, new JsonObject(), null, new JsonObject { ["node"] = runtime.NodeName });
        }

        runtime.DashboardSessions.End(secret);
        http.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { Path = DashboardSessions.CookiePath });
    }
}
