using System.Globalization;
using System.Net;
using System.Text;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Ftp;

/// <summary>One FTP command and its final reply (RFC 959, RFC 2428 for EPRT/EPSV).</summary>
public sealed record FtpCommand
{
    /// <summary>When the command was seen (Unix nanoseconds).</summary>
    public required long TimestampNanoseconds { get; init; }

    /// <summary>The command verb (upper case).</summary>
    public required string Verb { get; init; }

    /// <summary>Its argument (PASS: only its length, never the password).</summary>
    public string? Argument { get; init; }

    /// <summary>The final reply code, once seen.</summary>
    public int? Reply { get; internal set; }

    /// <summary>The final reply's text.</summary>
    public string? ReplyText { get; internal set; }
}

/// <summary>A data transfer an FTP control session set up: what moved, over which data connection, and how it ended.</summary>
public sealed record FtpTransfer
{
    /// <summary>RETR (download), STOR/STOU/APPE (upload), LIST/NLST/MLSD (listing).</summary>
    public required string Command { get; init; }

    /// <summary>The file name (or listing path) as the client gave it.</summary>
    public string? Path { get; init; }

    /// <summary>download, upload or listing.</summary>
    public required string Direction { get; init; }

    /// <summary>The data connection's announced endpoint (<c>ADDRESS:PORT</c>, from PORT/EPRT or the 227/229 reply), when one was seen: the data session is the one on it.</summary>
    public string? DataEndpoint { get; init; }

    /// <summary>True when the server opened the data connection passively (PASV/EPSV).</summary>
    public bool Passive { get; init; }

    /// <summary>The final reply (226/250 completed; 4xx/5xx failed).</summary>
    public int? Reply { get; internal set; }

    /// <summary>Bytes the server said it would send, from a 150 reply's "(N bytes)", if given.</summary>
    public long? AnnouncedBytes { get; internal set; }

    internal static string DirectionOf(string command) => command switch
    {
        "RETR" => "download",
        "LIST" or "NLST" or "MLSD" => "listing",
        _ => "upload",
    };
}

/// <summary>An FTP control session's commands, user and transfers.</summary>
public sealed class FtpSessionMetadata : ISessionMetadata
{
    /// <summary>Commands kept per session.</summary>
    public const int MaxCommands = 512;

    /// <inheritdoc />
    public string Application => "ftp";

    /// <summary>The server's greeting.</summary>
    public string? Greeting { get; internal set; }

    /// <summary>The user name(s) given with USER.</summary>
    public List<string> Users { get; } = [];

    /// <summary>Whether a login succeeded (230).</summary>
    public bool LoggedIn { get; internal set; }

    /// <summary>The commands, in order (the first <see cref="MaxCommands"/>).</summary>
    public List<FtpCommand> Commands { get; } = [];

    /// <summary>Commands beyond <see cref="MaxCommands"/>.</summary>
    public long CommandsNotKept { get; internal set; }

    /// <summary>The data transfers.</summary>
    public List<FtpTransfer> Transfers { get; } = [];

    /// <summary>True when AUTH TLS was accepted: the rest of the control session is encrypted.</summary>
    public bool Tls { get; internal set; }

    /// <summary>Why reading stopped early, else null.</summary>
    public string? Problem { get; internal set; }

    /// <summary>
    /// When the end of input cut the session (<see cref="SessionEndReason.EndOfInput"/>, a segment's
    /// end): the data connections it announced that no connection had used yet, in announcement order.
    /// The next segment's build takes them over (docs/sessions.md, "FTP data connections across segments").
    /// </summary>
    public List<FtpWaitingData> WaitingData { get; } = [];
}

/// <summary>Reads an FTP control connection line by line; replies are matched to commands in order.</summary>
internal sealed class FtpStreamDissector : IStreamDissector
{
    private const int MaxLine = 8192;

    private readonly FtpSessionMetadata _metadata = new();
    private readonly StringBuilder _clientLine = new();
    private readonly StringBuilder _serverLine = new();
    private readonly Queue<(FtpCommand Command, FtpTransfer? Transfer)> _pending = new();
    private string? _activeEndpoint;
    private string? _passiveEndpoint;
    private bool _passive;
    private long _time;
    private bool _stopped;

    private readonly SessionRecord _session;
    private readonly FtpDataChannels? _channels;

    // The data connection announced last and not yet used by a transfer command.
    private FtpDataExpectation? _announced;

    public FtpStreamDissector(SessionRecord session, FtpDataChannels? channels = null)
    {
        _session = session;
        _channels = channels;
        session.Metadata = _metadata;
    }

    public bool Finished => _stopped;

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        _time = timestampNanoseconds;
        var line = fromClient ? _clientLine : _serverLine;
        foreach (var b in data)
        {
            if (_stopped)
            {
                return;
            }

            if (b == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                line.Clear();
                if (fromClient)
                {
                    ClientLine(text);
                }
                else
                {
                    ServerLine(text);
                }
            }
            else if (line.Length < MaxLine)
            {
                line.Append(b is >= 0x20 and < 0x7F or (byte)'\r' ? (char)b : '?');
            }
            else
            {
                _metadata.Problem ??= $"a {(fromClient ? "client" : "server")} line over {MaxLine} bytes";
                _stopped = true;
            }
        }
    }

    public void OnGap(bool fromClient, long missingBytes)
    {
        _metadata.Problem ??= $"a gap of {missingBytes} bytes from the {(fromClient ? "client" : "server")}";
        _stopped = true;
    }

    public void OnEnd()
    {
        var unused = _channels?.Forget(_session) ?? [];
        // Only a session the end of input cut may still see its data connection open, in the next segment.
        if (_session.EndReason == SessionEndReason.EndOfInput)
        {
            _metadata.WaitingData.AddRange(unused.Select(e => e.ToWaiting()));
        }
    }

    private void Announce(string? endpoint, bool passive)
    {
        var colon = endpoint?.LastIndexOf(':') ?? -1;
        if (_channels is null || colon < 0 || !ushort.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return;
        }

        _announced = FtpDataExpectation.Announced(_session, endpoint![..colon].Trim('[', ']'), port, passive, _time);
        _channels.Expect(_announced);
    }

    private void ClientLine(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
        var argument = space < 0 ? null : text[(space + 1)..];
        if (verb == "PASS")
        {
            argument = argument is null ? null : $"({argument.Length} characters, not kept)";
        }

        var command = new FtpCommand { TimestampNanoseconds = _time, Verb = verb, Argument = argument };
        if (_metadata.Commands.Count < FtpSessionMetadata.MaxCommands)
        {
            _metadata.Commands.Add(command);
        }
        else
        {
            _metadata.CommandsNotKept++;
        }

        FtpTransfer? transfer = null;
        switch (verb)
        {
            case "USER" when argument is not null && _metadata.Users.Count < 16:
                _metadata.Users.Add(argument);
                break;
            case "PORT":
                _activeEndpoint = Port(argument);
                _passive = false;
                Announce(_activeEndpoint, passive: false);
                break;
            case "EPRT":
                _activeEndpoint = Eprt(argument);
                _passive = false;
                Announce(_activeEndpoint, passive: false);
                break;
            case "RETR" or "STOR" or "STOU" or "APPE" or "LIST" or "NLST" or "MLSD":
                transfer = new FtpTransfer
                {
                    Command = verb,
                    Path = argument,
                    Direction = FtpTransfer.DirectionOf(verb),
                    DataEndpoint = _passive ? _passiveEndpoint : _activeEndpoint,
                    Passive = _passive,
                };
                if (_metadata.Transfers.Count < FtpSessionMetadata.MaxCommands)
                {
                    _metadata.Transfers.Add(transfer);
                }

                // Stream mode opens a data connection per transfer (RFC 959 §3.4.1): the one announced last is this one's.
                if (_announced is not null)
                {
                    _announced.Transfer = transfer;
                    _announced = null;
                }

                break;
        }

        if (_pending.Count < 1000)
        {
            _pending.Enqueue((command, transfer));
        }
    }

    private void ServerLine(string text)
    {
        if (text.Length < 3 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1]) || !char.IsAsciiDigit(text[2]))
        {
            return;
        }

        var code = int.Parse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        var last = text.Length == 3 || text[3] == ' ';
        if (!last)
        {
            return;
        }

        if (_metadata.Greeting is null && _pending.Count == 0)
        {
            _metadata.Greeting = text;
            return;
        }

        if (!_pending.TryPeek(out var head))
        {
            return;
        }

        // 1yz is preliminary (RFC 959 §4.2): the transfer started; its final reply comes later.
        if (code is >= 100 and < 200)
        {
            if (head.Transfer is { } started && text.LastIndexOf(" bytes)", StringComparison.Ordinal) is var end and > 0)
            {
                var open = text.LastIndexOf('(', end);
                if (open >= 0 && long.TryParse(text.AsSpan(open + 1, end - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                {
                    started.AnnouncedBytes = bytes;
                }
            }

            return;
        }

        _pending.Dequeue();
        head.Command.Reply = code;
        head.Command.ReplyText = text.Length > 4 ? text[4..] : null;
        if (head.Transfer is { } transfer)
        {
            transfer.Reply = code;
        }

        switch (head.Command.Verb)
        {
            case "PASS" or "USER" when code == 230:
                _metadata.LoggedIn = true;
                break;
            case "PASV" when code == 227:
                _passiveEndpoint = Pasv(text);
                _passive = _passiveEndpoint is not null;
                Announce(_passiveEndpoint, passive: true);
                break;
            case "EPSV" when code == 229:
                _passiveEndpoint = Epsv(text, _session.Format(_session.Server));
                _passive = _passiveEndpoint is not null;
                Announce(_passiveEndpoint, passive: true);
                break;
            case "AUTH" when code == 234:
                _metadata.Tls = true;
                _stopped = true;
                break;
        }
    }

    /// <summary>PORT h1,h2,h3,h4,p1,p2.</summary>
    private static string? Port(string? argument) => SixNumbers(argument);

    /// <summary>227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).</summary>
    private static string? Pasv(string reply)
    {
        var open = reply.IndexOf('(', StringComparison.Ordinal);
        var close = reply.IndexOf(')', StringComparison.Ordinal);
        return open >= 0 && close > open ? SixNumbers(reply[(open + 1)..close]) : null;
    }

    private static string? SixNumbers(string? text)
    {
        var parts = text?.Split(',');
        if (parts is not { Length: 6 } || !parts.All(p => byte.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        var numbers = parts.Select(p => byte.Parse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        return $"{numbers[0]}.{numbers[1]}.{numbers[2]}.{numbers[3]}:{(numbers[4] * 256) + numbers[5]}";
    }

    /// <summary>EPRT |1|132.235.1.2|6275| or |2|::1|6275| (RFC 2428 §2).</summary>
    private static string? Eprt(string? argument)
    {
        if (argument is null || argument.Length < 2)
        {
            return null;
        }

        var parts = argument.Split(argument[0]);
        return parts.Length >= 4 && IPAddress.TryParse(parts[2], out var address) && ushort.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? new IPEndPoint(address, port).ToString()
            : null;
    }

    /// <summary>229 Entering Extended Passive Mode (|||6446|): the port on the control connection's server address.</summary>
    private static string? Epsv(string reply, string server)
    {
        var open = reply.IndexOf('(', StringComparison.Ordinal);
        var close = reply.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close <= open + 1)
        {
            return null;
        }

        var inner = reply[(open + 1)..close];
        var parts = inner.Split(inner[0]);
        return parts.Length >= 4 && ushort.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (server.Contains(':', StringComparison.Ordinal) ? $"[{server}]:{port}" : $"{server}:{port}")
            : null;
    }
}
