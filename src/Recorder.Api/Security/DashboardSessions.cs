using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Recorder.Api.Users;
using Recorder.Core.Hashing;

namespace Recorder.Api.Security;

/// <summary>
/// Browser sessions for the Hangfire dashboard, which a browser cannot reach with a bearer header.
/// An administrator signs in once with their token at <c>/dashboard/login</c>; the browser then
/// holds a random session secret in an HttpOnly, SameSite=Strict cookie scoped to <c>/hangfire</c>.
/// Only the secret's SHA-256 is kept, in memory (a restart signs everyone out), with the hash of the
/// token it was started with: every request resolves that token again, so revoking it ends the
/// session at once. Sessions last <see cref="Lifetime"/>.
/// </summary>
public sealed class DashboardSessions(TimeProvider clock)
{
    /// <summary>The cookie holding the session secret.</summary>
    public const string CookieName = "recorder_dashboard";

    /// <summary>The only path the cookie is sent to.</summary>
    public const string CookiePath = "/hangfire";

    /// <summary>How long a session lasts from sign-in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Starts a session for <paramref name="user"/> and returns its secret (for the cookie) and expiry.</summary>
    public (string Secret, DateTimeOffset Expires) Start(ServiceUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        foreach (var (key, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var expires = now + Lifetime;
        _sessions[Hash(secret)] = new Session(user.TokenSha256, expires);
        return (secret, expires);
    }

    /// <summary>The SHA-256 of the token a live session was started with; null for an unknown or expired one.</summary>
    public string? TokenOf(string? secret)
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

        return session.TokenSha256;
    }

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

    private sealed record Session(string TokenSha256, DateTimeOffset Expires);
}
