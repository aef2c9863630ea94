namespace Recorder.Sessions.Files;

/// <summary>Which way a file went, seen from the client of the application (HTTP, SMTP, FTP control).</summary>
public enum TransferDirection
{
    /// <summary>Client to server (an HTTP request body, an SMTP attachment, an FTP STOR/STOU/APPE).</summary>
    Upload,

    /// <summary>Server to client (an HTTP response body, an FTP RETR or listing).</summary>
    Download,
}

/// <summary>Why a file is incomplete or not decoded (several may hold).</summary>
[Flags]
public enum TransferredFileIssues
{
    /// <summary>None: the file is complete.</summary>
    None = 0,

    /// <summary>A gap in the capture removed part of the body.</summary>
    Gap = 1,

    /// <summary>
    /// The body ended before its framing said (connection closed or framing lost); for FTP, the data
    /// connection ended without its sender's FIN, or the control session's reply said the transfer failed.
    /// </summary>
    Truncated = 2,

    /// <summary>Decoding stopped at <see cref="FileExtractionOptions.MaxDecodedBytes"/> (decompression bomb limit).</summary>
    DecodedLimit = 4,

    /// <summary>The content coding was malformed, or its compressed data ended early.</summary>
    DecodingFailed = 8,
}

/// <summary>Where a file's name came from.</summary>
public enum FileNameSource
{
    /// <summary>No name.</summary>
    None,

    /// <summary>The Content-Disposition filename (RFC 6266).</summary>
    ContentDisposition,

    /// <summary>The last segment of the request URI's path.</summary>
    Uri,

    /// <summary>A MIME part's Content-Disposition filename or Content-Type name (SMTP attachments).</summary>
    MimeHeader,

    /// <summary>The last component of the path of the FTP command (RETR, STOR…) that moved the file.</summary>
    FtpCommand,
}

/// <summary>
/// One object transferred in a session: an HTTP body (after chunked transfer coding and content
/// coding were undone), an SMTP attachment (after base64 or quoted-printable were undone) or the
/// octets of an FTP data connection. Hashes are set only when the whole file was seen (<see cref="Complete"/>);
/// for an incomplete one, <see cref="PartialSha256"/> covers the octets seen and is not the file's hash.
/// </summary>
public sealed class TransferredFile
{
    /// <summary>The application that carried it: <c>http</c>, <c>smtp</c> or <c>ftp</c>.</summary>
    public string Protocol { get; internal set; } = "http";

    /// <summary>The session whose packets hold its octets (<see cref="SessionRecord.Id"/>): for FTP, the data connection.</summary>
    public long SessionId { get; internal set; }

    /// <summary>For FTP, the control session that set the transfer up (in the same builder); else null.</summary>
    public long? ControlSessionId { get; internal set; }

    /// <summary>
    /// For FTP data whose control session is in the previous segment (its announcement was carried
    /// over, docs/sessions.md "FTP data connections across segments"): that segment; null when the
    /// control session is in the same builder.
    /// </summary>
    public long? ControlSegmentId { get; internal set; }

    /// <summary>The FTP command that moved it (RETR, STOR, STOU, APPE, LIST, NLST, MLSD) when the control session named it; else null.</summary>
    public string? Command { get; internal set; }

    /// <summary>The HTTP transaction it came from (<see cref="Http.HttpTransaction.Index"/>), or the SMTP message's ordinal in its session.</summary>
    public long TransactionIndex { get; internal set; }

    /// <summary>Upload (request body) or download (response body).</summary>
    public TransferDirection Direction { get; internal set; }

    /// <summary>Capture time of the message's first octet.</summary>
    public long? Nanoseconds { get; internal set; }

    /// <summary>The file name the protocol gave, or null.</summary>
    public string? Name { get; internal set; }

    /// <summary>Where <see cref="Name"/> came from.</summary>
    public FileNameSource NameSource { get; internal set; }

    /// <summary>The request's Host header.</summary>
    public string? Host { get; internal set; }

    /// <summary>The request URI (HTTP), or the path the FTP command gave.</summary>
    public string? Uri { get; internal set; }

    /// <summary>The Content-Type the sender declared (not checked: see <see cref="Type"/>).</summary>
    public string? DeclaredContentType { get; internal set; }

    /// <summary>The Content-Encoding as sent, or null.</summary>
    public string? ContentEncoding { get; internal set; }

    /// <summary>False when a Content-Encoding was not undone (unknown or several codings): the octets are the encoded ones.</summary>
    public bool ContentDecoded { get; internal set; } = true;

    /// <summary>The type recognised from the content.</summary>
    public FileType Type { get; internal set; } = FileTypes.Empty;

    /// <summary>Octets of the body on the wire (chunk framing included, gaps counted).</summary>
    public long WireLength { get; internal set; }

    /// <summary>Octets of the body after transfer coding (chunks) was removed, before content decoding.</summary>
    public long EncodedLength { get; internal set; }

    /// <summary>Octets of the file (decoded) seen; the file's size when <see cref="Complete"/>.</summary>
    public long Length { get; internal set; }

    /// <summary>True when the whole file was seen and decoded: <see cref="Issues"/> is <see cref="TransferredFileIssues.None"/>.</summary>
    public bool Complete => Issues == TransferredFileIssues.None;

    /// <summary>What made it incomplete.</summary>
    public TransferredFileIssues Issues { get; internal set; }

    /// <summary>The decoder's message when <see cref="TransferredFileIssues.DecodingFailed"/>, else null.</summary>
    public string? DecodingError { get; internal set; }

    /// <summary>SHA-256 (lowercase hex) of the file, when complete.</summary>
    public string? Sha256 { get; internal set; }

    /// <summary>SHA-1 (lowercase hex) of the file, when complete.</summary>
    public string? Sha1 { get; internal set; }

    /// <summary>MD5 (lowercase hex) of the file, when complete.</summary>
    public string? Md5 { get; internal set; }

    /// <summary>SHA-256 of the <see cref="Length"/> octets seen, when incomplete: not the file's hash.</summary>
    public string? PartialSha256 { get; internal set; }
}

/// <summary>Receives a file's decoded octets as they pass (for an audited extraction); must not throw.</summary>
public interface IFileContentSink
{
    /// <summary>A file starts (its record fills in as it goes).</summary>
    void OnFileStart(TransferredFile file);

    /// <summary>Decoded octets, in order; valid only during the call.</summary>
    void OnFileData(TransferredFile file, ReadOnlySpan<byte> data);

    /// <summary>The file ended; <see cref="TransferredFile.Complete"/> says whether the octets given are the whole file.</summary>
    void OnFileEnd(TransferredFile file);
}

/// <summary>Limits of file extraction.</summary>
public sealed record FileExtractionOptions
{
    /// <summary>
    /// Decoded octets kept per file (default 1 GiB). A body that decodes to more is a decompression
    /// bomb as far as Recorder is concerned: decoding stops there and the file is marked
    /// <see cref="TransferredFileIssues.DecodedLimit"/> (incomplete, no hashes claimed).
    /// </summary>
    public long MaxDecodedBytes { get; init; } = 1L << 30;

    /// <summary>Throws when a limit is out of range.</summary>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(MaxDecodedBytes, 1);
}
