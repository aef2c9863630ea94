namespace Recorder.Reporting.Model;

/// <summary>A transferred file (an HTTP body, an SMTP attachment, FTP data) extracted from the packets and carried in the package beside them.</summary>
/// <param name="Name">Path inside the package, e.g. <c>files/EXTRACTION-ID/HASH-report.pdf</c>.</param>
/// <param name="SizeBytes">File size in bytes.</param>
/// <param name="Type">Its type as recognised from its content (<c>pdf</c>, <c>zip</c>, …), never from a name the traffic claimed.</param>
/// <param name="Protocol">The protocol that carried it (<c>http</c>, <c>smtp</c>, <c>ftp</c>).</param>
/// <param name="Direction"><c>upload</c> or <c>download</c>.</param>
/// <param name="SegmentId">The sealed segment whose packets held it.</param>
/// <param name="SessionId">The session (in that segment's metadata) whose packets held it.</param>
/// <param name="ExtractionId">The audited extraction that wrote it (its <c>files.extracted</c> ledger entry).</param>
/// <param name="Sha256">SHA-256 of the file, 64 lower-case hex digits.</param>
/// <param name="Sha1">SHA-1 of the file, 40 lower-case hex digits.</param>
/// <param name="Md5">MD5 of the file, 32 lower-case hex digits.</param>
public sealed record TransferredFileRecord(
    string Name,
    long SizeBytes,
    string Type,
    string Protocol,
    string Direction,
    long SegmentId,
    long SessionId,
    string ExtractionId,
    string Sha256,
    string Sha1,
    string Md5);
