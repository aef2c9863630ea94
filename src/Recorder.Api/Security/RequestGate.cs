using System.Security.Claims;
using System.Text.Json.Nodes;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Users;
using Recorder.Core.Store;

namespace Recorder.Api.Security;

/// <summary>Endpoint metadata: the caller must hold at least one of these permissions (an empty list: any authenticated user).</summary>
/// <param name="AnyOf">The permissions, any of which admits the caller.</param>
public sealed record PermissionRequirement(IReadOnlyList<Permission> AnyOf);

/// <summary>The authenticated caller of a request.</summary>
/// <param name="User">The user.</param>
/// <param name="Role">Their role's policy.</param>
public sealed record Caller(ServiceUser User, RolePolicy Role)
{
    /// <summary>The user's name.</summary>
    public string Name => User.Name;

    /// <summary>True when the role holds <paramref name="permission"/>.</summary>
    public bool Has(Permission permission) => Role.Has(permission);
}

/// <summary>Attaching permission requirements to endpoints.</summary>
public static class PermissionEndpointExtensions
{
    /// <summary>
    /// Admits callers holding any of <paramref name="anyOf"/> (none: any authenticated caller). The
    /// OpenAPI document lists what <see cref="RequestGate"/> then answers: 401 without a valid token,
    /// 403 for a role that lacks the permission (or is not defined in the policies in force).
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, params Permission[] anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PermissionRequirement(anyOf),
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));

    /// <summary>What every endpoint reading a JSON body (<c>RequestBody.ReadObjectAsync</c>) can answer: 400, 413, 415.</summary>
    public static RouteHandlerBuilder ReadsJsonBody<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Accepts<TBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    /// <summary>The request's authenticated caller (set by <see cref="RequestGate"/>).</summary>
    public static Caller Caller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("no authenticated caller: the endpoint lacks a permission requirement");
    }
}

/// <summary>
/// Authenticates and authorises every request before it reaches an endpoint: <c>Authorization:
/// Bearer TOKEN</c> is looked up by its SHA-256 among the service's users (without the header, a
/// browser's dashboard session stands for the user it was started for, and a change must carry the
/// session's anti-forgery token); the endpoint's
/// <see cref="PermissionRequirement"/> is checked against the user's role. Only endpoints marked
/// <see cref="IAllowAnonymous"/> (<c>/health</c>, the dashboard sign-in pages) answer without a token; an endpoint with neither
/// marker is refused, so a new endpoint is closed until someone decides who may use it. Every
/// refusal that names a user (a revoked token, a role lacking the permission) is a ledger entry.
/// </summary>
public sealed class RequestGate(RequestDelegate next, ServiceRuntime runtime)
{
    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        Authentication authentication;
        SessionInfo? session = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7)
        {
            var token = header[7..].Trim();
            if (runtime.Jwt is { } jwt && JwtAuthenticator.LooksLikeJwt(token))
            {
                var (jwtUser, error) = await jwt.AuthenticateAsync(token, runtime.Policies.Roles.Keys.ToList(), runtime.Clock).ConfigureAwait(false);
                if (jwtUser is { } named && runtime.Users.List().Any(u => u.Name == named.Name))
                {
                    (jwtUser, error) = (null, $"the identity provider's user '{named.Name}' has the name of a local user");
                }

                if (jwtUser is null)
                {
                    await Unauthorized(context, error!, "invalid_token").ConfigureAwait(false);
                    return;
                }

                authentication = new Authentication(jwtUser, null);
            }
            else
            {
                authentication = runtime.Users.Authenticate(token);
            }
        }
        else if (header.Length == 0 && runtime.DashboardSessions.Find(context.Request.Cookies[DashboardSessions.CookieName]) is { } found)
        {
            // A browser signed in at /ui/signin (or /dashboard/login): the session stands for its user.
            session = found;
            authentication = SessionCookie.UserOf(found, runtime);
        }
        else if (header.Length == 0 && HttpMethods.IsGet(context.Request.Method) && (IsDashboard(context.Request.Path) || IsPage(endpoint)))
        {
            context.Response.Redirect(Dashboard.DashboardPaths.SignIn + "?next=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
            return;
        }
        else
        {
            await Unauthorized(context, "a bearer token is required (Authorization: Bearer TOKEN), or a dashboard session (sign in at /ui/signin)", null).ConfigureAwait(false);
            return;
        }

        if (authentication.RevokedUser is { } revoked)
        {
            Refused(context, revoked.Name, revoked.Role, StatusCodes.Status401Unauthorized, "the token was revoked", null);
            if (session is not null)
            {
                // The session ends with its token: the browser is told so and sent to sign in again.
                runtime.DashboardSessions.End(context.Request.Cookies[DashboardSessions.CookieName]);
                context.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { Path = DashboardSessions.CookiePath });
                if (HttpMethods.IsGet(context.Request.Method) && (IsDashboard(context.Request.Path) || IsPage(endpoint)))
                {
                    context.Response.Redirect(Dashboard.DashboardPaths.SignIn + "?ended=revoked");
                    return;
                }
            }

            await Unauthorized(context, "the token was revoked", "invalid_token").ConfigureAwait(false);
            return;
        }

        if (authentication.User is not { } user)
        {
            await Unauthorized(context, "the token is not valid", "invalid_token").ConfigureAwait(false);
            return;
        }

        if (!runtime.Policies.Roles.TryGetValue(user.Role, out var role))
        {
            Refused(context, user.Name, user.Role, StatusCodes.Status403Forbidden, $"role '{user.Role}' is not defined in the policies in force", null);
            await Problems.Forbidden($"your role '{user.Role}' is not defined in the policies in force", context.Request.Path)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (session is not null && !IsSafe(context.Request.Method) && !IsDashboard(context.Request.Path)
            && !session.CsrfMatches(context.Request.Headers[DashboardSessions.CsrfHeader].ToString()))
        {
            // A change made with the session cookie must come from the dashboard's own pages, which
            // send the session's anti-forgery token; SameSite=Strict alone is not relied on. (The jobs
            // dashboard's only POST let through, its statistics poll, reads nothing but counters.)
            var why = $"the request lacks the session's anti-forgery token ({DashboardSessions.CsrfHeader})";
            Refused(context, user.Name, user.Role, StatusCodes.Status403Forbidden, why, null);
            await Problems.Forbidden(why, context.Request.Path).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var caller = new Caller(user, role);
        context.Items[typeof(Caller)] = caller;
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], "Bearer"));
        var requirement = endpoint.Metadata.GetMetadata<PermissionRequirement>();
        if (requirement is null && IsRoutingRefusal(endpoint))
        {
            // Routing found the path but not for this method or content type: its own endpoint
            // answers 405 or 415, and the status-code problems give that answer a body.
            await next(context).ConfigureAwait(false);
            return;
        }

        if (requirement is null)
        {
            Refused(context, user.Name, user.Role, StatusCodes.Status403Forbidden, "the endpoint has no permission requirement", null);
            await Problems.Forbidden("this endpoint is closed", context.Request.Path).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (requirement.AnyOf.Count > 0 && !requirement.AnyOf.Any(role.Has))
        {
            var needed = string.Join(" or ", requirement.AnyOf.Select(Permissions.Name));
            Refused(context, user.Name, user.Role, StatusCodes.Status403Forbidden, $"role '{user.Role}' lacks {needed}", needed);
            if (IsPage(endpoint) || IsBrowserNavigation(context.Request))
            {
                // A dashboard page, or an API address typed into (or linked to in) a browser: the refusal
                // is a page the browser shows. A JSON body is not shown by every browser (Firefox offers
                // application/problem+json as a download and, for an error status, shows a network error).
                await Dashboard.DashboardPage.Forbidden(caller, needed).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await Problems.Forbidden($"your role '{user.Role}' lacks the permission {needed}", context.Request.Path).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// True for the endpoints ASP.NET Core's matcher policies make when a path exists but not for
    /// the request's method (405) or content type (415): they carry no metadata and only set a
    /// status code. They are not a closed endpoint of ours, and must not be answered as one.
    /// </summary>
    private static bool IsRoutingRefusal(Endpoint endpoint) =>
        endpoint.Metadata.Count == 0 && endpoint.DisplayName is "405 HTTP Method Not Supported" or "415 HTTP Unsupported Media Type";

    private static bool IsDashboard(PathString path) => path.StartsWithSegments(DashboardGuard.Path, StringComparison.Ordinal);

    /// <summary>
    /// A browser loading a document (the address bar, a link, a download): the Fetch Metadata headers
    /// every current browser sends. API clients and the pages' own fetch() calls do not send them.
    /// </summary>
    private static bool IsBrowserNavigation(HttpRequest request) =>
        request.Headers["Sec-Fetch-Mode"] == "navigate" && request.Headers["Sec-Fetch-Dest"] == "document";

    private static bool IsPage(Endpoint endpoint) => endpoint.Metadata.GetMetadata<Dashboard.DashboardPageMarker>() is not null;

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>Records a refusal that names a user (401 for a revoked token, 403 for a missing permission).</summary>
    public static void Refused(HttpContext context, ServiceRuntime runtime, string userName, string role, int status, string why, string? permission,
        string? queryId = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(runtime);
        var path = context.Request.Path.Value ?? string.Empty;
        var subjects = new JsonObject();
        if (queryId is not null)
        {
            subjects["queryId"] = queryId;
        }

        runtime.Ledger.Record(userName, LedgerActions.RequestRefused, subjects, null, new JsonObject
        {
            ["method"] = context.Request.Method,
            ["path"] = path.Length > 512 ? path[..512] : path,
            ["status"] = status,
            ["role"] = role,
            ["permission"] = permission,
            ["reason"] = why,
            ["remoteAddress"] = context.Connection.RemoteIpAddress?.ToString(),
            ["node"] = runtime.NodeName,
        });
    }

    private void Refused(HttpContext context, string userName, string role, int status, string why, string? permission) =>
        Refused(context, runtime, userName, role, status, why, permission);

    private static Task Unauthorized(HttpContext context, string detail, string? error)
    {
        context.Response.Headers.WWWAuthenticate = error is null ? "Bearer realm=\"recorder\"" : $"Bearer realm=\"recorder\", error=\"{error}\"";
        return Problems.Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized", detail, context.Request.Path).ExecuteAsync(context);
    }
}

/// <summary>
/// The dashboard's own authorization filter: the request gate has already authenticated the
/// caller; this admits only roles holding <see cref="Permission.Dashboard"/> (Hangfire's default
/// filter would admit local requests, whoever sends them).
/// </summary>
public sealed class DashboardPermissionFilter : IDashboardAuthorizationFilter
{
    /// <inheritdoc />
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        return http.Items[typeof(Caller)] is Caller caller && caller.Has(Permission.Dashboard);
    }
}
