namespace Recorder.Signing.TimeStamping;

/// <summary>The outcome of checking an RFC 3161 token; when <see cref="IsValid"/> is false, <see cref="Failure"/> says why.</summary>
/// <param name="IsValid">True when the signature, the certificate, the message imprint and (if given) the trust anchor all check out.</param>
/// <param name="Failure">One sentence naming what did not check out; null when valid.</param>
/// <param name="GenTime">The token's <c>genTime</c>, when the token could be read.</param>
/// <param name="SerialNumber">The token's serial number (decimal), when the token could be read.</param>
/// <param name="PolicyOid">The token's policy, when the token could be read.</param>
/// <param name="AccuracyMicroseconds">The stated accuracy in microseconds; null when the token states none.</param>
/// <param name="SignerSubject">The signing certificate's subject, when found.</param>
/// <param name="SignerCertificatePem">The signing certificate as PEM, when found.</param>
/// <param name="CheckedAgainstTrustedCertificate">True when the signer was tied to a certificate the caller
/// supplied; false when only the certificate inside the token was used (that proves integrity, not who signed).</param>
public sealed record TimeStampVerification(
    bool IsValid,
    string? Failure,
    DateTimeOffset? GenTime,
    string? SerialNumber,
    string? PolicyOid,
    long? AccuracyMicroseconds,
    string? SignerSubject,
    string? SignerCertificatePem,
    bool CheckedAgainstTrustedCertificate)
{
    internal static TimeStampVerification Fail(string failure) =>
        new(false, failure, null, null, null, null, null, null, false);
}
