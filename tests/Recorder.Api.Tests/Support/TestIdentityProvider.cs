using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Recorder.Api.Tests.Support;

/// <summary>
/// A small OpenID Connect provider on Kestrel (127.0.0.1) for tests: its authorization endpoint
/// signs in <see cref="User"/> at once and sends the browser back with a code; its token endpoint
/// checks the client's secret, the redirect URI and the PKCE verifier against the S256 challenge
/// (RFC 7636 section 4.6), and issues an RS256-signed identity token carrying the nonce. Knobs make
/// it issue bad tokens (another nonce, another audience, already expired).
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Issuer = "https://idp.example.test/realms/soc";
    public const string ClientId = "recorder-dashboard";
    public const string ClientSecret = "a-client-secret-for-tests";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private TestIdentityProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public string AuthorizationEndpoint => new Uri(BaseAddress, "/authorize").ToString();

    public string TokenEndpoint => new Uri(BaseAddress, "/token").ToString();

    /// <summary>Who the provider signs in next: the name claim and the roles claim.</summary>
    public (string Name, string[] Roles) User { get; set; } = ("Carol", ["investigator"]);

    public string? NonceOverride { get; set; }

    public string? AudienceOverride { get; set; }

    public DateTime? ExpiresOverride { get; set; }

    /// <summary>What the token endpoint refused, in order (error codes with why).</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>The parameters of the last authorization request.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorization { get; private set; } = new Dictionary<string, string>();

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var provider = new TestIdentityProvider();
        await provider._app.StartAsync();
        provider.BaseAddress = new Uri(provider._app.Urls.First());
        return provider;
    }

    /// <summary>Writes the provider's public key as PEM (what <c>--jwt-keys</c> names).</summary>
    public void WriteKeys(string path) => File.WriteAllText(path, _key.ExportSubjectPublicKeyInfoPem());

    /// <summary>Resets the knobs to an honest provider signing in <paramref name="name"/>.</summary>
    public void Reset(string name = "Carol", params string[] roles)
    {
        User = (name, roles.Length > 0 ? roles : ["investigator"]);
        (NonceOverride, AudienceOverride, ExpiresOverride) = (null, null, null);
    }

    private IResult Authorize(HttpContext http)
    {
        var query = http.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        LastAuthorization = query;
        if (query.GetValueOrDefault("response_type") != "code" || query.GetValueOrDefault("client_id") != ClientId
            || query.GetValueOrDefault("code_challenge_method") != "S256" || string.IsNullOrEmpty(query.GetValueOrDefault("code_challenge"))
            || !(query.GetValueOrDefault("scope") ?? string.Empty).Split(' ').Contains("openid"))
        {
            return Results.BadRequest("bad authorization request");
        }

        var code = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new Grant(query["code_challenge"], query["redirect_uri"], query.GetValueOrDefault("nonce"), User);
        return Results.Redirect(QueryHelpers.AddQueryString(query["redirect_uri"], new Dictionary<string, string?> { ["code"] = code, ["state"] = query.GetValueOrDefault("state") }));
    }

    private async Task<IResult> TokenAsync(HttpContext http)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret));
        if (http.Request.Headers.Authorization.ToString() != expected)
        {
            return Refuse("invalid_client", "client authentication failed", StatusCodes.Status401Unauthorized);
        }

        var form = await http.Request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant))
        {
            return Refuse("invalid_grant", "unknown or used code", StatusCodes.Status400BadRequest);
        }

        if (form["redirect_uri"] != grant.RedirectUri)
        {
            return Refuse("invalid_grant", "redirect_uri differs from the authorization request", StatusCodes.Status400BadRequest);
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (verifier.Length < 43 || challenge != grant.Challenge)
        {
            return Refuse("invalid_grant", "PKCE verification failed", StatusCodes.Status400BadRequest);
        }

        var claims = new List<Claim> { new("preferred_username", grant.User.Name), new("sub", Guid.NewGuid().ToString()) };
        claims.AddRange(grant.User.Roles.Select(r => new Claim("roles", r)));
        if ((NonceOverride ?? grant.Nonce) is { } nonce)
        {
            claims.Add(new Claim("nonce", nonce));
        }

        var end = ExpiresOverride ?? TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(30);
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = AudienceOverride ?? ClientId,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = end.AddMinutes(-40),
            NotBefore = end.AddMinutes(-40),
            Expires = end,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key), SecurityAlgorithms.RsaSha256),
        });
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new Dictionary<string, object> { ["access_token"] = "opaque", ["token_type"] = "Bearer", ["expires_in"] = 300, ["id_token"] = idToken });
    }

    private IResult Refuse(string error, string description, int status)
    {
        Refusals.Enqueue(error + ": " + description);
        return Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private sealed record Grant(string Challenge, string RedirectUri, string? Nonce, (string Name, string[] Roles) User);
}

/// <summary>A browser without a browser: follows nothing by itself and keeps cookies by hand, so a test sees (and may tamper with) every step.</summary>
public sealed class HandBrowser : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>Cookies by name (all paths; the tests use few).</summary>
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public async Task<HttpResponseMessage> GetAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => c.Key + "=" + c.Value)));
        }

        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var header in set)
            {
                var pair = header.Split(';')[0];
                var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    Cookies.Remove(name);
                }
                else
                {
                    Cookies[name] = value;
                }
            }
        }

        return response;
    }

    public static Uri Next(HttpResponseMessage response, Uri from) =>
        new(from, response.Headers.Location ?? throw new InvalidOperationException($"no redirect: {(int)response.StatusCode}"));

    public void Dispose() => _http.Dispose();
}
