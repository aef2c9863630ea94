using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Recorder.Api.Hosting;
using Recorder.Api.Security;

namespace Recorder.Api.Dashboard;

/// <summary>
/// Signing in to the dashboard at the site's identity provider (mapped only when the service is
/// configured for it): <c>GET /ui/signin/oidc</c> sends the browser to the provider,
/// <c>GET /ui/signin/oidc/callback</c> takes it back, checks the answer (<see cref="OidcSignIn"/>)
/// and starts a session for the provider's user, named and authorised exactly as the provider's
/// bearer JWTs are. Every refusal is the sign-in page with what went wrong; refusals that name a
/// user are ledgered as <c>request.refused</c>, sign-ins as <c>dashboard.signed-in</c> (via <c>oidc</c>).
/// </summary>
public static class OidcEndpoints
{
    /// <summary>Maps the two endpoints when the service is configured for the provider's sign-in.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetRequiredService<ServiceRuntime>().Oidc is null)
        {
            return;
        }

        endpoints.MapGet(DashboardPaths.OidcSignIn, Start).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(DashboardPaths.OidcCallback, CallbackAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult Start(HttpContext http, ServiceRuntime runtime)
    {
        var oidc = runtime.Oidc!;
        var next = http.Request.Query["next"].ToString();
        var redirectUri = oidc.Options.RedirectUri ?? $"{http.Request.Scheme}://{http.Request.Host}{DashboardPaths.OidcCallback}";
        if (oidc.Begin(redirectUri, DashboardPaths.IsLocal(next) ? next : null) is not { } started)
        {
            return Page(runtime, StatusCodes.Status429TooManyRequests, null, "Too many sign-ins are in progress; try again in a few minutes.");
        }

        http.Response.Cookies.Append(OidcSignIn.CookieName, started.Id, new CookieOptions
        {
            Path = DashboardPaths.OidcSignIn,
            HttpOnly = true,
            Secure = http.Request.IsHttps,

            // Lax, not Strict: the provider sends the browser back with a top-level navigation
            // another site starts, and a Strict cookie would not come with it. The cookie only
            // names the pending sign-in (its state, nonce and code verifier stay on the server).
            SameSite = SameSiteMode.Lax,
            MaxAge = OidcSignIn.PendingLifetime,
            IsEssential = true,
        });
        return Results.Redirect(started.AuthorizationUrl);
    }

    private static async Task<IResult> CallbackAsync(HttpContext http, ServiceRuntime runtime, IHttpClientFactory clients)
    {
        var oidc = runtime.Oidc!;
        var query = http.Request.Query;
        var pending = oidc.Take(http.Request.Cookies[OidcSignIn.CookieName]);
        http.Response.Cookies.Delete(OidcSignIn.CookieName, new CookieOptions { Path = DashboardPaths.OidcSignIn });
        if (pending is null)
        {
            return Page(runtime, StatusCodes.Status400BadRequest, null,
                $"This sign-in at {oidc.Options.DisplayName} is unknown, expired (after {OidcSignIn.PendingLifetime.TotalMinutes} minutes) or already used. Start again.");
        }

        // The state ties the answer to the sign-in this browser started (OAuth 2.0 CSRF
        // protection, RFC 6749 section 10.12); it is checked before anything else the answer says.
        if (!pending.StateMatches(query["state"].ToString()))
        {
            return Page(runtime, StatusCodes.Status400BadRequest, pending.Next, "The answer from the identity provider does not belong to the sign-in this browser started (state). Start again.");
        }

        if (query["error"].ToString() is { Length: > 0 } error)
        {
            var description = query["error_description"].ToString();
            description = description.Length > 200 ? description[..200] + "…" : description;
            return Page(runtime, StatusCodes.Status401Unauthorized, pending.Next,
                $"{oidc.Options.DisplayName} did not sign you in: {error}{(description.Length > 0 ? " (" + description + ")" : string.Empty)}.");
        }

        var code = query["code"].ToString();
        if (code.Length is 0 or > 4096)
        {
            return Page(runtime, StatusCodes.Status400BadRequest, pending.Next, "The identity provider sent no authorization code. Start again.");
        }

        var outcome = await oidc.CompleteAsync(clients.CreateClient(OidcSignIn.HttpClientName), pending, code, runtime.Policies.Roles.Keys.ToList(), http.RequestAborted)
            .ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            return Page(runtime, outcome.Status, pending.Next, outcome.Message!);
        }

        if (runtime.Users.List().Any(u => u.Name == user.Name))
        {
            // As for bearer JWTs: not ledgered under a name that is a local user's.
            return Page(runtime, StatusCodes.Status403Forbidden, pending.Next, $"The identity provider's user '{user.Name}' has the name of a local user of this service.");
        }

        if (!runtime.Policies.Roles.ContainsKey(user.Role))
        {
            RequestGate.Refused(http, runtime, user.Name, user.Role, StatusCodes.Status403Forbidden, $"dashboard sign-in (oidc): role '{user.Role}' is not defined in the policies in force", null);
            return Page(runtime, StatusCodes.Status403Forbidden, pending.Next, $"Your role '{user.Role}' is not defined in the policies in force.");
        }

        SessionCookie.SignIn(http, runtime, user, "oidc", outcome.Expires);
        return Results.Redirect(pending.Next ?? DashboardPaths.Root + "/");
    }

    private static IResult Page(ServiceRuntime runtime, int status, string? next, string message) =>
        DashboardEndpoints.SignInForm(status, next, message, error: true, runtime.Oidc?.Options.DisplayName);
}
