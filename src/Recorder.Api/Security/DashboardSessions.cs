using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Recorder.Api.Users;
using Recorder.Core.Hashing;

namespace Recorder.Api.Security;

/// <summary>
/// Browser sessions for the dashboard (<c>/ui</c>), the API it calls and the Hangfire pages, none of
/// which a browser can reach with a bearer header. A user signs in once with their token (at
/// <c>/ui/signin</c> or <c>/dashboard/login</c>); the browser then holds a random session secret in an
/// HttpOnly, SameSite=Strict cookie. Only the secret's SHA-256 is kept, in memory (a restart signs
/// everyone out), with the hash of the token it was started with: every request resolves that token
/// again, so revoking it ends the session at once. Each session has its own anti-forgery token,
/// which the dashboard's pages send back in <see cref="CsrfHeader"/> with every request that changes
/// something. Sessions last <see cref="Lifetime"/>.
/// </summary>
public sealed class DashboardSessions(TimeProvider clock)
{
    /// <summary>The cookie holding the session secret.</summary>
    public const string CookieName = "recorder_session";

    /// <summary>The cookie's path: the whole origin (pages, the API they call, the jobs dashboard).</summary>
    public const string CookiePath = "/";

    /// <summary>The request header carrying the session's anti-forgery token.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>How long a session lasts from sign-in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Starts a session for <paramref name="user"/> and returns its secret (for the cookie) and expiry.</summary>
    public (string Secret, DateTimeOffset Expires) Start(ServiceUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Start(new Session(user.TokenSha256, null, default, NewSecret()));
    }

    /// <summary>
    /// Starts a session for a user of the identity provider (<paramref name="user"/>, whose name
    /// carries the provider's prefix), ending at <paramref name="expires"/> or after
    /// <see cref="Lifetime"/>, whichever comes first.
    /// </summary>
    public (string Secret, DateTimeOffset Expires) Start(ServiceUser user, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Start(new Session(null, user, expires, NewSecret()));
    }

    /// <summary>The live session <paramref name="secret"/> names; null for an unknown or expired one.</summary>
    public SessionInfo? Find(string? secret)
    {
        if (!IsPlausible(secret) || !_sessions.TryGetValue(Hash(secret!), out var session))
        {
            return null;
        }

        if (session.Expires <= clock.GetUtcNow())
        {
            _sessions.TryRemove(Hash(secret!), out _);
            return null;
        }

        return new SessionInfo(session.TokenSha256, session.ProviderUser, session.Csrf, session.Expires);
    }

    private (string Secret, DateTimeOffset Expires) Start(Session template)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        var secret = NewSecret();
        var expires = template.Expires == default || template.Expires > now + Lifetime ? now + Lifetime : template.Expires;
        _sessions[Hash(secret)] = template with { Expires = expires };
        return (secret, expires);
    }

    /// <summary>The SHA-256 of the token a live session was started with; null for an unknown or expired one.</summary>
    public string? TokenOf(string? secret) => Find(secret)?.TokenSha256;

    /// <summary>Ends a session; unknown ones are ignored.</summary>
    public void End(string? secret)
    {
        if (IsPlausible(secret))
        {
            _sessions.TryRemove(Hash(secret!), out _);
        }
    }

    private static bool IsPlausible(string? secret) => !string.IsNullOrEmpty(secret) && secret.Length <= 128;

    private static string Hash(string secret) => Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private sealed record Session(string? TokenSha256, ServiceUser? ProviderUser, DateTimeOffset Expires, string Csrf);
}

/// <summary>A live browser session.</summary>
/// <param name="TokenSha256">The SHA-256 of the local user's token it was started with (null for a provider's user).</param>
/// <param name="ProviderUser">The identity provider's user it was started for (null for a local user).</param>
/// <param name="Csrf">The session's anti-forgery token.</param>
/// <param name="Expires">When it ends.</param>
public sealed record SessionInfo(string? TokenSha256, ServiceUser? ProviderUser, string Csrf, DateTimeOffset Expires)
{
    /// <summary>True when <paramref name="presented"/> is this session's anti-forgery token (compared in constant time).</summary>
    public bool CsrfMatches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Csrf));
}
