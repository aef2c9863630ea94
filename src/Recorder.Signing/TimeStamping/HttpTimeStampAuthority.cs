using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tsp;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Recorder.Signing.TimeStamping;

/// <summary>Settings of <see cref="HttpTimeStampAuthority"/>.</summary>
public sealed record HttpTimeStampAuthorityOptions
{
    /// <summary>The authority's RFC 3161 HTTP endpoint (RFC 3161 §3.4).</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// The certificate tokens must be signed with or issued under (the authority's certificate or
    /// its CA). Without one, a token is checked only against the certificate it carries, which
    /// proves integrity but not which authority signed it.
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>A policy to ask for (<c>reqPolicy</c>); null lets the authority choose.</summary>
    public string? RequestPolicyOid { get; init; }

    /// <summary>How long to wait for the answer. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("Url must be an absolute http or https URL", nameof(Url));
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Timeout must be positive", nameof(Timeout));
        }

        if (RequestPolicyOid is not null && !DerObjectIdentifier.TryFromID(RequestPolicyOid, out _))
        {
            throw new ArgumentException($"'{RequestPolicyOid}' is not an object identifier", nameof(RequestPolicyOid));
        }
    }
}

/// <summary>
/// An RFC 3161 client for an external time-stamp authority: posts a <c>TimeStampReq</c> (SHA-256
/// imprint, a fresh 64-bit nonce, <c>certReq</c> true) as <c>application/timestamp-query</c> and
/// accepts the answer only if it is granted, echoes the imprint and nonce, and its token's signature
/// verifies against the configured certificate (or, without one, the certificate the token carries).
/// </summary>
public sealed class HttpTimeStampAuthority : ITimeStampAuthority, IDisposable
{
    private const string QueryMediaType = "application/timestamp-query";
    private const string ReplyMediaType = "application/timestamp-reply";

    private readonly HttpTimeStampAuthorityOptions _options;
    private readonly HttpClient _client;
    private readonly BcCertificate? _trusted;

    /// <summary>Creates the client; <paramref name="handler"/> replaces the default HTTP handler (e.g. for a proxy).</summary>
    public HttpTimeStampAuthority(HttpTimeStampAuthorityOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = options.Timeout;
        _trusted = TimeStampVerifier.ToBouncyCastle(options.TrustedCertificate);
        TrustAnchorPem = _trusted is null ? null : TimeStampVerifier.Pem(_trusted);
    }

    /// <inheritdoc />
    public string Description => _options.Url.ToString();

    /// <inheritdoc />
    public string? TrustAnchorPem { get; }

    /// <inheritdoc />
    public TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != 32)
        {
            throw new ArgumentException("a SHA-256 digest is 32 bytes", nameof(sha256Digest));
        }

        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        if (_options.RequestPolicyOid is not null)
        {
            generator.SetReqPolicy(new DerObjectIdentifier(_options.RequestPolicyOid));
        }

        var nonce = new BigInteger(1, RandomNumberGenerator.GetBytes(8));
        var request = generator.Generate(NistObjectIdentifiers.IdSha256, sha256Digest.ToArray(), nonce);
        var body = Post(request.GetEncoded());
        TimeStampResponse response;
        try
        {
            response = new TimeStampResponse(body);
        }
        catch (Exception e) when (e is TspException or IOException or ArgumentException or InvalidCastException or Asn1Exception)
        {
            throw new TimeStampException($"{Description}: answer is not an RFC 3161 TimeStampResp: {e.Message}", e);
        }

        return TimeStampResponses.Accept(Description, request, response, _trusted);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private byte[] Post(byte[] requestDer)
    {
        using var content = new ByteArrayContent(requestDer);
        content.Headers.ContentType = new MediaTypeHeaderValue(QueryMediaType);
        using var message = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = content };
        try
        {
            using var answer = _client.Send(message);
            if (!answer.IsSuccessStatusCode)
            {
                throw new TimeStampException($"{Description}: HTTP {(int)answer.StatusCode} {answer.ReasonPhrase}");
            }

            var type = answer.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(type, ReplyMediaType, StringComparison.OrdinalIgnoreCase))
            {
                throw new TimeStampException($"{Description}: answered with content type '{type}', expected {ReplyMediaType}");
            }

            using var stream = answer.Content.ReadAsStream();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new TimeStampException($"{Description}: request failed: {e.Message}", e);
        }
    }
}
