using System.Net;

namespace Recorder.Api.Security;

/// <summary>
/// The identity provider's browser sign-in for the dashboard (OpenID Connect authorization code flow
/// with PKCE; see docs/service.md). The provider's issuer, signing keys and claims are the
/// <see cref="JwtOptions"/> the service already has; its identity tokens are for
/// <see cref="ClientId"/>. The endpoints are given explicitly: the service makes no network lookup
/// but the token exchange itself.
/// </summary>
public sealed record OidcOptions
{
    /// <summary>The provider's authorization endpoint (where the browser is sent to sign in).</summary>
    public required string AuthorizationEndpoint { get; init; }

    /// <summary>The provider's token endpoint (where the service exchanges the code).</summary>
    public required string TokenEndpoint { get; init; }

    /// <summary>The client id Recorder is registered under at the provider (the identity token's audience).</summary>
    public required string ClientId { get; init; }

    /// <summary>A file holding the client secret (a confidential client, sent as HTTP Basic); null: a public client.</summary>
    public string? ClientSecretPath { get; init; }

    /// <summary>The redirect URI registered at the provider; null: <c>SCHEME://HOST/ui/signin/oidc/callback</c> of the request.</summary>
    public string? RedirectUri { get; init; }

    /// <summary>Scopes asked for besides <c>openid</c>.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["profile"];

    /// <summary>The provider's name on the sign-in page ("Sign in with …").</summary>
    public string DisplayName { get; init; } = "the identity provider";

    /// <summary>How long the token exchange may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Endpoint("oidc authorization endpoint", AuthorizationEndpoint);
        Endpoint("oidc token endpoint", TokenEndpoint);
        if (string.IsNullOrWhiteSpace(ClientId) || ClientId.Length > 256 || ClientId.Any(char.IsControl))
        {
            throw new ArgumentException("oidc client id: required, at most 256 characters");
        }

        if (RedirectUri is not null)
        {
            Endpoint("oidc redirect uri", RedirectUri);
        }

        foreach (var scope in Scopes)
        {
            // RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if (scope.Length == 0 || scope.Any(c => c < 0x21 || c > 0x7E || c == '"' || c == '\\'))
            {
                throw new ArgumentException($"oidc scopes: '{scope}' is not a scope (printable ASCII without spaces, quotes or backslashes)");
            }
        }

        if (string.IsNullOrWhiteSpace(DisplayName) || DisplayName.Length > 100)
        {
            throw new ArgumentException("oidc display name: required, at most 100 characters");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(2))
        {
            throw new ArgumentException($"oidc timeout must be above 0 and at most 2 minutes, not {Timeout}");
        }
    }

    /// <summary>An absolute https:// address (http:// only on loopback, where nothing can listen in), without a fragment.</summary>
    private static void Endpoint(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{name}: '{value}' is not an https:// address");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !(uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            throw new ArgumentException($"{name}: '{value}' must be https:// (plain http:// only on loopback)");
        }

        if (uri.Fragment.Length > 0)
        {
            throw new ArgumentException($"{name}: '{value}' must not have a fragment (#...)");
        }
    }
}
