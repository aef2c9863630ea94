namespace Recorder.Sessions.Tls;

/// <summary>
/// Keeps what both directions' handshake messages said: the first ClientHello, a second ClientHello
/// sent after a HelloRetryRequest, the ServerHello (after any HelloRetryRequest) and a TLS ≤ 1.2
/// certificate chain. Shared by TLS over TCP and QUIC; it is the state the two directions share, so
/// what one direction may still carry in the clear can depend on what the other said.
/// </summary>
internal sealed class HandshakeCollector
{
    /// <summary>TLS's largest plaintext fragment (RFC 8446 §5.1): a longer hello fills records of exactly this size.</summary>
    private const int MaxFragment = 16384;

    private readonly TlsTransport _transport;
    private readonly List<TlsCertificate> _certificates = [];
    private bool _clientSentOther;

    public HandshakeCollector(TlsTransport transport)
    {
        _transport = transport;
        Client = new DirectionSink(this, fromClient: true);
        Server = new DirectionSink(this, fromClient: false);
    }

    public IHandshakeSink Client { get; }

    public IHandshakeSink Server { get; }

    public TlsClientHello? ClientHello { get; private set; }

    /// <summary>The client's second ClientHello (RFC 8446 §4.1.4), when one was read.</summary>
    public TlsClientHello? RetryClientHello { get; private set; }

    public TlsServerHello? ServerHello { get; private set; }

    /// <summary>Whether the server's HelloRetryRequest was read.</summary>
    public bool HelloRetryRequest { get; private set; }

    public IReadOnlyList<TlsCertificate> Certificates => _certificates;

    public bool CertificatesTruncated { get; private set; }

    /// <summary>A fault in a Certificate message's framing, if one was seen.</summary>
    public string? CertificateFault { get; private set; }

    /// <summary>Whether the server's later handshake messages are encrypted (TLS 1.3 chosen).</summary>
    public bool ServerEncryptsRest => ServerHello is { IsHelloRetryRequest: false, SelectedVersion: TlsValues.Tls13 };

    /// <summary>
    /// Whether the client may still send a second ClientHello in the clear (RFC 8446 §4.1.4): it sent
    /// one offering TLS 1.3 (the only version with HelloRetryRequest) and nothing else since, no second
    /// one was read yet, and the server is not known to have answered without a HelloRetryRequest (a
    /// capture may hold the client side only, so an unseen server does not rule it out; once a
    /// HelloRetryRequest was read, the real ServerHello after it does not either, whichever
    /// direction's bytes were fed first).
    /// </summary>
    public bool ClientMayRetry => ClientHello is { } hello && RetryClientHello is null && !_clientSentOther && OffersTls13(hello)
        && (HelloRetryRequest || ServerHello is null);

    /// <summary>Whether the server sent a HelloRetryRequest and its real ServerHello is still to come.</summary>
    public bool ServerMayRetry => ServerHello is { IsHelloRetryRequest: true };

    private static bool OffersTls13(TlsClientHello hello)
    {
        foreach (var version in hello.SupportedVersions)
        {
            if (version == TlsValues.Tls13)
            {
                return true;
            }
        }

        return false;
    }

    private bool WantsFromClient(byte type)
    {
        if (type != TlsValues.HandshakeClientHello)
        {
            // Certificate, ClientKeyExchange…: a TLS ≤ 1.2 flight, after which no second hello comes in the clear.
            _clientSentOther = true;
            return false;
        }

        return RetryClientHello is null;
    }

    private bool OnClient(byte type, ReadOnlySpan<byte> body)
    {
        if (type == TlsValues.HandshakeClientHello && ClientHello is null)
        {
            ClientHello = HelloParser.ParseClientHello(body, _transport);
        }
        else if (type == TlsValues.HandshakeClientHello && RetryClientHello is null)
        {
            RetryClientHello = HelloParser.ParseClientHello(body, _transport);
        }

        return true;
    }

    private bool OnServer(byte type, ReadOnlySpan<byte> body)
    {
        if (type == TlsValues.HandshakeServerHello)
        {
            var hello = HelloParser.ParseServerHello(body, _transport);
            if (hello.IsHelloRetryRequest)
            {
                HelloRetryRequest = true;
                ServerHello ??= hello;
                return true;
            }

            ServerHello = hello;
            // TLS 1.3 (RFC 8446 §2): everything after ServerHello is under handshake keys.
            return !ServerEncryptsRest;
        }

        if (type == TlsValues.HandshakeCertificate && _certificates.Count == 0 && !ServerEncryptsRest)
        {
            var (fault, truncated) = CertificateParser.Parse(body, _certificates);
            CertificateFault ??= fault;
            CertificatesTruncated |= truncated;
        }

        return true;
    }

    /// <summary>
    /// Whether a handshake message starting the first record after a compatibility ChangeCipherSpec
    /// is the hello this direction still owes. The server's real ServerHello follows its
    /// HelloRetryRequest for certain. The client's second hello is certain once the server's
    /// HelloRetryRequest was read; without it (the server side not captured, or not yet fed) the
    /// record after the ChangeCipherSpec may be TLS 1.2's encrypted Finished, so the message must
    /// also fill its record exactly (or run on from a full record): ciphertext passes that by chance
    /// about once in 2^32.
    /// </summary>
    private bool StartsOwedHello(bool fromClient, byte type, int length, int recordLength)
    {
        if (!fromClient)
        {
            return type == TlsValues.HandshakeServerHello;
        }

        return type == TlsValues.HandshakeClientHello
            && (HelloRetryRequest || length + 4 == recordLength || (recordLength == MaxFragment && length + 4 > recordLength));
    }

    private sealed class DirectionSink(HandshakeCollector owner, bool fromClient) : IHandshakeSink
    {
        public bool Wants(byte handshakeType) => fromClient
            ? owner.WantsFromClient(handshakeType)
            : handshakeType is TlsValues.HandshakeServerHello or TlsValues.HandshakeCertificate;

        public bool OnMessage(byte handshakeType, ReadOnlySpan<byte> body) =>
            fromClient ? owner.OnClient(handshakeType, body) : owner.OnServer(handshakeType, body);

        public bool HelloMayFollowChangeCipherSpec => fromClient ? owner.ClientMayRetry : owner.ServerMayRetry;

        public bool StartsOwedHello(byte handshakeType, int length, int recordLength) =>
            owner.StartsOwedHello(fromClient, handshakeType, length, recordLength);
    }
}
