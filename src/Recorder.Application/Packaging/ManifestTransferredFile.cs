using System.Text.Json.Nodes;
using Recorder.Core.Time;

namespace Recorder.Application.Packaging;

/// <summary>
/// One transferred file the package carries (<c>files[]</c> of manifest.json): where it and its
/// sidecar are in the package, its hashes (lower-case hex), and what its <c>files.extracted</c>
/// entry recorded of it.
/// </summary>
/// <param name="File">Its path inside the package (<c>files/EXTRACTION-ID/NAME</c>).</param>
/// <param name="Sidecar">Its JSON sidecar's path inside the package.</param>
/// <param name="ExtractionId">The extraction that wrote it.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Type">Its type recognised from its content.</param>
/// <param name="Protocol"><c>http</c>, <c>smtp</c> or <c>ftp</c>.</param>
/// <param name="Direction"><c>upload</c> or <c>download</c>.</param>
/// <param name="SegmentId">The segment whose packets held it.</param>
/// <param name="SessionId">The session (in that segment's metadata) whose packets held it.</param>
/// <param name="ExtractedAt">The time of its <c>files.extracted</c> entry.</param>
/// <param name="ExtractedSeq">That entry's sequence number.</param>
/// <param name="Sha256">SHA-256 of the file (the one the ledger recorded).</param>
/// <param name="Sha1">SHA-1 of the file.</param>
/// <param name="Md5">MD5 of the file.</param>
/// <param name="SidecarSha256">SHA-256 of the sidecar (the one the ledger recorded).</param>
internal sealed record ManifestTransferredFile(
    string File,
    string Sidecar,
    string ExtractionId,
    long Bytes,
    string Type,
    string Protocol,
    string Direction,
    long SegmentId,
    long SessionId,
    Timestamp ExtractedAt,
    long ExtractedSeq,
    string Sha256,
    string Sha1,
    string Md5,
    string SidecarSha256)
{
    /// <summary>The <c>files[]</c> entry.</summary>
    public JsonObject ToJson() => new()
    {
        ["file"] = File,
        ["sidecar"] = Sidecar,
        ["extractionId"] = ExtractionId,
        ["bytes"] = Bytes,
        ["type"] = Type,
        ["protocol"] = Protocol,
        ["direction"] = Direction,
        ["segmentId"] = SegmentId,
        ["sessionId"] = SessionId,
        ["extractedAt"] = ExtractedAt.ToString(),
        ["extractedSeq"] = ExtractedSeq,
        ["sha256"] = Sha256,
        ["sha1"] = Sha1,
        ["md5"] = Md5,
        ["sidecarSha256"] = SidecarSha256,
    };

    /// <summary>Reads a <c>files[]</c> entry.</summary>
    public static ManifestTransferredFile Read(ManifestReader json) => new(
        json.Text("file"),
        json.Text("sidecar"),
        json.Text("extractionId"),
        json.Integer("bytes"),
        json.Text("type"),
        json.Text("protocol"),
        json.Text("direction"),
        json.Integer("segmentId"),
        json.Integer("sessionId"),
        json.Time("extractedAt"),
        json.Integer("extractedSeq"),
        json.Text("sha256"),
        json.Text("sha1"),
        json.Text("md5"),
        json.Text("sidecarSha256"));
}
