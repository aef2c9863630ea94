namespace Recorder.Sessions.Ftp;

/// <summary>
/// A data connection an FTP control session announced (PORT, EPRT, 227, 229) that no connection had
/// used when the session's segment ended (docs/sessions.md, "FTP data connections across segments").
/// </summary>
public sealed record FtpWaitingData
{
    /// <summary>The announced address as text (IPv6 without brackets), or null when the announcement gave only a port.</summary>
    public string? Address { get; init; }

    /// <summary>The announced port: the data connection's listening side.</summary>
    public required int Port { get; init; }

    /// <summary>True for PASV/EPSV (the FTP server listens), false for PORT/EPRT (the client listens).</summary>
    public required bool Passive { get; init; }

    /// <summary>When the announcement was seen (Unix nanoseconds): the time limit of its carrying counts from here.</summary>
    public required long AnnouncedNanoseconds { get; init; }

    /// <summary>The transfer command sent after it (RETR, STOR…), when the segment held it; else null.</summary>
    public string? Command { get; init; }

    /// <summary>That command's path, as the client gave it.</summary>
    public string? Path { get; init; }

    /// <summary>Bytes a 150 reply announced for the transfer, when given.</summary>
    public long? AnnouncedBytes { get; init; }
}

/// <summary>
/// An announcement carried from the previous segment's metadata into the build of the next: a
/// <see cref="FtpWaitingData"/> with the control session that made it (its segment and id, its
/// endpoints' addresses) and the last first-packet time of a data connection that may still claim it.
/// </summary>
/// <param name="ControlSegment">The segment of the control session's record.</param>
/// <param name="ControlSession">The control session's id in that segment.</param>
/// <param name="IPv6">True when the control session is IPv6.</param>
/// <param name="ControlClient">The control session's client address as the record gives it.</param>
/// <param name="ControlServer">The control session's server address as the record gives it.</param>
/// <param name="Waiting">The announcement.</param>
/// <param name="NotAfterNanoseconds">A data connection whose first packet is later than this does not claim it.</param>
public sealed record FtpCarriedData(long ControlSegment, long ControlSession, bool IPv6, string ControlClient, string ControlServer,
    FtpWaitingData Waiting, long NotAfterNanoseconds);
