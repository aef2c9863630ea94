using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Recorder.Api.Users;
using Recorder.Core.Hashing;

namespace Recorder.Api.Security;

/// <summary>
/// The identity provider's browser sign-in: the OpenID Connect authorization code flow (OpenID
/// Connect Core 1.0 section 3.1) with PKCE (RFC 7636, S256). <see cref="Begin"/> keeps a state, a
/// nonce and a code verifier in memory under a random id (the browser holds only that id, in a
/// short-lived cookie) and names the provider's authorization URL; <see cref="Take"/> hands them back
/// once; <see cref="CompleteAsync"/> exchanges the code at the token endpoint and checks the identity
/// token: signature under the configured keys, issuer, audience (the client id), lifetime and nonce.
/// </summary>
public sealed class OidcSignIn
{
    /// <summary>The name of the HttpClient the token exchange uses (registered with <see cref="OidcOptions.Timeout"/>).</summary>
    public const string HttpClientName = "oidc";

    /// <summary>The cookie binding a pending sign-in to the browser that started it.</summary>
    public const string CookieName = "recorder_oidc";

    /// <summary>How long a started sign-in may take to come back from the provider.</summary>
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    /// <summary>At most this many sign-ins wait at once (they are started anonymously, so memory is bounded).</summary>
    private const int MaxPending = 10_000;

    private readonly ConcurrentDictionary<string, PendingSignIn> _pending = new(StringComparer.Ordinal);
    private readonly JwtAuthenticator _idTokens;
    private readonly string? _clientSecret;
    private readonly TimeProvider _clock;

    private OidcSignIn(OidcOptions options, JwtAuthenticator idTokens, string? clientSecret, TimeProvider clock)
    {
        Options = options;
        _idTokens = idTokens;
        _clientSecret = clientSecret;
        _clock = clock;
    }

    /// <summary>The settings.</summary>
    public OidcOptions Options { get; }

    /// <summary>
    /// Checks the settings and reads the client secret; identity tokens are checked with the
    /// provider's <paramref name="provider"/> settings, for the audience <see cref="OidcOptions.ClientId"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is invalid or the secret or key file unusable (the message names it).</exception>
    public static OidcSignIn Create(OidcOptions options, JwtOptions provider, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        string? secret = null;
        if (options.ClientSecretPath is { } path)
        {
            try
            {
                secret = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"oidc client secret: {path}: {e.Message}", e);
            }

            if (secret.Length == 0 || secret.Any(char.IsControl))
            {
                throw new ArgumentException($"oidc client secret: {path}: empty, or more than one line");
            }
        }

        return new OidcSignIn(options, JwtAuthenticator.Create(provider with { Audience = options.ClientId }, clock), secret, clock);
    }

    /// <summary>
    /// Starts a sign-in returning to <paramref name="redirectUri"/>, then to <paramref name="next"/>:
    /// the id for the browser's cookie and the provider's authorization URL; null when too many
    /// sign-ins are pending.
    /// </summary>
    public (string Id, string AuthorizationUrl)? Begin(string redirectUri, string? next)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var now = _clock.GetUtcNow();
        foreach (var (key, old) in _pending)
        {
            if (old.Expires <= now)
            {
                _pending.TryRemove(key, out _);
            }
        }

        if (_pending.Count >= MaxPending)
        {
            return null;
        }

        var pending = new PendingSignIn(Random(), Random(), Random(), redirectUri, next, now + PendingLifetime);
        var id = Random();
        _pending[Hash(id)] = pending;
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = Options.ClientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = string.Join(' ', new[] { "openid" }.Concat(Options.Scopes.Where(s => s != "openid"))),
            ["state"] = pending.State,
            ["nonce"] = pending.Nonce,
            ["code_challenge"] = Challenge(pending.Verifier),
            ["code_challenge_method"] = "S256",
        };
        return (id, QueryHelpers.AddQueryString(Options.AuthorizationEndpoint, query));
    }

    /// <summary>The pending sign-in the cookie's <paramref name="id"/> names, removed (each is used once); null when unknown or expired.</summary>
    public PendingSignIn? Take(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128 || !_pending.TryRemove(Hash(id), out var pending))
        {
            return null;
        }

        return pending.Expires > _clock.GetUtcNow() ? pending : null;
    }

    /// <summary>
    /// Exchanges <paramref name="code"/> at the token endpoint (with the pending sign-in's code
    /// verifier and redirect URI) and checks the identity token it returns. Never throws for what
    /// the provider answers: every failure is an outcome with a status and a message for the page.
    /// </summary>
    public async Task<OidcOutcome> CompleteAsync(HttpClient http, PendingSignIn pending, string code, IReadOnlyCollection<string> definedRoles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(code);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = pending.RedirectUri,
            ["code_verifier"] = pending.Verifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, Options.TokenEndpoint);
        if (_clientSecret is null)
        {
            form["client_id"] = Options.ClientId;
        }
        else
        {
            // client_secret_basic: RFC 6749 section 2.3.1, id and secret form-encoded before Base64.
            var basic = Uri.EscapeDataString(Options.ClientId) + ":" + Uri.EscapeDataString(_clientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        JsonElement answer;
        int status;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            answer = body.Length is > 0 and <= 256 * 1024 ? JsonDocument.Parse(body).RootElement.Clone() : default;
        }
        catch (HttpRequestException e)
        {
            return OidcOutcome.Failed(StatusCodes.Status502BadGateway, $"The identity provider's token endpoint could not be reached ({e.Message}).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return OidcOutcome.Failed(StatusCodes.Status504GatewayTimeout, $"The identity provider's token endpoint did not answer within {Options.Timeout.TotalSeconds} seconds.");
        }
        catch (JsonException)
        {
            return OidcOutcome.Failed(StatusCodes.Status502BadGateway, "The identity provider's token endpoint did not answer with JSON.");
        }

        if (status is < 200 or > 299)
        {
            // RFC 6749 section 5.2: the provider refused the code (invalid_grant for a wrong code
            // verifier, an expired or reused code, another redirect URI).
            return answer.ValueKind == JsonValueKind.Object && Text(answer, "error") is { } error
                ? OidcOutcome.Failed(StatusCodes.Status401Unauthorized, $"The identity provider refused the sign-in: {error}{Describe(Text(answer, "error_description"))}.")
                : OidcOutcome.Failed(StatusCodes.Status502BadGateway, $"The identity provider's token endpoint answered {status}.");
        }

        if (answer.ValueKind != JsonValueKind.Object || Text(answer, "id_token") is not { } idToken)
        {
            return OidcOutcome.Failed(StatusCodes.Status502BadGateway, "The identity provider's token endpoint answered without an identity token (id_token).");
        }

        return await CheckIdTokenAsync(idToken, pending, definedRoles).ConfigureAwait(false);
    }

    private async Task<OidcOutcome> CheckIdTokenAsync(string idToken, PendingSignIn pending, IReadOnlyCollection<string> definedRoles)
    {
        var (claims, error) = await _idTokens.ValidateAsync(idToken).ConfigureAwait(false);
        if (claims is null)
        {
            return OidcOutcome.Failed(StatusCodes.Status401Unauthorized, $"The identity token was refused: {error}.");
        }

        // OpenID Connect Core section 3.1.3.7: the nonce must be this sign-in's (no replayed token),
        // and an authorized party, when named, must be this client.
        var nonce = claims.Claims.FirstOrDefault(c => c.Type == "nonce")?.Value;
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(pending.Nonce)))
        {
            return OidcOutcome.Failed(StatusCodes.Status401Unauthorized, "The identity token was refused: its nonce is not this sign-in's.");
        }

        if (claims.Claims.FirstOrDefault(c => c.Type == "azp")?.Value is { } azp && azp != Options.ClientId)
        {
            return OidcOutcome.Failed(StatusCodes.Status401Unauthorized, $"The identity token was refused: it was issued to '{azp}', not to this service.");
        }

        var (user, why) = _idTokens.UserOf(claims, idToken, definedRoles, _clock);
        return user is null
            ? OidcOutcome.Failed(StatusCodes.Status401Unauthorized, $"The identity token was refused: {why}.")
            : new OidcOutcome(user, new DateTimeOffset(claims.ValidTo, TimeSpan.Zero), StatusCodes.Status200OK, null);
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Describe(string? description) =>
        string.IsNullOrWhiteSpace(description) ? string.Empty : " (" + (description.Length > 200 ? description[..200] + "…" : description) + ")";

    /// <summary>The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))), RFC 7636 section 4.2.</summary>
    public static string Challenge(string verifier) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    // 32 random bytes: 43 base64url characters, a valid PKCE verifier (RFC 7636 section 4.1) and
    // an unguessable state, nonce and cookie id.
    private static string Random() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string id) => Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}

/// <summary>A sign-in sent to the provider and not yet back.</summary>
/// <param name="State">The state the provider must send back (CSRF protection of the callback).</param>
/// <param name="Nonce">The nonce the identity token must carry.</param>
/// <param name="Verifier">The PKCE code verifier.</param>
/// <param name="RedirectUri">The redirect URI sent (the token exchange repeats it).</param>
/// <param name="Next">The local path to go on to after signing in.</param>
/// <param name="Expires">When it may no longer complete.</param>
public sealed record PendingSignIn(string State, string Nonce, string Verifier, string RedirectUri, string? Next, DateTimeOffset Expires)
{
    /// <summary>True when <paramref name="state"/> is this sign-in's (compared in constant time).</summary>
    public bool StateMatches(string? state) =>
        state is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(State));
}

/// <summary>How a sign-in at the provider ended.</summary>
/// <param name="User">The provider's user (name prefixed, role as claimed); null when refused.</param>
/// <param name="Expires">When the identity token ends.</param>
/// <param name="Status">The HTTP status of a refusal (4xx; 502/504 when the provider failed).</param>
/// <param name="Message">Why, for the sign-in page.</param>
public sealed record OidcOutcome(ServiceUser? User, DateTimeOffset Expires, int Status, string? Message)
{
    /// <summary>A refusal or failure.</summary>
    public static OidcOutcome Failed(int status, string message) => new(null, default, status, message);
}
