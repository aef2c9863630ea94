using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Recorder.Sessions.Tls;

/// <summary>
/// Reads the certificate_list of a TLS ≤ 1.2 Certificate message (RFC 5246 §7.4.2) and each DER
/// certificate in it. A certificate that does not parse is still listed, with its fingerprints and
/// the reason.
/// </summary>
internal static class CertificateParser
{
    /// <summary>Appends the chain's certificates to <paramref name="into"/>; returns a fault or null, and whether certificates were left out by the limit.</summary>
    public static (string? Malformed, bool Truncated) Parse(ReadOnlySpan<byte> body, List<TlsCertificate> into)
    {
        var reader = new SpanReader(body);
        if (!reader.TryVector24(out var list))
        {
            return ("certificate list runs past the message", false);
        }

        var entries = new SpanReader(list);
        var index = 0;
        while (!entries.IsEmpty)
        {
            if (!entries.TryVector24(out var der))
            {
                return ("a certificate runs past the list", false);
            }

            if (index >= TlsLimits.MaxCertificates)
            {
                return (null, true);
            }

            into.Add(Read(index++, der));
        }

        return (reader.IsEmpty ? null : "bytes after the certificate list", false);
    }

    public static TlsCertificate Read(int index, ReadOnlySpan<byte> der)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(der));
        var sha1 = Convert.ToHexStringLower(SHA1.HashData(der));
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return new TlsCertificate
            {
                Index = index,
                Length = der.Length,
                Sha256 = sha256,
                Sha1 = sha1,
                Subject = certificate.Subject,
                Issuer = certificate.Issuer,
                SerialNumber = Convert.ToHexStringLower(certificate.SerialNumberBytes.Span),
                NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            };
        }
        catch (CryptographicException error)
        {
            // Hostile or damaged DER: the platform's parser refuses it. Reported, never thrown.
            return new TlsCertificate { Index = index, Length = der.Length, Sha256 = sha256, Sha1 = sha1, Malformed = error.Message };
        }
    }
}
