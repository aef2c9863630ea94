namespace Recorder.Sessions.Smtp;

/// <summary>An SMTP session: the envelope and the messages sent in the clear (RFC 5321, RFC 5322, MIME RFC 2045–2047).</summary>
public sealed class SmtpSessionMetadata : ISessionMetadata
{
    /// <summary>Messages kept per session (the rest are counted).</summary>
    public const int MaxMessages = 32;

    /// <inheritdoc />
    public string Application => "smtp";

    /// <summary>The server's greeting (the 220 line).</summary>
    public string? Greeting { get; internal set; }

    /// <summary>The name the client gave in EHLO/HELO.</summary>
    public string? Helo { get; internal set; }

    /// <summary>The AUTH mechanism the client used (credentials are never kept).</summary>
    public string? AuthMechanism { get; internal set; }

    /// <summary>True when the session switched to TLS (STARTTLS accepted): nothing after it is readable.</summary>
    public bool StartTls { get; internal set; }

    /// <summary>The messages, in order.</summary>
    public List<SmtpMessage> Messages { get; } = [];

    /// <summary>Messages seen beyond <see cref="MaxMessages"/>.</summary>
    public long MessagesNotKept { get; internal set; }

    /// <summary>Why reading stopped early (a gap, a line over the limit…), else null.</summary>
    public string? Problem { get; internal set; }
}

/// <summary>One message: its envelope, its main headers and its attachments.</summary>
public sealed class SmtpMessage
{
    /// <summary>Attachments kept per message.</summary>
    public const int MaxAttachments = 64;

    /// <summary>MAIL FROM's reverse path.</summary>
    public string? MailFrom { get; internal set; }

    /// <summary>RCPT TO's forward paths.</summary>
    public List<string> RcptTo { get; } = [];

    /// <summary>The reply to the end of the data (e.g. <c>250</c>); null when none was seen.</summary>
    public int? Reply { get; internal set; }

    /// <summary>The From header.</summary>
    public string? From { get; internal set; }

    /// <summary>The To header.</summary>
    public string? To { get; internal set; }

    /// <summary>The Cc header.</summary>
    public string? Cc { get; internal set; }

    /// <summary>The Subject header (encoded words left as sent).</summary>
    public string? Subject { get; internal set; }

    /// <summary>The Date header.</summary>
    public string? Date { get; internal set; }

    /// <summary>The Message-ID header.</summary>
    public string? MessageId { get; internal set; }

    /// <summary>The User-Agent or X-Mailer header.</summary>
    public string? Mailer { get; internal set; }

    /// <summary>Bytes of message data (after dot-unstuffing).</summary>
    public long Bytes { get; internal set; }

    /// <summary>True when the data ended with its terminating dot line (not cut by a gap or the end of the capture).</summary>
    public bool Complete { get; internal set; }

    /// <summary>The attachments (MIME parts with a file name or disposition <c>attachment</c>), decoded.</summary>
    public List<SmtpAttachment> Attachments { get; } = [];
}

/// <summary>An attachment of an <see cref="SmtpMessage"/>: its decoded content's hashes and size.</summary>
public sealed record SmtpAttachment
{
    /// <summary>The file name (Content-Disposition filename, else Content-Type name).</summary>
    public string? FileName { get; init; }

    /// <summary>The declared content type.</summary>
    public string? ContentType { get; init; }

    /// <summary>The transfer encoding (base64, quoted-printable, 7bit…).</summary>
    public string? TransferEncoding { get; init; }

    /// <summary>Decoded size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>SHA-256 of the decoded content (lower-case hex).</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-1 of the decoded content.</summary>
    public required string Sha1 { get; init; }

    /// <summary>MD5 of the decoded content.</summary>
    public required string Md5 { get; init; }

    /// <summary>True when the part ended at its boundary; false when the message was cut, so the hashes are of a prefix, never the file's.</summary>
    public required bool Complete { get; init; }

    /// <summary>Characters the decoder had to skip (not base64 alphabet, a bad =XX), 0 for a clean part.</summary>
    public long InvalidCharacters { get; init; }
}
