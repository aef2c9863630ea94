using Recorder.Core.Packets;
using Recorder.Sessions.Files;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Ftp;

/// <summary>A data connection an FTP control session announced and that has not opened yet.</summary>
internal sealed class FtpDataExpectation
{
    /// <summary>The control session's record in this builder; null for an announcement carried from the previous segment.</summary>
    public SessionRecord? Control { get; private init; }

    /// <summary>The control session's id (in <see cref="ControlSegment"/> when set, else in this builder).</summary>
    public required long ControlId { get; init; }

    /// <summary>The segment of a carried announcement's control session; null when it is in this builder.</summary>
    public long? ControlSegment { get; init; }

    /// <summary>True when the control session is IPv6.</summary>
    public required bool IPv6 { get; init; }

    /// <summary>The control session's client address as text.</summary>
    public required string ControlClient { get; init; }

    /// <summary>The control session's server address as text.</summary>
    public required string ControlServer { get; init; }

    /// <summary>The announced address as text, or null when the announcement gave only a port.</summary>
    public string? Address { get; init; }

    /// <summary>The announced port: the data connection's listening side.</summary>
    public required ushort Port { get; init; }

    /// <summary>True for PASV/EPSV (the FTP server listens), false for PORT/EPRT (the client listens).</summary>
    public required bool Passive { get; init; }

    /// <summary>When the announcement was seen (Unix nanoseconds).</summary>
    public required long AnnouncedNanoseconds { get; init; }

    /// <summary>A connection whose first packet is later does not claim it (carried announcements only).</summary>
    public long NotAfterNanoseconds { get; init; } = long.MaxValue;

    /// <summary>The transfer command that used this connection, once the control session sent it.</summary>
    public FtpTransfer? Transfer { get; set; }

    public static FtpDataExpectation Announced(SessionRecord control, string? address, ushort port, bool passive, long timestamp) => new()
    {
        Control = control,
        ControlId = control.Id,
        IPv6 = control.Network == NetworkKind.IPv6,
        ControlClient = control.Format(control.Client),
        ControlServer = control.Format(control.Server),
        Address = address,
        Port = port,
        Passive = passive,
        AnnouncedNanoseconds = timestamp,
    };

    /// <summary>An announcement of the previous segment's metadata, with the transfer command it recorded.</summary>
    public static FtpDataExpectation? Carried(FtpCarriedData carried)
    {
        var waiting = carried.Waiting;
        if (waiting.Port is < 1 or > ushort.MaxValue)
        {
            return null;
        }

        return new FtpDataExpectation
        {
            ControlId = carried.ControlSession,
            ControlSegment = carried.ControlSegment,
            IPv6 = carried.IPv6,
            ControlClient = carried.ControlClient,
            ControlServer = carried.ControlServer,
            Address = waiting.Address,
            Port = (ushort)waiting.Port,
            Passive = waiting.Passive,
            AnnouncedNanoseconds = waiting.AnnouncedNanoseconds,
            NotAfterNanoseconds = carried.NotAfterNanoseconds,
            Transfer = waiting.Command is null ? null : new FtpTransfer
            {
                Command = waiting.Command,
                Path = waiting.Path,
                Direction = FtpTransfer.DirectionOf(waiting.Command),
                Passive = waiting.Passive,
                AnnouncedBytes = waiting.AnnouncedBytes,
            },
        };
    }

    /// <summary>This announcement as a control session's record keeps it when no connection used it.</summary>
    public FtpWaitingData ToWaiting() => new()
    {
        Address = Address,
        Port = Port,
        Passive = Passive,
        AnnouncedNanoseconds = AnnouncedNanoseconds,
        Command = Transfer?.Command,
        Path = Transfer?.Path,
        AnnouncedBytes = Transfer?.AnnouncedBytes,
    };
}

/// <summary>
/// The data connections the FTP control sessions of one <see cref="SessionBuilder"/> announced, and
/// the claiming of a new TCP session as one of them. A data connection matches when its listening
/// side is the announced port on the announced address or, because NAT rewrites PORT and 227
/// addresses, on the control session's own address of that side (the FTP server for passive mode,
/// the client for active mode). At most <see cref="MaxPending"/> announcements wait; the oldest is
/// dropped beyond that, and a control session's unused ones are dropped when it ends. Announcements
/// carried from the previous segment wait from the start, older than any of this builder's, and
/// claim only a connection that opens before their time limit.
/// </summary>
internal sealed class FtpDataChannels
{
    public const int MaxPending = 4096;

    private readonly List<FtpDataExpectation> _pending = [];
    private readonly FileObserver? files;

    public FtpDataChannels(FileObserver? files, IReadOnlyList<FtpCarriedData>? carried = null)
    {
        this.files = files;
        foreach (var announcement in carried ?? [])
        {
            if (FtpDataExpectation.Carried(announcement) is { } expectation)
            {
                Expect(expectation);
            }
        }
    }

    public void Expect(FtpDataExpectation expectation)
    {
        // A newer announcement of the same endpoint replaces the older one (a client that sent PASV twice).
        _pending.RemoveAll(e => e.Port == expectation.Port && e.Address == expectation.Address);
        if (_pending.Count >= MaxPending)
        {
            _pending.RemoveAt(0);
        }

        _pending.Add(expectation);
    }

    /// <summary>Drops the announcements of <paramref name="control"/> no connection used, and returns them in the order they were made.</summary>
    public List<FtpDataExpectation> Forget(SessionRecord control)
    {
        var unused = _pending.FindAll(e => e.Control == control);
        if (unused.Count > 0)
        {
            _pending.RemoveAll(e => e.Control == control);
        }

        return unused;
    }

    public IStreamDissector? Claim(SessionRecord session)
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var expected = _pending[i];
            if (session.FirstNanoseconds > expected.NotAfterNanoseconds)
            {
                continue;
            }

            if (Listens(session, session.Server, expected) || Listens(session, session.Client, expected))
            {
                _pending.RemoveAt(i);
                return new FtpDataDissector(session, expected, files);
            }
        }

        return null;
    }

    private static bool Listens(SessionRecord session, SessionEndpoint endpoint, FtpDataExpectation expected)
    {
        if (endpoint.Port != expected.Port || (session.Network == NetworkKind.IPv6) != expected.IPv6)
        {
            return false;
        }

        var address = session.Format(endpoint);
        return address == expected.Address || address == (expected.Passive ? expected.ControlServer : expected.ControlClient);
    }
}

/// <summary>
/// An FTP data connection (stream mode, RFC 959 §3.4.1: the file is every octet the sender sent, and
/// its end is the sender closing the connection). Each direction that carried octets is one
/// <see cref="TransferredFile"/> (protocol <c>ftp</c>); its direction is download when the FTP server
/// sent it. Complete when no gap cut it, the sender's FIN was seen, the transfer's final reply (when
/// seen) is not 4yz/5yz, and a size the 150 reply announced (when given) equals the octets seen.
/// </summary>
internal sealed class FtpDataDissector(SessionRecord session, FtpDataExpectation expected, FileObserver? files) : IStreamDissector
{
    private const byte Fin = 0x01;

    private FileDigest? _fromClient;
    private FileDigest? _fromServer;
    private bool _clientGap;
    private bool _serverGap;

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        if (fromClient ? _clientGap : _serverGap)
        {
            // Octets after a gap are not the file's next octets.
            return;
        }

        ref var digest = ref fromClient ? ref _fromClient : ref _fromServer;
        digest ??= Start(fromClient, timestampNanoseconds);
        digest.Append(data);
    }

    public void OnGap(bool fromClient, long missingBytes)
    {
        if (fromClient)
        {
            _clientGap = true;
        }
        else
        {
            _serverGap = true;
        }

        ref var digest = ref fromClient ? ref _fromClient : ref _fromServer;
        digest ??= Start(fromClient, null);
        digest.File.Issues |= TransferredFileIssues.Gap;
    }

    public void OnEnd()
    {
        End(_fromClient, true);
        End(_fromServer, false);
    }

    private FileDigest Start(bool fromClient, long? timestamp)
    {
        var sender = fromClient ? session.Client : session.Server;
        var byServer = session.Format(sender) == expected.ControlServer;
        var file = new TransferredFile
        {
            Protocol = "ftp",
            SessionId = session.Id,
            ControlSessionId = expected.ControlId,
            ControlSegmentId = expected.ControlSegment,
            Direction = byServer ? TransferDirection.Download : TransferDirection.Upload,
            Nanoseconds = timestamp,
            ContentDecoded = true,
        };
        return new FileDigest(file, files?.Content);
    }

    private void End(FileDigest? digest, bool fromClient)
    {
        if (digest is null)
        {
            return;
        }

        var file = digest.File;
        var transfer = expected.Transfer;
        if (transfer is not null)
        {
            file.Command = transfer.Command;
            file.Uri = transfer.Path;
            file.Name = FileNames.LastSegment(transfer.Path);
            file.NameSource = string.IsNullOrEmpty(file.Name) ? FileNameSource.None : FileNameSource.FtpCommand;
            if (string.IsNullOrEmpty(file.Name))
            {
                file.Name = null;
            }
        }

        var flags = fromClient ? session.ClientTcpFlags : session.ServerTcpFlags;
        if ((flags & Fin) == 0 || transfer?.Reply is >= 400 || (transfer?.AnnouncedBytes is { } announced && announced != file.Length))
        {
            file.Issues |= TransferredFileIssues.Truncated;
        }

        file.EncodedLength = file.Length;
        file.WireLength = file.Length;
        digest.Finish();
        files?.OnFile(file);
    }
}
