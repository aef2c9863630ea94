namespace Recorder.Api.Dashboard;

/// <summary>Where the dashboard lives.</summary>
public static class DashboardPaths
{
    /// <summary>The dashboard's root (its home page).</summary>
    public const string Root = "/ui";

    /// <summary>The sign-in page (and, POSTed, the sign-in itself).</summary>
    public const string SignIn = Root + "/signin";

    /// <summary>Starts the identity provider's sign-in (OIDC authorization code flow with PKCE).</summary>
    public const string OidcSignIn = SignIn + "/oidc";

    /// <summary>Where the identity provider sends the browser back (the default redirect URI's path).</summary>
    public const string OidcCallback = OidcSignIn + "/callback";

    /// <summary>Ends the browser's session (POST, with the anti-forgery token).</summary>
    public const string SignOut = Root + "/signout";

    /// <summary>The shipped scripts, styles and page fragments.</summary>
    public const string Assets = Root + "/assets";

    /// <summary>
    /// True for a local path the sign-in may send the browser on to: one of this service's own
    /// paths, never another origin (<c>//host</c>, <c>/\host</c>) or a scheme.
    /// </summary>
    public static bool IsLocal(string? next) =>
        !string.IsNullOrEmpty(next) && next.Length <= 2048 && next[0] == '/'
        && (next.Length == 1 || (next[1] != '/' && next[1] != '\\')) && !next.Any(char.IsControl);
}

/// <summary>Endpoint metadata: the endpoint is a dashboard page (HTML for browsers: sign-in redirects and refusal pages, not problem documents).</summary>
public sealed class DashboardPageMarker;
