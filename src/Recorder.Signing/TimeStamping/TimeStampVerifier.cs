using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Tsp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Recorder.Signing.TimeStamping;

/// <summary>
/// Checks RFC 3161 time-stamps offline: the CMS signature, the signing certificate (critical
/// extended key usage <c>id-kp-timeStamping</c>, valid at <c>genTime</c>, bound by the ESS
/// signing-certificate attribute), the message imprint against the data, and that the signer is, or
/// is issued by, a certificate the caller trusts.
/// </summary>
public static class TimeStampVerifier
{
    private const int MaxChainLength = 5;

    /// <summary>Checks a <c>TimeStampResp</c> or a bare <c>TimeStampToken</c> against the data it should cover.</summary>
    /// <param name="tokenOrResponseDer">DER of a response (<c>.tsr</c>) or of a token.</param>
    /// <param name="data">The time-stamped bytes; they are hashed with the token's imprint algorithm.</param>
    /// <param name="trustedCertificate">The authority's certificate, or a CA that issued it; null checks
    /// the token only against the certificate it carries, which says nothing about who signed it.</param>
    public static TimeStampVerification Verify(ReadOnlySpan<byte> tokenOrResponseDer, ReadOnlySpan<byte> data, X509Certificate2? trustedCertificate)
    {
        if (!TryReadToken(tokenOrResponseDer, out var token, out var failure))
        {
            return TimeStampVerification.Fail(failure);
        }

        var algorithm = token.TimeStampInfo.MessageImprintAlgOid;
        var digest = HashWith(algorithm, data);
        if (digest is null)
        {
            return TimeStampVerification.Fail($"unsupported message imprint algorithm {algorithm}");
        }

        return VerifyToken(token, digest, ToBouncyCastle(trustedCertificate));
    }

    /// <summary>Checks a response or token against a digest computed with the token's imprint algorithm (SHA-256 for Recorder's).</summary>
    public static TimeStampVerification VerifyDigest(ReadOnlySpan<byte> tokenOrResponseDer, ReadOnlySpan<byte> digest, X509Certificate2? trustedCertificate)
    {
        if (!TryReadToken(tokenOrResponseDer, out var token, out var failure))
        {
            return TimeStampVerification.Fail(failure);
        }

        return VerifyToken(token, digest.ToArray(), ToBouncyCastle(trustedCertificate));
    }

    /// <summary>Loads a PEM certificate (e.g. <c>tsa.pem</c>) for <see cref="Verify"/>.</summary>
    public static X509Certificate2 LoadCertificatePem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return X509Certificate2.CreateFromPem(pem);
    }

    internal static TimeStampVerification VerifyToken(TimeStampToken token, byte[] digest, BcCertificate? trusted)
    {
        try
        {
            return VerifyTokenUnguarded(token, digest, trusted);
        }
        catch (Exception e)
        {
            return TimeStampVerification.Fail("malformed time-stamp token: " + e.Message);
        }
    }

    private static TimeStampVerification VerifyTokenUnguarded(TimeStampToken token, byte[] digest, BcCertificate? trusted)
    {
        var info = token.TimeStampInfo;
        var genTime = new DateTimeOffset(DateTime.SpecifyKind(info.GenTime, DateTimeKind.Utc));
        var serial = info.SerialNumber.ToString();
        var accuracy = AccuracyMicroseconds(info);

        TimeStampVerification Fail(string why, BcCertificate? signer = null) =>
            new(false, why, genTime, serial, info.Policy, accuracy, signer?.SubjectDN.ToString(), signer is null ? null : Pem(signer), trusted is not null);

        var carried = token.GetCertificates().EnumerateMatches(null).ToList();
        var signer = carried.FirstOrDefault(c => token.SignerID.Match(c));
        if (signer is null && trusted is not null && token.SignerID.Match(trusted))
        {
            signer = trusted;
        }

        if (signer is null)
        {
            return Fail("the token does not carry its signing certificate and it is not the trusted certificate");
        }

        try
        {
            token.Validate(signer);
        }
        catch (Exception e)
        {
            // Untrusted input: any failure inside the CMS or certificate checks means "does not verify".
            return Fail("signature or signing certificate invalid: " + e.Message, signer);
        }

        if (!CryptographicOperations.FixedTimeEquals(info.GetMessageImprintDigest(), digest))
        {
            return Fail($"message imprint {Convert.ToHexStringLower(info.GetMessageImprintDigest())} does not match the data's digest {Convert.ToHexStringLower(digest)}", signer);
        }

        if (trusted is not null && !ChainsTo(signer, trusted, carried, info.GenTime))
        {
            return Fail($"signing certificate '{signer.SubjectDN}' is neither the trusted certificate '{trusted.SubjectDN}' nor issued by it", signer);
        }

        return new TimeStampVerification(true, null, genTime, serial, info.Policy, accuracy, signer.SubjectDN.ToString(), Pem(signer), trusted is not null);
    }

    internal static bool TryReadToken(ReadOnlySpan<byte> der, out TimeStampToken token, out string failure)
    {
        token = null!;
        failure = string.Empty;
        var bytes = der.ToArray();
        try
        {
            var response = new TimeStampResponse(bytes);
            if (response.TimeStampToken is null)
            {
                failure = $"time-stamp response carries no token (status {response.Status}: {response.GetStatusString() ?? "no reason given"})";
                return false;
            }

            token = response.TimeStampToken;
            return true;
        }
        catch (Exception)
        {
            // Not a response (BouncyCastle throws many kinds of exception on malformed DER, and this
            // input is untrusted): perhaps a bare token, a CMS ContentInfo.
        }

        try
        {
            token = new TimeStampToken(ContentInfo.GetInstance(Asn1Object.FromByteArray(bytes)));
            return true;
        }
        catch (Exception e)
        {
            failure = "neither an RFC 3161 TimeStampResp nor a TimeStampToken: " + e.Message;
            return false;
        }
    }

    internal static BcCertificate? ToBouncyCastle(X509Certificate2? certificate) =>
        certificate is null ? null : new X509CertificateParser().ReadCertificate(certificate.RawData);

    internal static string Pem(BcCertificate certificate) => Ed25519Key.EncodePem("CERTIFICATE", certificate.GetEncoded());

    private static byte[]? HashWith(string algorithmOid, ReadOnlySpan<byte> data)
    {
        if (algorithmOid == NistObjectIdentifiers.IdSha256.Id)
        {
            return SHA256.HashData(data);
        }

        if (algorithmOid == NistObjectIdentifiers.IdSha384.Id)
        {
            return SHA384.HashData(data);
        }

        if (algorithmOid == NistObjectIdentifiers.IdSha512.Id)
        {
            return SHA512.HashData(data);
        }

        return null;
    }

    private static long? AccuracyMicroseconds(TimeStampTokenInfo info)
    {
        Accuracy? accuracy = info.TstInfo.Accuracy;
        if (accuracy is null)
        {
            return null;
        }

        long seconds = accuracy.Seconds?.LongValueExact ?? 0;
        long millis = accuracy.Millis?.LongValueExact ?? 0;
        long micros = accuracy.Micros?.LongValueExact ?? 0;
        return checked((seconds * 1_000_000) + (millis * 1000) + micros);
    }

    private static bool ChainsTo(BcCertificate signer, BcCertificate trusted, List<BcCertificate> carried, DateTime at)
    {
        var current = signer;
        for (var depth = 0; depth < MaxChainLength; depth++)
        {
            if (current.Equals(trusted))
            {
                return true;
            }

            var issuer = current.IssuerDN.Equivalent(trusted.SubjectDN) && IssuedBy(current, trusted, at)
                ? trusted
                : carried.FirstOrDefault(c => !c.Equals(current) && current.IssuerDN.Equivalent(c.SubjectDN) && IssuedBy(current, c, at));
            if (issuer is null)
            {
                return false;
            }

            current = issuer;
        }

        return false;
    }

    private static bool IssuedBy(BcCertificate child, BcCertificate issuer, DateTime at)
    {
        try
        {
            child.Verify(issuer.GetPublicKey());
            issuer.CheckValidity(at);
            return true;
        }
        catch (Exception e) when (e is CertificateException or InvalidKeyException or SignatureException)
        {
            return false;
        }
    }
}
