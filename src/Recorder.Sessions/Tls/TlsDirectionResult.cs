namespace Recorder.Sessions.Tls;

/// <summary>How far the parser read one direction of a handshake, and why it stopped.</summary>
public sealed record TlsDirectionResult
{
    /// <summary>Where this direction stands.</summary>
    public required TlsDirectionState State { get; init; }

    /// <summary>Why it stopped, in words, for <see cref="TlsDirectionState.Malformed"/>, <see cref="TlsDirectionState.NotTls"/> and <see cref="TlsDirectionState.LimitReached"/>.</summary>
    public string? Detail { get; init; }

    /// <summary>Bytes fed in this direction, including those after parsing stopped.</summary>
    public required long Bytes { get; init; }

    /// <summary>Records (TLS) or packets (QUIC) whose header was read.</summary>
    public required int Records { get; init; }

    /// <summary>A handshake message that had begun but was not complete when the result was taken.</summary>
    public TlsTruncatedMessage? Truncated { get; init; }

    /// <summary>The first alert seen in the clear in this direction, if any.</summary>
    public TlsAlert? Alert { get; init; }
}

/// <summary>Where one direction of a handshake stands.</summary>
public enum TlsDirectionState
{
    /// <summary>Nothing was fed in this direction.</summary>
    NoData,

    /// <summary>Still in the clear and being parsed (the handshake had not gone encrypted yet).</summary>
    Parsing,

    /// <summary>
    /// Stopped because the rest is encrypted (ChangeCipherSpec, application data, or TLS 1.3 after
    /// ServerHello). TLS 1.3's compatibility ChangeCipherSpec before a hello still owed after a
    /// HelloRetryRequest does not stop a direction; the record after it does unless it holds that hello.
    /// </summary>
    Encrypted,

    /// <summary>Stopped at a gap in the reassembled stream: what follows cannot be framed.</summary>
    Gap,

    /// <summary>Stopped at a documented limit (message size, certificates, buffered CRYPTO data).</summary>
    LimitReached,

    /// <summary>Stopped at bytes that break the TLS framing.</summary>
    Malformed,

    /// <summary>The first bytes are not a TLS record (another protocol, or SSLv2's record format).</summary>
    NotTls,
}

/// <summary>A handshake message that was cut short.</summary>
/// <param name="HandshakeType">The message type (1 ClientHello, 2 ServerHello, 11 Certificate, …).</param>
/// <param name="Received">Bytes of the body received.</param>
/// <param name="Declared">Length the message header declared.</param>
public sealed record TlsTruncatedMessage(byte HandshakeType, int Received, int Declared);

/// <summary>A TLS alert seen in the clear (RFC 8446 §6).</summary>
/// <param name="Level">1 warning, 2 fatal.</param>
/// <param name="Description">The alert description code (e.g. 40 handshake_failure).</param>
public sealed record TlsAlert(byte Level, byte Description);
