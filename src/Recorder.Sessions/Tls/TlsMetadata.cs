namespace Recorder.Sessions.Tls;

/// <summary>What a TLS handshake over TCP showed in the clear: both hellos, the certificate chain and how each direction ended.</summary>
public sealed record TlsMetadata
{
    /// <summary>The first ClientHello of the connection; null when none was read.</summary>
    public TlsClientHello? ClientHello { get; init; }

    /// <summary>
    /// The client's second ClientHello, sent after a HelloRetryRequest (RFC 8446 §4.1.4); null when
    /// none was read. Read whether or not the server's side was captured (see docs/sessions.md, "TLS
    /// and QUIC", for how it is told from encrypted records when only the client's side is there).
    /// </summary>
    public TlsClientHello? RetryClientHello { get; init; }

    /// <summary>The ServerHello (the last one, when a HelloRetryRequest came first); null when none was read.</summary>
    public TlsServerHello? ServerHello { get; init; }

    /// <summary>Whether the server's HelloRetryRequest was read (a <see cref="RetryClientHello"/> may also show one the capture does not hold).</summary>
    public bool HelloRetryRequest { get; init; }

    /// <summary>The server's certificate chain as sent in the clear (TLS ≤ 1.2); empty otherwise.</summary>
    public IReadOnlyList<TlsCertificate> Certificates { get; init; } = [];

    /// <summary>Whether the chain held more certificates than <see cref="TlsLimits.MaxCertificates"/> (the rest are not listed).</summary>
    public bool CertificatesTruncated { get; init; }

    /// <summary>Why the Certificate message's list could not be read to its end; null when it could (or none came).</summary>
    public string? CertificatesMalformed { get; init; }

    /// <summary>The client-to-server direction.</summary>
    public required TlsDirectionResult Client { get; init; }

    /// <summary>The server-to-client direction.</summary>
    public required TlsDirectionResult Server { get; init; }
}

/// <summary>The bounds the TLS and QUIC parsers keep to on hostile input.</summary>
public static class TlsLimits
{
    /// <summary>
    /// Largest handshake message buffered (ClientHello, ServerHello, Certificate); a larger one stops
    /// its direction with <see cref="TlsDirectionState.LimitReached"/>. Other message types are skipped
    /// without buffering.
    /// </summary>
    public const int MaxHandshakeMessage = 128 * 1024;

    /// <summary>Certificates kept from one chain.</summary>
    public const int MaxCertificates = 16;

    /// <summary>Largest TLS record accepted (RFC 5246 §6.2.3: 2^14 + 2048).</summary>
    public const int MaxRecord = 16384 + 2048;
}
