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

    /// <summary>Every SMTP message: envelope, main headers and attachments.</summary>
    public required IReadOnlyList<ContentSmtpMessage> SmtpMessages { get; init; }

    /// <summary>Every FTP control session, with its commands and the files its data connections carried.</summary>
    public required IReadOnlyList<ContentFtpSession> FtpSessions { get; init; }

    /// <summary>Every QUIC connection whose Initial packets carry a ClientHello and a ServerHello.</summary>
    public required IReadOnlyList<ContentQuicConnection> QuicConnections { get; init; }

    /// <summary>Indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonType);
}

/// <summary>One conversation: its endpoints and the application Recorder should identify from its payload (<c>unknown</c> when none).</summary>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
/// <param name="Client">Client address.</param>
/// <param name="ClientPort">Client port.</param>
/// <param name="Server">Server address.</param>
/// <param name="ServerPort">Server port.</param>
/// <param name="Application"><c>dns</c>, <c>http</c>, <c>tls</c>, <c>smtp</c>, <c>ftp</c>, <c>ftp-data</c>, <c>quic</c> or <c>unknown</c>.</param>
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

/// <summary>The bytes of a transferred file as the generator made them, and the type its first bytes were written to have.</summary>
/// <param name="Name">The file name the protocol gives (MIME filename, last component of the FTP path).</param>
/// <param name="Size">Length in bytes (decoded: after base64 or quoted-printable).</param>
/// <param name="Sha256">SHA-256, lower-case hex.</param>
/// <param name="Sha1">SHA-1, lower-case hex.</param>
/// <param name="Md5">MD5, lower-case hex.</param>
/// <param name="Type">The type of its content (docs/sessions.md "Transferred files": <c>pdf</c>, <c>png</c>, <c>text</c>, <c>gzip</c>, <c>elf</c>…).</param>
/// <param name="MediaType">That type's media type.</param>
public sealed record ContentFile(string Name, long Size, string Sha256, string Sha1, string Md5, string Type, string MediaType);

/// <summary>One MIME attachment of an SMTP message.</summary>
/// <param name="DeclaredContentType">The part's Content-Type (without parameters).</param>
/// <param name="TransferEncoding"><c>base64</c> or <c>quoted-printable</c>.</param>
/// <param name="File">The decoded file.</param>
public sealed record ContentSmtpAttachment(string DeclaredContentType, string TransferEncoding, ContentFile File);

/// <summary>One SMTP message sent with EHLO, MAIL FROM, RCPT TO and DATA.</summary>
/// <param name="Session">The SMTP session it was sent in.</param>
/// <param name="Helo">The EHLO argument.</param>
/// <param name="MailFrom">MAIL FROM's path (without angle brackets).</param>
/// <param name="RcptTo">Every RCPT TO path, in order.</param>
/// <param name="From">The From header.</param>
/// <param name="To">The To header.</param>
/// <param name="Subject">The Subject header.</param>
/// <param name="MessageId">The Message-ID header (with its angle brackets).</param>
/// <param name="Attachments">The attachments, in order.</param>
public sealed record ContentSmtpMessage(ContentSession Session, string Helo, string MailFrom, IReadOnlyList<string> RcptTo, string From, string To,
    string Subject, string MessageId, IReadOnlyList<ContentSmtpAttachment> Attachments);

/// <summary>One FTP control session.</summary>
/// <param name="Session">The control connection.</param>
/// <param name="User">The USER argument.</param>
/// <param name="Commands">Every command verb the client sent, in order.</param>
/// <param name="Transfers">The file transfers, in order.</param>
public sealed record ContentFtpSession(ContentSession Session, string User, IReadOnlyList<string> Commands, IReadOnlyList<ContentFtpTransfer> Transfers);

/// <summary>A file moved over an FTP data connection (stream mode: the sender closes the connection at its end).</summary>
/// <param name="Command"><c>RETR</c> or <c>STOR</c>.</param>
/// <param name="Path">The command's argument.</param>
/// <param name="Direction"><c>download</c> (the FTP server sent it) or <c>upload</c>.</param>
/// <param name="Passive">True when set up with PASV (the FTP client connects), false with PORT (the FTP server connects from port 20).</param>
/// <param name="DataSession">The data connection (its client is the side that connected); the session <see cref="ContentFtpSession.Session"/> it belongs to sets it up.</param>
/// <param name="File">The file.</param>
public sealed record ContentFtpTransfer(string Command, string Path, string Direction, bool Passive, ContentSession DataSession, ContentFile File);

/// <summary>One QUIC version 1 connection's Initial exchange, protected as RFC 9001 §5 says.</summary>
/// <param name="Session">The UDP conversation.</param>
/// <param name="Version">The QUIC version number (1).</param>
/// <param name="OriginalDestinationConnectionId">The client's first destination connection ID (the Initial keys' input), lower-case hex.</param>
/// <param name="ServerName">The ClientHello's server_name.</param>
/// <param name="Alpn">The ClientHello's ALPN protocols.</param>
/// <param name="Ja3">JA3 of the ClientHello, computed from the fields written.</param>
/// <param name="Ja3S">JA3S of the ServerHello.</param>
/// <param name="Ja4">JA4 of the ClientHello.</param>
/// <param name="Ja4S">JA4S of the ServerHello.</param>
public sealed record ContentQuicConnection(ContentSession Session, uint Version, string OriginalDestinationConnectionId, string ServerName,
    IReadOnlyList<string> Alpn, string Ja3, string Ja3S, string Ja4, string Ja4S);

/// <summary>Serialization metadata for <see cref="ContentTruth"/>, generated at compile time (the native CLI has no reflection).</summary>
[JsonSerializable(typeof(ContentTruth))]
internal sealed partial class ContentTruthJsonContext : JsonSerializerContext;
