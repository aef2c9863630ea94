using Microsoft.Extensions.Time.Testing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Signing.Tests.TimeStamping;

public sealed class TimeStampVerifierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _otherDir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _dir.Dispose();
        _otherDir.Dispose();
    }

    [Fact]
    public void Verify_WhenDataDiffers_ReportsImprintMismatch()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var response = tsa.Stamp("original"u8).ResponseDer;

        var result = TimeStampVerifier.Verify(response, "changed"u8, TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem));

        Assert.False(result.IsValid);
        Assert.Contains("message imprint", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenTrustedCertificateIsAnotherAuthority_ReportsSignerNotTrusted()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var other = BuiltInTimeStampAuthority.OpenOrCreate(_otherDir.Path, _clock);
        var response = tsa.Stamp("data"u8).ResponseDer;

        var result = TimeStampVerifier.Verify(response, "data"u8, TimeStampVerifier.LoadCertificatePem(other.CertificatePem));

        Assert.False(result.IsValid);
        Assert.Contains("neither the trusted certificate", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WithoutTrustedCertificate_ChecksIntegrityAndSaysSo()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var response = tsa.Stamp("data"u8).ResponseDer;

        var result = TimeStampVerifier.Verify(response, "data"u8, null);

        Assert.True(result.IsValid, result.Failure);
        Assert.False(result.CheckedAgainstTrustedCertificate);
    }

    [Fact]
    public void Verify_AcceptsTheBareTokenAsWellAsTheResponse()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var stamp = tsa.Stamp("data"u8);
        using var trusted = TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem);

        var result = TimeStampVerifier.Verify(stamp.TokenDer, "data"u8, trusted);

        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.CheckedAgainstTrustedCertificate);
        Assert.Equal(stamp.GenTime, result.GenTime);
        Assert.Equal(stamp.SerialNumber, result.SerialNumber);
    }

    [Fact]
    public void Verify_WhenAnyByteOfTheResponseIsFlipped_FailsOrStillCoversTheSameStatement()
    {
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
        var stamp = tsa.Stamp("data"u8);
        using var trusted = TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem);
        var accepted = 0;

        for (var i = 0; i < stamp.ResponseDer.Length; i++)
        {
            var copy = (byte[])stamp.ResponseDer.Clone();
            copy[i] ^= 0x01;
            var result = TimeStampVerifier.Verify(copy, "data"u8, trusted);
            if (result.IsValid)
            {
                // Only bytes outside the signed content (e.g. the unsigned status string or the
                // certificate's own unsigned encoding choices) may change without failing; the
                // statement itself must be identical.
                Assert.Equal(stamp.GenTime, result.GenTime);
                Assert.Equal(stamp.SerialNumber, result.SerialNumber);
                accepted++;
            }
        }

        Assert.True(accepted < stamp.ResponseDer.Length / 10, $"{accepted} of {stamp.ResponseDer.Length} flips accepted");
    }

    [Fact]
    public void Verify_WhenInputIsNotDer_SaysWhatItExpected()
    {
        var result = TimeStampVerifier.Verify("hello"u8, "data"u8, null);

        Assert.False(result.IsValid);
        Assert.Contains("TimeStampResp", result.Failure, StringComparison.Ordinal);
    }
}
