using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;

namespace Recorder.Signing.TimeStamping;

/// <summary>Turns a validated BouncyCastle response into a <see cref="TimeStampResult"/>.</summary>
internal static class TimeStampResponses
{
    /// <summary>
    /// Checks that <paramref name="response"/> answers <paramref name="request"/> (granted, same
    /// imprint, same nonce, a certificate when one was asked for) and that its token's signature
    /// verifies; then describes it.
    /// </summary>
    public static TimeStampResult Accept(string authority, TimeStampRequest request, TimeStampResponse response, X509Certificate? trusted)
    {
        if (response.Status != (int)PkiStatus.Granted && response.Status != (int)PkiStatus.GrantedWithMods)
        {
            throw new TimeStampException($"{authority}: time-stamp refused (status {response.Status}: {response.GetStatusString() ?? "no reason given"})");
        }

        try
        {
            response.Validate(request);
        }
        catch (TspException e)
        {
            throw new TimeStampException($"{authority}: response does not answer the request: {e.Message}", e);
        }

        var token = response.TimeStampToken
            ?? throw new TimeStampException($"{authority}: granted response carries no token");
        var verification = TimeStampVerifier.VerifyToken(token, request.GetMessageImprintDigest(), trusted);
        if (!verification.IsValid)
        {
            throw new TimeStampException($"{authority}: token does not verify: {verification.Failure}");
        }

        var info = token.TimeStampInfo;
        return new TimeStampResult(
            response.GetEncoded(),
            token.GetEncoded(),
            new DateTimeOffset(DateTime.SpecifyKind(info.GenTime, DateTimeKind.Utc)),
            info.SerialNumber.ToString(),
            info.Policy,
            info.GetMessageImprintDigest(),
            info.Nonce?.ToString(),
            verification.AccuracyMicroseconds,
            verification.SignerCertificatePem);
    }
}
