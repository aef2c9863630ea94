namespace Recorder.Sessions.Tls;

/// <summary>
/// Parses the clear-text part of a TLS connection from the two reassembled TCP byte streams. Bytes
/// may arrive in any pieces (a record or a handshake message split anywhere); each direction stops
/// being parsed once it goes encrypted, hits a gap, a limit or malformed framing, and the result says
/// which. A TLS 1.3 middlebox-compatibility ChangeCipherSpec (RFC 8446 Appendix D.4) does not end a
/// direction that still owes a hello after a HelloRetryRequest (§4.1.4): the client's second
/// ClientHello and the server's real ServerHello are read after it. Never throws on the bytes; memory
/// per connection is bounded by <see cref="TlsLimits.MaxHandshakeMessage"/> per direction.
/// </summary>
public sealed class TlsStreamParser
{
    private readonly HandshakeCollector _handshake = new(TlsTransport.Tcp);
    private readonly RecordReader _client = new();
    private readonly RecordReader _server = new();

    /// <summary>Feeds the next bytes of one direction, in stream order.</summary>
    public void Feed(bool fromClient, ReadOnlySpan<byte> bytes)
    {
        if (fromClient)
        {
            _client.Feed(bytes, _handshake.Client);
        }
        else
        {
            _server.Feed(bytes, _handshake.Server);
        }
    }

    /// <summary>Tells the parser that bytes are missing in one direction: framing is lost, parsing of that direction stops.</summary>
    public void Gap(bool fromClient) => (fromClient ? _client : _server).Gap();

    /// <summary>True once neither direction is parsed any more (encrypted, a gap, a limit, malformed or not TLS): later bytes change nothing.</summary>
    public bool Finished => _client.Stopped && _server.Stopped;

    /// <summary>What has been read so far (a snapshot; later feeds do not change it).</summary>
    public TlsMetadata Result => new()
    {
        ClientHello = _handshake.ClientHello,
        RetryClientHello = _handshake.RetryClientHello,
        ServerHello = _handshake.ServerHello,
        HelloRetryRequest = _handshake.HelloRetryRequest,
        Certificates = [.. _handshake.Certificates],
        CertificatesTruncated = _handshake.CertificatesTruncated,
        CertificatesMalformed = _handshake.CertificateFault,
        Client = _client.Result(),
        Server = _server.Result(),
    };

    /// <summary>The TLS record layer (RFC 8446 §5.1, RFC 5246 §6.2) of one direction.</summary>
    private sealed class RecordReader
    {
        private readonly HandshakeAssembler _messages = new();
        private readonly byte[] _header = new byte[5];
        private int _headerFill;
        private int _remaining;
        private bool _inBody;
        private byte _type;
        private readonly byte[] _alert = new byte[2];
        private readonly byte[] _probe = new byte[4];
        private int _probeFill;
        private bool _probing;
        private bool _pastChangeCipherSpec;
        private int _recordLength;
        private int _alertFill;
        private long _bytes;
        private int _records;
        private TlsDirectionState _state = TlsDirectionState.NoData;
        private string? _detail;
        private TlsAlert? _firstAlert;

        public bool Stopped => _state is not (TlsDirectionState.NoData or TlsDirectionState.Parsing);

        public void Gap()
        {
            if (_state is TlsDirectionState.NoData or TlsDirectionState.Parsing)
            {
                _state = TlsDirectionState.Gap;
            }
        }

        public TlsDirectionResult Result() => new()
        {
            State = _state,
            Detail = _detail,
            Bytes = _bytes,
            Records = _records,
            Truncated = _messages.Pending,
            Alert = _firstAlert,
        };

        public void Feed(ReadOnlySpan<byte> data, IHandshakeSink sink)
        {
            _bytes += data.Length;
            if (_state == TlsDirectionState.NoData && !data.IsEmpty)
            {
                _state = TlsDirectionState.Parsing;
            }

            while (!data.IsEmpty && _state == TlsDirectionState.Parsing)
            {
                if (!_inBody)
                {
                    var take = Math.Min(5 - _headerFill, data.Length);
                    data[..take].CopyTo(_header.AsSpan(_headerFill));
                    _headerFill += take;
                    data = data[take..];
                    if (_headerFill == 5)
                    {
                        StartRecord(sink);
                    }

                    continue;
                }

                var part = data[..Math.Min(_remaining, data.Length)];
                data = data[part.Length..];
                _remaining -= part.Length;
                Body(part, sink);
                if (_remaining == 0)
                {
                    _inBody = false;
                }
            }
        }

        private void StartRecord(IHandshakeSink sink)
        {
            _headerFill = 0;
            _type = _header[0];
            var length = (_header[3] << 8) | _header[4];
            var knownType = _type is >= TlsValues.ContentChangeCipherSpec and <= TlsValues.ContentHeartbeat;
            if (!knownType || _header[1] != 3 || length > TlsLimits.MaxRecord)
            {
                Stop(_records == 0 ? TlsDirectionState.NotTls : TlsDirectionState.Malformed, DescribeBadHeader(knownType, length));
                return;
            }

            _records++;
            _recordLength = length;
            if (_type == TlsValues.ContentChangeCipherSpec && length == 1 && !_pastChangeCipherSpec && _messages.Pending is null
                && sink.HelloMayFollowChangeCipherSpec)
            {
                // TLS 1.3's compatibility ChangeCipherSpec (RFC 8446 Appendix D.4) between a
                // HelloRetryRequest exchange's hellos: skipped, and the next record is checked for
                // the hello this direction owes (a second one means encryption, as before).
                _pastChangeCipherSpec = true;
                _probing = true;
                _probeFill = 0;
                _remaining = length;
                _inBody = true;
                return;
            }

            if (_probing && _type == TlsValues.ContentHandshake && length > 0)
            {
                _remaining = length;
                _inBody = true;
                return;
            }

            if (_probing)
            {
                EncryptedSinceChangeCipherSpec();
                return;
            }

            if (_type is TlsValues.ContentChangeCipherSpec or TlsValues.ContentApplicationData)
            {
                // After ChangeCipherSpec (TLS ≤ 1.2, or TLS 1.3's compatibility record) and from the
                // first application data on, this direction is encrypted.
                Stop(TlsDirectionState.Encrypted, null);
                return;
            }

            _remaining = length;
            _inBody = length > 0;
            _alertFill = 0;
        }

        private string DescribeBadHeader(bool knownType, int length)
        {
            if (_records == 0 && (_header[0] & 0x80) != 0)
            {
                return "SSLv2 record format (not parsed)";
            }

            return !knownType ? $"record content type {_header[0]} is not TLS"
                : _header[1] != 3 ? $"record version 0x{_header[1]:x2}{_header[2]:x2} is not TLS"
                : $"record length {length} exceeds {TlsLimits.MaxRecord}";
        }

        private void Body(ReadOnlySpan<byte> part, IHandshakeSink sink)
        {
            if (_probing && _type == TlsValues.ContentHandshake)
            {
                part = Probe(part, sink);
                if (_probing || Stopped)
                {
                    return;
                }
            }

            if (_type == TlsValues.ContentHandshake)
            {
                _messages.Push(part, sink);
                if (_messages.LimitHit)
                {
                    Stop(TlsDirectionState.LimitReached, $"handshake message longer than {TlsLimits.MaxHandshakeMessage} bytes");
                }
                else if (_messages.Stopped)
                {
                    Stop(TlsDirectionState.Encrypted, null);
                }
            }
            else if (_type == TlsValues.ContentAlert)
            {
                var take = Math.Min(2 - _alertFill, part.Length);
                part[..take].CopyTo(_alert.AsSpan(_alertFill));
                _alertFill += take;
                if (_alertFill == 2 && _firstAlert is null)
                {
                    _firstAlert = new TlsAlert(_alert[0], _alert[1]);
                }
            }
        }

        /// <summary>
        /// Collects the first message header of the record after a compatibility ChangeCipherSpec and
        /// lets the sink judge it: the owed hello goes on to the assembler (header included), anything
        /// else means this direction is encrypted. Returns the part of <paramref name="part"/> left.
        /// </summary>
        private ReadOnlySpan<byte> Probe(ReadOnlySpan<byte> part, IHandshakeSink sink)
        {
            var take = Math.Min(4 - _probeFill, part.Length);
            part[..take].CopyTo(_probe.AsSpan(_probeFill));
            _probeFill += take;
            if (_probeFill < 4)
            {
                if (_remaining == 0)
                {
                    EncryptedSinceChangeCipherSpec();
                }

                return [];
            }

            _probing = false;
            var length = (_probe[1] << 16) | (_probe[2] << 8) | _probe[3];
            if (!sink.StartsOwedHello(_probe[0], length, _recordLength))
            {
                EncryptedSinceChangeCipherSpec();
                return [];
            }

            _messages.Push(_probe, sink);
            return part[take..];
        }

        /// <summary>
        /// The record after the ChangeCipherSpec was not the owed hello: the direction went encrypted
        /// at the ChangeCipherSpec, and the result is what it would have been had it stopped there
        /// (the record looked at is not counted), whichever direction's bytes came first.
        /// </summary>
        private void EncryptedSinceChangeCipherSpec()
        {
            _probing = false;
            _records--;
            Stop(TlsDirectionState.Encrypted, null);
        }

        private void Stop(TlsDirectionState state, string? detail)
        {
            _state = state;
            _detail = detail;
        }
    }
}
