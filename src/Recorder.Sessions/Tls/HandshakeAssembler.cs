namespace Recorder.Sessions.Tls;

/// <summary>Receives the complete handshake messages an assembler frames.</summary>
internal interface IHandshakeSink
{
    /// <summary>Whether a message of this type should be buffered and delivered (others are skipped unbuffered); asked at each message header.</summary>
    bool Wants(byte handshakeType);

    /// <summary>Handles one complete message; returns false to stop this direction (the handshake went encrypted).</summary>
    bool OnMessage(byte handshakeType, ReadOnlySpan<byte> body);

    /// <summary>
    /// Whether a ChangeCipherSpec now may be TLS 1.3's middlebox-compatibility record (RFC 8446
    /// Appendix D.4) with a hello still to come in the clear after it (a HelloRetryRequest exchange);
    /// otherwise the ChangeCipherSpec ends the clear text. Asked by the TLS record layer only.
    /// </summary>
    bool HelloMayFollowChangeCipherSpec { get; }

    /// <summary>
    /// Whether the first handshake message header of the record after such a ChangeCipherSpec
    /// (type, declared length, and the record's length) starts that hello; otherwise the record is
    /// taken as encrypted.
    /// </summary>
    bool StartsOwedHello(byte handshakeType, int length, int recordLength);
}

/// <summary>
/// Frames handshake messages (RFC 8446 §4: type, 24-bit length, body) out of a byte stream that may
/// split them anywhere: across TLS records or CRYPTO frames and across calls. Only messages the sink
/// wants are buffered, each up to <see cref="TlsLimits.MaxHandshakeMessage"/>.
/// </summary>
internal sealed class HandshakeAssembler
{
    private readonly byte[] _header = new byte[4];
    private int _headerFill;
    private byte[] _body = [];
    private int _bodyLength;
    private int _bodyFill;
    private bool _buffering;

    /// <summary>Set when the sink stopped or a limit was hit; no more bytes are taken.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Set when a message was larger than the limit.</summary>
    public bool LimitHit { get; private set; }

    /// <summary>The message in progress, if any.</summary>
    public TlsTruncatedMessage? Pending =>
        _headerFill == 4 && _bodyFill < _bodyLength ? new TlsTruncatedMessage(_header[0], _bodyFill, _bodyLength)
        : _headerFill is > 0 and < 4 ? new TlsTruncatedMessage(_header[0], 0, -1)
        : null;

    public void Push(ReadOnlySpan<byte> data, IHandshakeSink sink)
    {
        while (!data.IsEmpty && !Stopped)
        {
            if (_headerFill < 4)
            {
                // Fast path: a whole message in hand and nothing buffered, handled in place.
                if (_headerFill == 0 && data.Length >= 4)
                {
                    var length = (data[1] << 16) | (data[2] << 8) | data[3];
                    if (data.Length - 4 >= length)
                    {
                        if (sink.Wants(data[0]) && length > TlsLimits.MaxHandshakeMessage)
                        {
                            Stop(limit: true);
                            return;
                        }

                        if (sink.Wants(data[0]) && !sink.OnMessage(data[0], data.Slice(4, length)))
                        {
                            Stop(limit: false);
                            return;
                        }

                        data = data[(4 + length)..];
                        continue;
                    }
                }

                var take = Math.Min(4 - _headerFill, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                data = data[take..];
                if (_headerFill < 4)
                {
                    return;
                }

                _bodyLength = (_header[1] << 16) | (_header[2] << 8) | _header[3];
                _bodyFill = 0;
                _buffering = sink.Wants(_header[0]);
                if (_buffering && _bodyLength > TlsLimits.MaxHandshakeMessage)
                {
                    Stop(limit: true);
                    return;
                }

                if (_buffering && _body.Length < _bodyLength)
                {
                    _body = new byte[Math.Max(_bodyLength, Math.Min(2 * _body.Length, TlsLimits.MaxHandshakeMessage))];
                }
            }

            var part = Math.Min(_bodyLength - _bodyFill, data.Length);
            if (_buffering)
            {
                data[..part].CopyTo(_body.AsSpan(_bodyFill));
            }

            _bodyFill += part;
            data = data[part..];
            if (_bodyFill == _bodyLength)
            {
                _headerFill = 0;
                if (_buffering && !sink.OnMessage(_header[0], _body.AsSpan(0, _bodyLength)))
                {
                    Stop(limit: false);
                    return;
                }
            }
        }
    }

    private void Stop(bool limit)
    {
        Stopped = true;
        LimitHit = limit;
        _body = [];
    }
}
