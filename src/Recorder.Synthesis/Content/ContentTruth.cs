using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Recorder.Synthesis.Content;

/// <summary>
/// Ground truth of a capture written by <see cref="ContentSynthesizer"/>: what each conversation
/// carries at the application layer, from what the generator wrote (it never decodes its output).
/// Lists are multisets in the order written.
/// </summary>
public sealed record ContentTruth
{
    private static readonly JsonTypeInfo<ContentTruth> JsonType = (JsonTypeInfo<ContentTruth>)new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = ContentTruthJsonContext.Default,
    }.GetTypeInfo(typeof(ContentTruth));

    /// <summary>Always <c>Recorder.Synthesis.Content</c>.</summary>
    public string Generator { get; init; } = "Recorder.Synthesis.Content";

    /// <summary>The seed the capture was made from: the same seed gives the same bytes.</summary>
    public ulong Seed { get; init; }

    /// <summary>Packets written.</summary>
    public long Packets { get; init; }

    /// <summary>Exact length of the capture file.</summary>
    public long FileBytes { get; init; }

    /// <summary>Every conversation, in the order written.</summary>
    public required IReadOnlyList<ContentSession> Sessions { get; init; }

    /// <summary>The question name of every DNS message (queries and responses), including DNS on a port other than 53.</summary>
    public required IReadOnlyList<string> DnsQueryNames { get; init; }

    /// <summary>Every HTTP request.</summary>
    public required IReadOnlyList<ContentHttpRequest> HttpRequests { get; init; }

    /// <summary>Every HTTP response body as a file: its decoded content's hash and how it was framed and encoded.</summary>
    public required IReadOnlyList<ContentHttpObject> HttpObjects { get; init; }

    /// <summary>Every TLS handshake.</summary>
    public required IReadOnlyList<ContentTlsHandshake> TlsHandshakes { get; init; }

    /// <summary>Indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonType);
}

/// <summary>One conversation: its endpoints and the application Recorder should identify from its payload (<c>unknown</c> when none).</summary>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
/// <param name="Client">Client address.</param>
/// <param name="ClientPort">Client port.</param>
/// <param name="Server">Server address.</param>
/// <param name="ServerPort">Server port.</param>
/// <param name="Application"><c>dns</c>, <c>http</c>, <c>tls</c> or <c>unknown</c>.</param>
public sealed record ContentSession(string Protocol, string Client, int ClientPort, string Server, int ServerPort, string Application);

/// <summary>One HTTP/1.1 request.</summary>
/// <param name="Method">Request method.</param>
/// <param name="Host">Host header.</param>
/// <param name="Uri">Request target.</param>
/// <param name="UserAgent">User-Agent header.</param>
public sealed record ContentHttpRequest(string Method, string Host, string Uri, string UserAgent);

/// <summary>One response body.</summary>
/// <param name="Uri">The request target it answers.</param>
/// <param name="Framing"><c>content-length</c> or <c>chunked</c>.</param>
/// <param name="ContentEncoding"><c>gzip</c>, or null for none.</param>
/// <param name="Length">Decoded length in bytes.</param>
/// <param name="Sha256">SHA-256 of the decoded content, lower-case hex.</param>
public sealed record ContentHttpObject(string Uri, string Framing, string? ContentEncoding, long Length, string Sha256);

/// <summary>One TLS 1.2 handshake in clear.</summary>
/// <param name="ServerName">The ClientHello's server_name.</param>
/// <param name="Ja3">JA3 of the ClientHello.</param>
/// <param name="Ja3S">JA3S of the ServerHello.</param>
/// <param name="CertificateSha256">SHA-256 of the server certificate's DER, lower-case hex.</param>
/// <param name="CertificateSubject">The certificate's subject.</param>
public sealed record ContentTlsHandshake(string ServerName, string Ja3, string Ja3S, string CertificateSha256, string CertificateSubject);

/// <summary>Serialization metadata for <see cref="ContentTruth"/>, generated at compile time (the native CLI has no reflection).</summary>
[JsonSerializable(typeof(ContentTruth))]
internal sealed partial class ContentTruthJsonContext : JsonSerializerContext;
