namespace Recorder.Signing.TimeStamping;

/// <summary>A granted RFC 3161 time-stamp.</summary>
/// <param name="ResponseDer">The DER <c>TimeStampResp</c> (what <c>openssl ts -verify -in FILE.tsr</c> reads).</param>
/// <param name="TokenDer">The DER <c>TimeStampToken</c> (a CMS <c>ContentInfo</c>) inside the response.</param>
/// <param name="GenTime">The authority's <c>genTime</c>, UTC.</param>
/// <param name="SerialNumber">The token's serial number, decimal.</param>
/// <param name="PolicyOid">The policy the authority issued the token under.</param>
/// <param name="MessageImprint">The SHA-256 digest the token covers.</param>
/// <param name="Nonce">The nonce sent and echoed, decimal; null when none was used.</param>
/// <param name="AccuracyMicroseconds">The accuracy the authority states, in microseconds; null when it states none.</param>
/// <param name="SignerCertificatePem">The certificate that signed the token, as PEM, when the token carries it.</param>
public sealed record TimeStampResult(
    byte[] ResponseDer,
    byte[] TokenDer,
    DateTimeOffset GenTime,
    string SerialNumber,
    string PolicyOid,
    byte[] MessageImprint,
    string? Nonce,
    long? AccuracyMicroseconds,
    string? SignerCertificatePem);
