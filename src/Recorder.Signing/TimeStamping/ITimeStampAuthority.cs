namespace Recorder.Signing.TimeStamping;

/// <summary>
/// An RFC 3161 time-stamp authority: given the SHA-256 digest of some bytes, it returns a signed
/// statement that the digest existed no later than a time (a <c>TimeStampToken</c>, inside a
/// <c>TimeStampResp</c>). Implementations validate what they return, so a result is always a granted
/// response whose token covers the digest that was asked for.
/// </summary>
public interface ITimeStampAuthority
{
    /// <summary>Says which authority this is, for logs and ledger entries (e.g. <c>built-in</c> or a URL).</summary>
    string Description { get; }

    /// <summary>
    /// The certificate third parties check tokens against (written as <c>tsa.pem</c> next to a
    /// time-stamped checkpoint), as PEM; null when the authority was configured without one, in which
    /// case the certificates embedded in each token are all there is.
    /// </summary>
    string? TrustAnchorPem { get; }

    /// <summary>Time-stamps a SHA-256 digest (32 bytes).</summary>
    /// <exception cref="TimeStampException">The authority refused, was unreachable, or answered with something that does not validate.</exception>
    TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest);
}
