using System.Text;
using Recorder.Sessions.Files;

namespace Recorder.Sessions.Smtp;

/// <summary>
/// Reads one message's lines (RFC 5322 headers, then MIME, RFC 2045/2046): the main headers into the
/// <see cref="SmtpMessage"/>, and every part with a file name (or disposition <c>attachment</c>)
/// decoded (base64, quoted-printable, or as is) into hashes and a size, streaming, never buffering a
/// part; with a <see cref="FileObserver"/>, each attachment is also a <see cref="TransferredFile"/>
/// (protocol <c>smtp</c>, upload) whose octets go to its content sink. Multipart nesting is followed to <see cref="MaxDepth"/> levels; headers are kept to
/// <see cref="MaxHeaderBytes"/> per header block.
/// </summary>
internal sealed class MimeMessageReader(SmtpMessage message, FileObserver? files = null, long sessionId = 0, long messageIndex = 0)
{
    /// <summary>Nested multiparts followed.</summary>
    public const int MaxDepth = 8;

    /// <summary>Bytes of one header block kept.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    private readonly List<string> _boundaries = [];
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly StringBuilder _current = new();
    private int _headerBytes;
    private bool _inHeaders = true;
    private bool _topLevel = true;
    private Part? _part;

    public void Line(ReadOnlySpan<byte> line)
    {
        message.Bytes += line.Length + 2;
        if (_inHeaders)
        {
            HeaderLine(line);
            return;
        }

        if (line.Length >= 2 && line[0] == '-' && line[1] == '-' && _boundaries.Count > 0)
        {
            var text = Encoding.Latin1.GetString(line[2..]).TrimEnd();
            for (var i = _boundaries.Count - 1; i >= 0; i--)
            {
                if (text == _boundaries[i] || text == _boundaries[i] + "--")
                {
                    EndPart(complete: true);
                    _boundaries.RemoveRange(i + 1, _boundaries.Count - i - 1);
                    if (text.EndsWith("--", StringComparison.Ordinal) && text == _boundaries[i] + "--")
                    {
                        _boundaries.RemoveAt(i);
                    }
                    else
                    {
                        _inHeaders = true;
                        _headers.Clear();
                        _headerBytes = 0;
                    }

                    return;
                }
            }
        }

        _part?.Line(line);
    }

    public SmtpMessage Finish(bool complete)
    {
        if (_inHeaders)
        {
            EndHeaders();
        }

        EndPart(complete);
        message.Complete = complete;
        return message;
    }

    private void HeaderLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            EndHeaders();
            return;
        }

        _headerBytes += line.Length;
        if (_headerBytes > MaxHeaderBytes)
        {
            return;
        }

        var text = ClaimedText.Escape(line, keepTab: true);
        if (text[0] is ' ' or '\t')
        {
            _current.Append(' ').Append(text.Trim());
            return;
        }

        Flush();
        _current.Append(text);
    }

    private void Flush()
    {
        if (_current.Length == 0)
        {
            return;
        }

        var header = _current.ToString();
        _current.Clear();
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && _headers.Count < 500)
        {
            _headers.Add(KeyValuePair.Create(header[..colon].Trim().ToUpperInvariant(), header[(colon + 1)..].Trim()));
        }
    }

    private void EndHeaders()
    {
        Flush();
        _inHeaders = false;
        string? Get(string name) => _headers.FirstOrDefault(h => h.Key == name).Value;
        if (_topLevel)
        {
            _topLevel = false;
            message.From = Get("FROM");
            message.To = Get("TO");
            message.Cc = Get("CC");
            message.Subject = Get("SUBJECT");
            message.Date = Get("DATE");
            message.MessageId = Get("MESSAGE-ID");
            message.Mailer = Get("USER-AGENT") ?? Get("X-MAILER");
        }

        var type = Get("CONTENT-TYPE");
        var disposition = Get("CONTENT-DISPOSITION");
        if (type is not null && type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) && Parameter(type, "boundary") is { Length: > 0 } boundary)
        {
            if (_boundaries.Count < MaxDepth)
            {
                _boundaries.Add(boundary);
            }

            return;
        }

        var name = (disposition is null ? null : Parameter(disposition, "filename")) ?? (type is null ? null : Parameter(type, "name"));
        var attached = disposition is not null && disposition.TrimStart().StartsWith("attachment", StringComparison.OrdinalIgnoreCase);
        if ((name is not null || attached) && message.Attachments.Count < SmtpMessage.MaxAttachments)
        {
            var declared = type?.Split(';')[0].Trim();
            var encoding = Get("CONTENT-TRANSFER-ENCODING")?.Trim().ToLowerInvariant();
            var file = new TransferredFile
            {
                Protocol = "smtp",
                SessionId = sessionId,
                TransactionIndex = messageIndex,
                Direction = TransferDirection.Upload,
                Name = FileNames.LastSegment(name),
                NameSource = name is null ? FileNameSource.None : FileNameSource.MimeHeader,
                DeclaredContentType = declared,
                ContentEncoding = encoding,
            };
            _part = new Part(name, declared, encoding, new FileDigest(file, files?.Content));
        }
    }

    private void EndPart(bool complete)
    {
        if (_part is { } part)
        {
            message.Attachments.Add(part.Finish(complete));
            files?.OnFile(part.Digest.File);
            _part = null;
        }
    }

    /// <summary>A parameter of a structured header (<c>name="value"</c> or <c>name=value</c>, case-insensitive name).</summary>
    private static string? Parameter(string header, string name)
    {
        foreach (var piece in header.Split(';').Skip(1))
        {
            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && piece[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(equals + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    /// <summary>One attachment being decoded and hashed.</summary>
    private sealed class Part(string? name, string? type, string? encoding, FileDigest digest)
    {
        private readonly byte[] _quantum = new byte[4];
        private int _quantumFill;
        private bool _base64Ended;
        private long _invalid;
        private bool _firstLine = true;
        private bool _softBreak;

        public FileDigest Digest => digest;

        public void Line(ReadOnlySpan<byte> line)
        {
            switch (encoding)
            {
                case "base64":
                    Base64(line);
                    break;
                case "quoted-printable":
                    QuotedPrintable(line);
                    break;
                default:
                    // 7bit, 8bit, binary: the line breaks between lines are content; the one before the boundary is not (RFC 2046 §5.1.1).
                    if (!_firstLine)
                    {
                        Write("\r\n"u8);
                    }

                    Write(line);
                    break;
            }

            _firstLine = false;
        }

        public SmtpAttachment Finish(bool complete)
        {
            if (encoding == "base64" && _quantumFill > 0)
            {
                _invalid += _quantumFill;
            }

            if (!complete)
            {
                // The message was cut (a gap, the end of the capture): the part did not reach its boundary.
                digest.File.Issues |= TransferredFileIssues.Truncated;
            }

            var (sha256, sha1, md5) = digest.Finish();
            return new SmtpAttachment
            {
                FileName = name,
                ContentType = type,
                TransferEncoding = encoding,
                Size = digest.File.Length,
                Sha256 = sha256,
                Sha1 = sha1,
                Md5 = md5,
                Complete = complete,
                InvalidCharacters = _invalid,
            };
        }

        private void Base64(ReadOnlySpan<byte> line)
        {
            Span<byte> decoded = stackalloc byte[3];
            foreach (var c in line)
            {
                if (c is (byte)' ' or (byte)'\t')
                {
                    continue;
                }

                if (_base64Ended || (c != '=' && Value(c) < 0))
                {
                    _invalid++;
                    continue;
                }

                _quantum[_quantumFill++] = c;
                if (_quantumFill < 4)
                {
                    continue;
                }

                _quantumFill = 0;
                var padding = _quantum[3] == '=' ? (_quantum[2] == '=' ? 2 : 1) : 0;
                if (_quantum[0] == '=' || _quantum[1] == '=' || (padding == 1 && _quantum[2] == '='))
                {
                    _invalid += 4;
                    continue;
                }

                var bits = (Value(_quantum[0]) << 18) | (Value(_quantum[1]) << 12) | (padding == 2 ? 0 : Value(_quantum[2]) << 6) | (padding > 0 ? 0 : Value(_quantum[3]));
                decoded[0] = (byte)((bits >> 16) & 0xFF);
                decoded[1] = (byte)((bits >> 8) & 0xFF);
                decoded[2] = (byte)(bits & 0xFF);
                Write(decoded[..(3 - padding)]);
                _base64Ended = padding > 0;
            }
        }

        private void QuotedPrintable(ReadOnlySpan<byte> line)
        {
            // Trailing whitespace is not content (RFC 2045 §6.7 rule 3); a final '=' is a soft line break.
            while (line.Length > 0 && line[^1] is (byte)' ' or (byte)'\t')
            {
                line = line[..^1];
            }

            if (!_firstLine && !_softBreak)
            {
                Write("\r\n"u8);
            }

            _softBreak = line.Length > 0 && line[^1] == '=';
            if (_softBreak)
            {
                line = line[..^1];
            }

            Span<byte> one = stackalloc byte[1];
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '=' && i + 2 < line.Length && Hex(line[i + 1]) >= 0 && Hex(line[i + 2]) >= 0)
                {
                    one[0] = (byte)((Hex(line[i + 1]) << 4) | Hex(line[i + 2]));
                    i += 2;
                }
                else
                {
                    if (line[i] == '=')
                    {
                        _invalid++;
                    }

                    one[0] = line[i];
                }

                Write(one);
            }
        }

        private void Write(ReadOnlySpan<byte> bytes) => digest.Append(bytes);

        private static int Value(byte c) => c switch
        {
            >= (byte)'A' and <= (byte)'Z' => c - 'A',
            >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
            >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
            (byte)'+' => 62,
            (byte)'/' => 63,
            _ => -1,
        };

        private static int Hex(byte c) => c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            _ => -1,
        };
    }
}
