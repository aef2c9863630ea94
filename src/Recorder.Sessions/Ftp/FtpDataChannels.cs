using Recorder.Sessions.Files;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Ftp;

/// <summary>A data connection an FTP control session announced and that has not opened yet.</summary>
internal sealed class FtpDataExpectation
{
    /// <summary>The control session.</summary>
    public required SessionRecord Control { get; init; }

    /// <summary>The announced address as text, or null when the announcement gave only a port.</summary>
    public string? Address { get; init; }

    /// <summary>The announced port: the data connection's listening side.</summary>
    public required ushort Port { get; init; }

    /// <summary>True for PASV/EPSV (the FTP server listens), false for PORT/EPRT (the client listens).</summary>
    public required bool Passive { get; init; }

    /// <summary>The transfer command that used this connection, once the control session sent it.</summary>
    public FtpTransfer? Transfer { get; set; }
}

/// <summary>
/// The data connections the FTP control sessions of one <see cref="SessionBuilder"/> announced, and
/// the claiming of a new TCP session as one of them. A data connection matches when its listening
/// side is the announced port on the announced address or, because NAT rewrites PORT and 227
/// addresses, on the control session's own address of that side (the FTP server for passive mode,
/// the client for active mode). At most <see cref="MaxPending"/> announcements wait; the oldest is
/// dropped beyond that, and a control session's unused ones are dropped when it ends.
/// </summary>
internal sealed class FtpDataChannels(FileObserver? files)
{
    public const int MaxPending = 4096;

    private readonly List<FtpDataExpectation> _pending = [];

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

    public void Forget(SessionRecord control) => _pending.RemoveAll(e => e.Control == control);

    public IStreamDissector? Claim(SessionRecord session)
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var expected = _pending[i];
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
        if (endpoint.Port != expected.Port || session.Network != expected.Control.Network)
        {
            return false;
        }

        var address = session.Format(endpoint);
        var controlSide = expected.Passive ? expected.Control.Server : expected.Control.Client;
        return address == expected.Address || address == expected.Control.Format(controlSide);
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
        var byServer = session.Format(sender) == expected.Control.Format(expected.Control.Server);
        var file = new TransferredFile
        {
            Protocol = "ftp",
            SessionId = session.Id,
            ControlSessionId = expected.Control.Id,
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
