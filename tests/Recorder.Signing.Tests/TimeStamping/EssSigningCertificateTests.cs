using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ess;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;
using Recorder.Signing.TimeStamping;
using Recorder.TestSupport;

namespace Recorder.Signing.Tests.TimeStamping;

/// <summary>
/// The built-in authority's tokens bind their certificate with ESS signing-certificate-v2 (RFC 5035,
/// RFC 5816): a SHA-256 ESSCertIDv2, hashAlgorithm omitted as its DEFAULT, and no SHA-1 v1 attribute.
/// </summary>
public sealed class EssSigningCertificateTests : IDisposable
{
    /// <summary>id-aa-signingCertificateV2, RFC 5035 §3.</summary>
    private const string SigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";

    /// <summary>id-aa-signingCertificate (v1, SHA-1), RFC 2634 §5.4.</summary>
    private const string SigningCertificateV1 = "1.2.840.113549.1.9.16.2.12";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Token_CarriesSigningCertificateV2WithTheCertificatesSha256_AndNoV1()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)));

        var token = new TimeStampResponse(tsa.Stamp("checkpoint"u8).ResponseDer).TimeStampToken;

        Assert.Equal(SigningCertificateV2, PkcsObjectIdentifiers.IdAASigningCertificateV2.Id);
        Assert.Null(token.SignedAttributes[new DerObjectIdentifier(SigningCertificateV1)]);
        var attribute = token.SignedAttributes[new DerObjectIdentifier(SigningCertificateV2)];
        Assert.NotNull(attribute);
        var certId = Assert.Single(SigningCertificateV2Of(attribute).GetCerts());
        Assert.Equal(SHA256.HashData(tsa.CertificateDer), certId.GetCertHash());
        var certificate = new X509CertificateParser().ReadCertificate(tsa.CertificateDer);
        Assert.Equal(certificate.SerialNumber, certId.IssuerSerial.Serial.Value);

        // DER leaves out a DEFAULT value: the ESSCertIDv2 starts with the hash, not an AlgorithmIdentifier.
        var encoded = (Asn1Sequence)certId.ToAsn1Object();
        Assert.IsAssignableFrom<Asn1OctetString>(encoded[0]);
    }

    [SkippableFact]
    public void Token_OpenSslSeesSigningCertificateV2_AndVerifiesIt()
    {
        Skip.IfNot(OpenSsl.IsAvailable, "openssl is not installed (Debian package openssl)");
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, TimeProvider.System);
        File.WriteAllBytes(_dir.File("checkpoint.txt"), "the checkpoint\n"u8.ToArray());
        File.WriteAllBytes(_dir.File("checkpoint.tsr"), tsa.Stamp("the checkpoint\n"u8).ResponseDer);

        var tokenOut = OpenSsl.Run("ts", "-reply", "-in", _dir.File("checkpoint.tsr"), "-token_out", "-out", _dir.File("token.der"));
        var parsed = OpenSsl.Run("asn1parse", "-inform", "DER", "-in", _dir.File("token.der"));
        var verify = OpenSsl.Run("ts", "-verify", "-data", _dir.File("checkpoint.txt"), "-in", _dir.File("checkpoint.tsr"), "-CAfile", _dir.File("tsa.pem"));

        Assert.True(tokenOut.ExitCode == 0, tokenOut.Output);
        Assert.True(parsed.ExitCode == 0, parsed.Output);
        Assert.Matches(new Regex(@":id-smime-aa-signingCertificateV2\s*$", RegexOptions.Multiline), parsed.Output);
        Assert.DoesNotMatch(new Regex(@":id-smime-aa-signingCertificate\s*$", RegexOptions.Multiline), parsed.Output);
        Assert.DoesNotContain(":sha1", parsed.Output, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Verification: OK", verify.Output, StringComparison.Ordinal);
    }

    private static SigningCertificateV2 SigningCertificateV2Of(Org.BouncyCastle.Asn1.Cms.Attribute attribute) =>
        Org.BouncyCastle.Asn1.Ess.SigningCertificateV2.GetInstance(attribute.AttrValues[0]);
}
