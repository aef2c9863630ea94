using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;
using Recorder.Signing.TimeStamping;
using Recorder.TestSupport;

namespace Recorder.Signing.Tests.TimeStamping;

public sealed class BuiltInTimeStampAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(Start);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OpenOrCreate_WhenDirectoryIsEmpty_WritesOwnerOnlyKeyAndTimeStampingCertificate()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        var keyPath = _dir.File(BuiltInTimeStampAuthority.KeyFileName);
        Assert.True(File.Exists(keyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var certificate = new X509CertificateParser().ReadCertificate(tsa.CertificateDer);
        Assert.Contains(X509Extensions.ExtendedKeyUsage.Id, certificate.GetCriticalExtensionOids());
        Assert.Equal([KeyPurposeID.id_kp_timeStamping], certificate.GetExtendedKeyUsage());
        Assert.Equal("ECDSA", certificate.GetPublicKey() is Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters ec ? "ECDSA" : "other");
        Assert.Equal(File.ReadAllText(_dir.File(BuiltInTimeStampAuthority.CertificateFileName)), tsa.CertificatePem);
    }

    [Fact]
    public void OpenOrCreate_WhenOpenedAgain_LoadsTheSameCertificate()
    {
        var first = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        _clock.Advance(TimeSpan.FromDays(3));

        var second = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        Assert.Equal(first.CertificateDer, second.CertificateDer);
        var token = second.Stamp("x"u8);
        Assert.True(TimeStampVerifier.Verify(token.ResponseDer, "x"u8, TimeStampVerifier.LoadCertificatePem(first.CertificatePem)).IsValid);
    }

    [Fact]
    public void OpenOrCreate_WhenKeyWasDeletedButCertificateRemains_RefusesWithTheFileNames()
    {
        BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        File.Delete(_dir.File(BuiltInTimeStampAuthority.KeyFileName));

        var error = Assert.Throws<TimeStampException>(() => BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock));

        Assert.Contains(BuiltInTimeStampAuthority.KeyFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenOrCreate_WhenCertificateBelongsToAnotherKey_Refuses()
    {
        using var other = new TempDirectory();
        BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        BuiltInTimeStampAuthority.OpenOrCreate(other.Path, _clock);
        File.Copy(other.File(BuiltInTimeStampAuthority.CertificateFileName), _dir.File(BuiltInTimeStampAuthority.CertificateFileName), overwrite: true);

        var error = Assert.Throws<TimeStampException>(() => BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock));

        Assert.Contains("does not belong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stamp_ReturnsGrantedTokenWithClockTimePolicyImprintAndNonce()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        _clock.Advance(TimeSpan.FromMilliseconds(1234.9));
        var data = "checkpoint bytes\n"u8.ToArray();

        var result = tsa.Stamp(data);

        Assert.Equal(Start.AddMilliseconds(1234), result.GenTime);
        Assert.Equal(RecorderOids.BuiltInTimeStampPolicyV1, result.PolicyOid);
        Assert.Equal(SHA256.HashData(data), result.MessageImprint);
        Assert.NotNull(result.Nonce);
        var response = new TimeStampResponse(result.ResponseDer);
        Assert.Equal(0, response.Status);
        Assert.Equal(result.TokenDer, response.TimeStampToken.GetEncoded());
        Assert.Equal(result.Nonce, response.TimeStampToken.TimeStampInfo.Nonce.ToString());
        Assert.Equal(tsa.CertificatePem, result.SignerCertificatePem);
    }

    [Fact]
    public void Stamp_WithInjectedClock_StatesNoAccuracy()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        var result = tsa.Stamp("a"u8);

        Assert.Null(result.AccuracyMicroseconds);
        Assert.Null(new TimeStampResponse(result.ResponseDer).TimeStampToken.TimeStampInfo.TstInfo.Accuracy);
    }

    [Fact]
    public void Stamp_WithConfiguredAccuracy_StatesItInSecondsMillisAndMicros()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock, new BuiltInTimeStampAuthorityOptions { Accuracy = TimeSpan.FromMicroseconds(2_003_004) });

        var result = tsa.Stamp("a"u8);

        Assert.Equal(2_003_004, result.AccuracyMicroseconds);
        var accuracy = new TimeStampResponse(result.ResponseDer).TimeStampToken.TimeStampInfo.TstInfo.Accuracy;
        Assert.Equal(2, accuracy.Seconds.IntValueExact);
        Assert.Equal(3, accuracy.Millis.IntValueExact);
        Assert.Equal(4, accuracy.Micros.IntValueExact);
    }

    [Fact]
    public void Stamp_SerialNumbersIncreaseAcrossInstancesSharingTheDirectory()
    {
        var a = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var b = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        var serials = new List<BigInteger>();
        for (var i = 0; i < 6; i++)
        {
            serials.Add(new BigInteger((i % 2 == 0 ? a : b).Stamp([(byte)i]).SerialNumber));
        }

        for (var i = 1; i < serials.Count; i++)
        {
            Assert.True(serials[i].CompareTo(serials[i - 1]) > 0, $"serial {serials[i]} after {serials[i - 1]}");
        }
    }

    [Fact]
    public void Stamp_ConcurrentCallers_NeverShareASerialNumber()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        var serials = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 40, i => serials.Add(tsa.Stamp(BitConverter.GetBytes(i)).SerialNumber));

        Assert.Equal(40, serials.Distinct().Count());
    }

    [Fact]
    public void Respond_WhenRequestUsesSha1_RejectsWithBadAlgorithm()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var request = new TimeStampRequestGenerator().Generate(Org.BouncyCastle.Asn1.Oiw.OiwObjectIdentifiers.IdSha1, new byte[20]);

        var response = new TimeStampResponse(tsa.Respond(request.GetEncoded()));

        Assert.Equal(2, response.Status); // rejection
        Assert.Null(response.TimeStampToken);
    }

    [Fact]
    public void Respond_WhenRequestAsksForAnotherPolicy_Rejects()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var generator = new TimeStampRequestGenerator();
        generator.SetReqPolicy(new Org.BouncyCastle.Asn1.DerObjectIdentifier("1.2.3.4"));
        var request = generator.Generate(NistObjectIdentifiers.IdSha256, new byte[32]);

        var response = new TimeStampResponse(tsa.Respond(request.GetEncoded()));

        Assert.Equal(2, response.Status);
    }

    [Fact]
    public void Respond_WhenRequestIsGarbage_AnswersRejection()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);

        var response = new TimeStampResponse(tsa.Respond("not a request"u8));

        Assert.Equal(2, response.Status);
    }

    [Fact]
    public void Respond_WithoutCertReq_LeavesCertificateOut()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var request = new TimeStampRequestGenerator().Generate(NistObjectIdentifiers.IdSha256, new byte[32], BigInteger.ValueOf(7));

        var response = new TimeStampResponse(tsa.Respond(request.GetEncoded()));

        Assert.Equal(0, response.Status);
        Assert.Empty(response.TimeStampToken.GetCertificates().EnumerateMatches(null));
        Assert.True(TimeStampVerifier.VerifyDigest(response.GetEncoded(), new byte[32], TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem)).IsValid);
        Assert.False(TimeStampVerifier.VerifyDigest(response.GetEncoded(), new byte[32], null).IsValid);
    }

    [SkippableFact]
    public void Stamp_ResponseVerifiesWithOpenSslTsAgainstTheCertificate()
    {
        Skip.IfNot(OpenSsl.IsAvailable, "openssl is not installed");
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, TimeProvider.System);
        var data = Encoding.UTF8.GetBytes("recorder.store/test\n1\nAAAA\n2024-03-01T12:00:00.000000000Z\n");
        File.WriteAllBytes(_dir.File("checkpoint.txt"), data);
        File.WriteAllBytes(_dir.File("checkpoint.tsr"), tsa.Stamp(data).ResponseDer);

        var verify = OpenSsl.Run("ts", "-verify", "-data", _dir.File("checkpoint.txt"), "-in", _dir.File("checkpoint.tsr"), "-CAfile", _dir.File("tsa.pem"));
        var text = OpenSsl.Run("ts", "-reply", "-in", _dir.File("checkpoint.tsr"), "-text");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Verification: OK", verify.Output, StringComparison.Ordinal);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Status: Granted", text.Output, StringComparison.Ordinal);
        Assert.Contains("Policy OID: " + RecorderOids.BuiltInTimeStampPolicyV1, text.Output, StringComparison.Ordinal);
        Assert.Contains("Nonce: 0x", text.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Stamp_OpenSslTsRejectsTheResponseForOtherData()
    {
        Skip.IfNot(OpenSsl.IsAvailable, "openssl is not installed");
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, TimeProvider.System);
        File.WriteAllBytes(_dir.File("other.txt"), "something else"u8.ToArray());
        File.WriteAllBytes(_dir.File("checkpoint.tsr"), tsa.Stamp("the checkpoint"u8).ResponseDer);

        var verify = OpenSsl.Run("ts", "-verify", "-data", _dir.File("other.txt"), "-in", _dir.File("checkpoint.tsr"), "-CAfile", _dir.File("tsa.pem"));

        Assert.NotEqual(0, verify.ExitCode);
    }

    [Fact]
    public void Stamp_AnyData_VerifiesForItselfAndFailsForAnyOtherData()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        using var trusted = TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem);

        Gen.Select(Gen.Byte.Array[0, 64], Gen.Byte.Array[0, 64]).Where(p => !p.Item1.AsSpan().SequenceEqual(p.Item2)).Sample(
            (data, other) =>
            {
                var response = tsa.Stamp(data).ResponseDer;
                return TimeStampVerifier.Verify(response, data, trusted).IsValid
                    && !TimeStampVerifier.Verify(response, other, trusted).IsValid;
            },
            iter: 25);
    }
}
