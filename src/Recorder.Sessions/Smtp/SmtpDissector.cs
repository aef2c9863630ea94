using Recorder.Sessions.Files;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Smtp;

/// <summary>
/// Reads an SMTP session line by line (RFC 5321): the client's commands and, after an accepted DATA,
/// the message (dot-unstuffed) into <see cref="MimeMessageReader"/>; the server's replies. Stops at
/// STARTTLS (then encrypted), a gap, or a line over <see cref="MaxLine"/> bytes, saying so. AUTH
/// exchanges are skipped (only the mechanism is kept, never credentials). BDAT content is not read.
/// </summary>
internal sealed class SmtpStreamDissector : IStreamDissector
{
    /// <summary>The longest line read (RFC 5321 allows 1 000 octets; generous for 8-bit bodies).</summary>
    public const int MaxLine = 256 * 1024;

    private readonly SmtpSessionMetadata _metadata = new();
    private readonly LineReader _client = new();
    private readonly LineReader _server = new();

    // Commands waiting for their final reply, in order (RFC 2920 pipelining): the verb, and for DATA
    // and the end of data the message they concern.
    private readonly Queue<(string Verb, SmtpMessage? Message)> _pending = new();
    private SmtpMessage? _envelope;
    private MimeMessageReader? _data;
    private readonly SessionRecord _session;
    private readonly FileObserver? _files;
    private bool _inAuth;
    private bool _stopped;

    public SmtpStreamDissector(SessionRecord session, FileObserver? files = null)
    {
        _session = session;
        _files = files;
        session.Metadata = _metadata;
    }

    public bool Finished => _stopped;

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        if (_stopped)
        {
            return;
        }

        var reader = fromClient ? _client : _server;
        reader.Feed(data, fromClient ? ClientLine : ServerLine);
        if (reader.Overflow && !_stopped)
        {
            Stop($"a {(fromClient ? "client" : "server")} line over {MaxLine} bytes");
        }
    }

    public void OnGap(bool fromClient, long missingBytes) => Stop($"a gap of {missingBytes} bytes from the {(fromClient ? "client" : "server")}");

    public void OnEnd()
    {
        if (_data is not null)
        {
            FinishMessage(complete: false);
        }
    }

    private void Stop(string why)
    {
        _metadata.Problem ??= why;
        if (_data is not null)
        {
            FinishMessage(complete: false);
        }

        _stopped = true;
    }

    private void ClientLine(ReadOnlySpan<byte> line)
    {
        if (_stopped)
        {
            return;
        }

        if (_data is not null)
        {
            if (line.SequenceEqual("."u8))
            {
                var message = FinishMessage(complete: true);
                _pending.Enqueue(("END", message));
                return;
            }

            // RFC 5321 §4.5.2: a leading dot was doubled by the client.
            _data.Line(line.Length > 0 && line[0] == '.' ? line[1..] : line);
            return;
        }

        if (_inAuth)
        {
            // An AUTH exchange's client lines are credentials: never kept.
            return;
        }

        var text = ClaimedText.Escape(line, keepTab: true);
        var verb = text.Split(' ', 2)[0].ToUpperInvariant();
        var argument = text.Length > verb.Length ? text[(verb.Length + 1)..].Trim() : string.Empty;
        if (_pending.Count < 1000)
        {
            _pending.Enqueue((verb, null));
        }

        switch (verb)
        {
            case "EHLO" or "HELO":
                _metadata.Helo ??= argument;
                break;
            case "MAIL" when argument.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase):
                _envelope = new SmtpMessage { MailFrom = Path(argument[5..]) };
                break;
            case "RCPT" when argument.StartsWith("TO:", StringComparison.OrdinalIgnoreCase):
                if (_envelope is not null && _envelope.RcptTo.Count < 1000)
                {
                    _envelope.RcptTo.Add(Path(argument[3..]));
                }

                break;
            case "DATA":
                // Read as the message at once: a client sends it only after the 354, which a capture may
                // still deliver later than the data; a refused DATA shows as the message's reply.
                _data = new MimeMessageReader(_envelope ?? new SmtpMessage(), _files, _session.Id, _metadata.Messages.Count + _metadata.MessagesNotKept);
                break;
            case "BDAT":
                Stop("BDAT (CHUNKING) content is not read");
                break;
            case "AUTH":
                _metadata.AuthMechanism ??= argument.Split(' ')[0].ToUpperInvariant();
                _inAuth = true;
                break;
            case "RSET":
                _envelope = null;
                break;
        }
    }

    private void ServerLine(ReadOnlySpan<byte> line)
    {
        if (_stopped || line.Length < 3 || !char.IsAsciiDigit((char)line[0]) || !char.IsAsciiDigit((char)line[1]) || !char.IsAsciiDigit((char)line[2]))
        {
            return;
        }

        var code = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        var last = line.Length == 3 || line[3] == ' ';
        if (_metadata.Greeting is null && _pending.Count == 0 && code == 220)
        {
            _metadata.Greeting = ClaimedText.Escape(line, keepTab: true);
            return;
        }

        if (!last || !_pending.TryPeek(out var head))
        {
            return;
        }

        if (head.Verb == "AUTH" && code == 334)
        {
            return;
        }

        _pending.Dequeue();
        switch (head.Verb)
        {
            case "AUTH":
                _inAuth = false;
                break;
            case "STARTTLS" when code == 220:
                _metadata.StartTls = true;
                _stopped = true;
                break;
            case "DATA" when code != 354:
                // Refused: the lines read as its message were not one.
                _data = null;
                break;
            case "END":
                head.Message!.Reply = code;
                break;
        }
    }

    private SmtpMessage FinishMessage(bool complete)
    {
        var message = _data!.Finish(complete);
        _data = null;
        _envelope = null;
        if (_metadata.Messages.Count < SmtpSessionMetadata.MaxMessages)
        {
            _metadata.Messages.Add(message);
        }
        else
        {
            _metadata.MessagesNotKept++;
        }

        return message;
    }

    /// <summary>The path of MAIL FROM/RCPT TO without its angle brackets and parameters.</summary>
    private static string Path(string argument)
    {
        var text = argument.Trim();
        if (text.StartsWith('<'))
        {
            var end = text.IndexOf('>', StringComparison.Ordinal);
            return end > 0 ? text[1..end] : text[1..];
        }

        return text.Split(' ')[0];
    }

    /// <summary>Splits one direction into CRLF (or LF) terminated lines, bounded by <see cref="MaxLine"/>.</summary>
    private sealed class LineReader
    {
        private byte[] _buffer = new byte[1024];
        private int _length;

        public bool Overflow { get; private set; }

        public void Feed(ReadOnlySpan<byte> data, LineHandler handler)
        {
            while (!data.IsEmpty && !Overflow)
            {
                var newline = data.IndexOf((byte)'\n');
                var piece = newline < 0 ? data : data[..newline];
                if (_length + piece.Length > MaxLine)
                {
                    Overflow = true;
                    return;
                }

                if (newline >= 0 && _length == 0)
                {
                    handler(Trim(piece));
                }
                else
                {
                    if (_length + piece.Length > _buffer.Length)
                    {
                        Array.Resize(ref _buffer, Math.Min(MaxLine, Math.Max(_buffer.Length * 2, _length + piece.Length)));
                    }

                    piece.CopyTo(_buffer.AsSpan(_length));
                    _length += piece.Length;
                    if (newline >= 0)
                    {
                        handler(Trim(_buffer.AsSpan(0, _length)));
                        _length = 0;
                    }
                }

                data = newline < 0 ? [] : data[(newline + 1)..];
            }
        }

        private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.EndsWith("\r"u8) ? line[..^1] : line;
    }

    private delegate void LineHandler(ReadOnlySpan<byte> line);
}
