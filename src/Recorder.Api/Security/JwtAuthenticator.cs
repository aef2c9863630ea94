using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Recorder.Api.Users;
using Recorder.Core.Time;

namespace Recorder.Api.Security;

/// <summary>
/// Bearer JWTs from a site's identity provider (OIDC access tokens), accepted besides Recorder's own
/// tokens when configured. Checked offline: signature against the provider's public keys from a file
/// (PEM public keys or a JWKS document; no network lookups), issuer, audience and lifetime. The user
/// is <see cref="JwtOptions.NamePrefix"/> + the name claim, so a provider's users can never be
/// mistaken for local ones in the ledger; the role is the first value of the role claim that the
/// policies define.
/// </summary>
public sealed class JwtAuthenticator
{
    private readonly JwtOptions _options;
    private readonly TokenValidationParameters _parameters;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    private JwtAuthenticator(JwtOptions options, IReadOnlyList<SecurityKey> keys, TimeProvider clock)
    {
        _options = options;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKeys = keys,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
            ClockSkew = TimeSpan.FromMinutes(1),
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + parameters.ClockSkew && (notBefore is not { } start || now >= start - parameters.ClockSkew);
            },
        };
    }

    /// <summary>Loads the provider's keys; an unusable key file is an <see cref="ArgumentException"/> naming it.</summary>
    public static JwtAuthenticator Create(JwtOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new JwtAuthenticator(options, LoadKeys(options.KeysPath), clock);
    }

    /// <summary>True when <paramref name="token"/> has a JWT's shape (three base64url parts), so it is not one of Recorder's own tokens.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && !token.StartsWith("rec_", StringComparison.Ordinal);

    /// <summary>The user a valid token names (the role as claimed; the gate checks it against the policies), or why it is refused.</summary>
    public async Task<(ServiceUser? User, string? Error)> AuthenticateAsync(string token, IReadOnlyCollection<string> definedRoles, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(definedRoles);
        var (claims, error) = await ValidateAsync(token).ConfigureAwait(false);
        return claims is null ? (null, error) : UserOf(claims, token, definedRoles, clock);
    }

    /// <summary>The token's claims when its signature, issuer, audience and lifetime hold; otherwise why not.</summary>
    public async Task<(JsonWebToken? Claims, string? Error)> ValidateAsync(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        return result.IsValid
            ? ((JsonWebToken)result.SecurityToken, null)
            : (null, "the identity provider's token is not valid: " + (result.Exception?.GetType().Name ?? "rejected"));
    }

    /// <summary>
    /// The service user valid <paramref name="claims"/> name: <see cref="JwtOptions.NamePrefix"/> + the
    /// name claim in lower case, and the first role the policies define (else the first claimed).
    /// </summary>
    public (ServiceUser? User, string? Error) UserOf(JsonWebToken claims, string token, IReadOnlyCollection<string> definedRoles, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(definedRoles);
        var name = claims.Claims.FirstOrDefault(c => c.Type == _options.NameClaim)?.Value;
        var userName = _options.NamePrefix + name?.ToLowerInvariant();
        if (name is null || !UserDirectory.IsValidName(userName))
        {
            return (null, $"the token's '{_options.NameClaim}' claim is missing or not a user name (a-z 0-9 . _ -)");
        }

        var roles = claims.Claims.Where(c => c.Type == _options.RoleClaim).Select(c => c.Value).ToList();
        var role = roles.FirstOrDefault(definedRoles.Contains) ?? roles.FirstOrDefault() ?? "(none)";
        var issued = Timestamp.Now(clock).ToString();
        return (new ServiceUser(userName, role, "jwt:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), issued, _options.Issuer), null);
    }

    private static List<SecurityKey> LoadKeys(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"jwt keys: {path}: {e.Message}", e);
        }

        var keys = new List<SecurityKey>();
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                keys.AddRange(new JsonWebKeySet(text).GetSigningKeys());
            }
            catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
            {
                throw new ArgumentException($"jwt keys: {path}: not a JWKS document: {e.Message}", e);
            }
        }
        else
        {
            foreach (var block in PemBlocks(text))
            {
                keys.Add(PublicKey(path, block));
            }
        }

        return keys.Count > 0 ? keys : throw new ArgumentException($"jwt keys: {path}: no public key in it (PEM 'PUBLIC KEY' blocks or a JWKS document)");
    }

    private static IEnumerable<string> PemBlocks(string text)
    {
        const string begin = "-----BEGIN PUBLIC KEY-----";
        const string end = "-----END PUBLIC KEY-----";
        var at = 0;
        while ((at = text.IndexOf(begin, at, StringComparison.Ordinal)) >= 0)
        {
            var stop = text.IndexOf(end, at, StringComparison.Ordinal);
            if (stop < 0)
            {
                yield break;
            }

            yield return text[at..(stop + end.Length)];
            at = stop + end.Length;
        }
    }

    private static SecurityKey PublicKey(string path, string pem)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (CryptographicException)
        {
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"jwt keys: {path}: a PUBLIC KEY block is neither RSA nor EC: {e.Message}", e);
        }
    }
}

/// <summary>Where bearer JWTs come from and how they name users (see docs/service.md).</summary>
public sealed record JwtOptions
{
    /// <summary>The provider's issuer (<c>iss</c>), exactly.</summary>
    public required string Issuer { get; init; }

    /// <summary>The audience (<c>aud</c>) tokens for Recorder carry.</summary>
    public required string Audience { get; init; }

    /// <summary>A file with the provider's public signing keys: PEM <c>PUBLIC KEY</c> blocks or a JWKS document.</summary>
    public required string KeysPath { get; init; }

    /// <summary>The claim naming the user.</summary>
    public string NameClaim { get; init; } = "preferred_username";

    /// <summary>The claim holding the user's roles.</summary>
    public string RoleClaim { get; init; } = "roles";

    /// <summary>Prefixed to the name claim to make the service user name (never empty, so provider users and local users stay apart).</summary>
    public string NamePrefix { get; init; } = "sso.";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience))
        {
            throw new ArgumentException("jwt: an issuer and an audience are required");
        }

        if (string.IsNullOrWhiteSpace(NameClaim) || string.IsNullOrWhiteSpace(RoleClaim))
        {
            throw new ArgumentException("jwt: the name and role claims must be named");
        }

        if (!UserDirectory.IsValidName(NamePrefix + "a"))
        {
            throw new ArgumentException($"jwt: name prefix '{NamePrefix}' must start with a letter and hold only a-z 0-9 . _ -");
        }
    }
}
