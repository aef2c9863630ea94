using System.Security.Cryptography;

namespace Recorder.Signing.TimeStamping;

/// <summary>Conveniences over <see cref="ITimeStampAuthority"/>.</summary>
public static class TimeStampAuthorityExtensions
{
    /// <summary>Time-stamps <paramref name="data"/>: its SHA-256 is what the authority signs, so
    /// <c>openssl ts -verify -data FILE</c> checks the token against the file itself.</summary>
    public static TimeStampResult Stamp(this ITimeStampAuthority authority, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(authority);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return authority.StampDigest(digest);
    }
}
