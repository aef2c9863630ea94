using Recorder.Sessions.Files;

namespace Recorder.Sessions.Search;

/// <summary>One file a session carried, as a session record keeps it (docs/sessions.md, "Transferred files").</summary>
public sealed record SessionFile
{
    /// <summary><c>http</c>, <c>smtp</c> or <c>ftp</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary><c>upload</c> (client to server) or <c>download</c>.</summary>
    public required string Direction { get; init; }

    /// <summary>The name the traffic gave (Content-Disposition, URI, MIME part, FTP path's last component): a claim, not a path to use.</summary>
    public string? Name { get; init; }

    /// <summary>The type recognised from the content (<see cref="FileType.Name"/>).</summary>
    public required string Type { get; init; }

    /// <summary>Its media type.</summary>
    public required string MediaType { get; init; }

    /// <summary>Octets of the file (decoded); of the part seen when incomplete.</summary>
    public required long Size { get; init; }

    /// <summary>SHA-256 when complete.</summary>
    public string? Sha256 { get; init; }

    /// <summary>SHA-1 when complete.</summary>
    public string? Sha1 { get; init; }

    /// <summary>MD5 when complete.</summary>
    public string? Md5 { get; init; }

    /// <summary>SHA-256 of the octets seen when incomplete: never the file's hash.</summary>
    public string? PartialSha256 { get; init; }

    /// <summary>Why it is incomplete (<see cref="TransferredFileIssues"/> names, comma-separated), null when complete.</summary>
    public string? Issues { get; init; }

    /// <summary>The FTP command that moved it, when known.</summary>
    public string? Command { get; init; }

    /// <summary>For FTP, the control session's id in the same segment.</summary>
    public long? ControlSession { get; init; }

    /// <summary>For FTP, the segment of <see cref="ControlSession"/> when it is not this record's segment (the previous one); null when it is the same.</summary>
    public long? ControlSegment { get; init; }

    /// <summary>True when the whole file was seen.</summary>
    public bool Complete => Sha256 is not null;

    /// <summary>The record of <paramref name="file"/>.</summary>
    public static SessionFile From(TransferredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new SessionFile
        {
            Protocol = file.Protocol,
            Direction = file.Direction == TransferDirection.Upload ? "upload" : "download",
            Name = file.Name,
            Type = file.Type.Name,
            MediaType = file.Type.MediaType,
            Size = file.Length,
            Sha256 = file.Sha256,
            Sha1 = file.Sha1,
            Md5 = file.Md5,
            PartialSha256 = file.PartialSha256,
            Issues = file.Complete ? null : file.Issues.ToString(),
            Command = file.Command,
            ControlSession = file.ControlSessionId,
            ControlSegment = file.ControlSegmentId,
        };
    }
}
