using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Signing.Tests.TimeStamping;

public sealed class HttpTimeStampAuthorityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _otherDir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly BuiltInTimeStampAuthority _server;

    public HttpTimeStampAuthorityTests()
    {
        _server = BuiltInTimeStampAuthority.OpenOrCreate(_dir.Path, _clock);
    }

    public void Dispose()
    {
        _dir.Dispose();
        _otherDir.Dispose();
    }

    [Fact]
    public void StampDigest_AgainstLoopbackAuthority_ReturnsValidatedTokenAndPostsATimeStampQuery()
    {
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions
        {
            Url = http.Url,
            TrustedCertificate = TimeStampVerifier.LoadCertificatePem(_server.CertificatePem),
        });
        var digest = SHA256.HashData("checkpoint"u8);

        var result = client.StampDigest(digest);

        Assert.Equal(digest, result.MessageImprint);
        Assert.Equal(_clock.GetUtcNow(), result.GenTime);
        Assert.Equal("application/timestamp-query", Assert.Single(http.RequestContentTypes));
        Assert.Equal(_server.CertificatePem, client.TrustAnchorPem);
        Assert.True(TimeStampVerifier.Verify(result.ResponseDer, "checkpoint"u8, TimeStampVerifier.LoadCertificatePem(_server.CertificatePem)).IsValid);
    }

    [Fact]
    public void StampDigest_WhenServerReplaysAnEarlierResponse_RejectsTheNonceOrImprint()
    {
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = http.Url });
        var first = client.StampDigest(SHA256.HashData("a"u8));
        http.Answer = _ => (200, "application/timestamp-reply", first.ResponseDer);

        var sameData = Assert.Throws<TimeStampException>(() => client.StampDigest(SHA256.HashData("a"u8)));
        var otherData = Assert.Throws<TimeStampException>(() => client.StampDigest(SHA256.HashData("b"u8)));

        Assert.Contains("does not answer the request", sameData.Message, StringComparison.Ordinal);
        Assert.Contains("does not answer the request", otherData.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StampDigest_WhenSignedByAnotherAuthorityThanTheConfiguredOne_Rejects()
    {
        var other = BuiltInTimeStampAuthority.OpenOrCreate(_otherDir.Path, _clock);
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions
        {
            Url = http.Url,
            TrustedCertificate = TimeStampVerifier.LoadCertificatePem(other.CertificatePem),
        });

        var error = Assert.Throws<TimeStampException>(() => client.StampDigest(new byte[32]));

        Assert.Contains("neither the trusted certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StampDigest_WhenServerAnswersWithWrongContentType_Rejects()
    {
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        http.Answer = request => (200, "text/html", _server.Respond(request));
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = http.Url });

        var error = Assert.Throws<TimeStampException>(() => client.StampDigest(new byte[32]));

        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StampDigest_WhenServerFails_ReportsTheHttpStatus()
    {
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        http.Answer = _ => (503, "text/plain", "down"u8.ToArray());
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = http.Url });

        var error = Assert.Throws<TimeStampException>(() => client.StampDigest(new byte[32]));

        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StampDigest_WhenAuthorityRejectsThePolicy_ReportsTheRefusal()
    {
        using var http = new LoopbackTimeStampServer(request => _server.Respond(request));
        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = http.Url, RequestPolicyOid = "1.2.3.4" });

        var error = Assert.Throws<TimeStampException>(() => client.StampDigest(new byte[32]));

        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StampDigest_WhenNothingListens_FailsWithTimeStampException()
    {
        int port;
        using (var http = new LoopbackTimeStampServer(request => _server.Respond(request)))
        {
            port = http.Port;
        }

        using var client = new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = new Uri($"http://127.0.0.1:{port}/tsa/"), Timeout = TimeSpan.FromSeconds(5) });

        Assert.Throws<TimeStampException>(() => client.StampDigest(new byte[32]));
    }

    [Fact]
    public void Options_WhenUrlIsNotHttp_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = new Uri("file:///tmp/x") }));
    }
}
