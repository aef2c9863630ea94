namespace Recorder.Sessions.Tls;

/// <summary>
/// Keeps what both directions' handshake messages said: the first ClientHello, the ServerHello (after
/// any HelloRetryRequest) and a TLS ≤ 1.2 certificate chain. Shared by TLS over TCP and QUIC.
/// </summary>
internal sealed class HandshakeCollector
{
    private readonly TlsTransport _transport;
    private readonly List<TlsCertificate> _certificates = [];

    public HandshakeCollector(TlsTransport transport)
    {
        _transport = transport;
        Client = new DirectionSink(this, fromClient: true);
        Server = new DirectionSink(this, fromClient: false);
    }

    public IHandshakeSink Client { get; }

    public IHandshakeSink Server { get; }

    public TlsClientHello? ClientHello { get; private set; }

    public TlsServerHello? ServerHello { get; private set; }

    public bool HelloRetryRequest { get; private set; }

    public IReadOnlyList<TlsCertificate> Certificates => _certificates;

    public bool CertificatesTruncated { get; private set; }

    /// <summary>A fault in a Certificate message's framing, if one was seen.</summary>
    public string? CertificateFault { get; private set; }

    /// <summary>Whether the server's later handshake messages are encrypted (TLS 1.3 chosen).</summary>
    public bool ServerEncryptsRest => ServerHello is { IsHelloRetryRequest: false, SelectedVersion: TlsValues.Tls13 };

    private bool OnClient(byte type, ReadOnlySpan<byte> body)
    {
        if (type == TlsValues.HandshakeClientHello && ClientHello is null)
        {
            ClientHello = HelloParser.ParseClientHello(body, _transport);
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

    private sealed class DirectionSink(HandshakeCollector owner, bool fromClient) : IHandshakeSink
    {
        public bool Wants(byte handshakeType) => fromClient
            ? handshakeType == TlsValues.HandshakeClientHello && owner.ClientHello is null
            : handshakeType is TlsValues.HandshakeServerHello or TlsValues.HandshakeCertificate;

        public bool OnMessage(byte handshakeType, ReadOnlySpan<byte> body) =>
            fromClient ? owner.OnClient(handshakeType, body) : owner.OnServer(handshakeType, body);
    }
}
