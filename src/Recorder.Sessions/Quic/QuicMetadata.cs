using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Quic;

/// <summary>What a QUIC connection's long-header packets and decrypted Initial packets showed.</summary>
public sealed record QuicMetadata
{
    /// <summary>The version of the first long-header packet with a version; null when none was seen.</summary>
    public uint? Version { get; init; }

    /// <summary>"1", "2", "draft-29"… for versions whose Initials can be opened; null otherwise.</summary>
    public string? VersionName { get; init; }

    /// <summary>Whether <see cref="Version"/> is one this parser cannot decrypt (its Initials are counted, not read).</summary>
    public bool UnsupportedVersion { get; init; }

    /// <summary>Destination connection ID of the client's first Initial (the one the Initial keys come from), lower-case hex.</summary>
    public string? OriginalDestinationConnectionId { get; init; }

    /// <summary>The client's source connection ID, lower-case hex.</summary>
    public string? ClientSourceConnectionId { get; init; }

    /// <summary>The server's source connection ID, lower-case hex.</summary>
    public string? ServerSourceConnectionId { get; init; }

    /// <summary>Whether the server sent a Retry (keys were then derived again from the client's new destination ID).</summary>
    public bool Retry { get; init; }

    /// <summary>Versions a Version Negotiation packet offered; empty when none came.</summary>
    public IReadOnlyList<uint> NegotiationVersions { get; init; } = [];

    /// <summary>Error code of a CONNECTION_CLOSE frame in an Initial packet, if one came.</summary>
    public ulong? CloseErrorCode { get; init; }

    /// <summary>The ClientHello from the client's CRYPTO frames (fingerprints with the <c>q</c> prefix).</summary>
    public TlsClientHello? ClientHello { get; init; }

    /// <summary>
    /// The client's second ClientHello, sent in its Initial CRYPTO stream after a HelloRetryRequest
    /// (RFC 8446 §4.1.4); null when none was read.
    /// </summary>
    public TlsClientHello? RetryClientHello { get; init; }

    /// <summary>The ServerHello from the server's Initial CRYPTO frames (the real one, when a HelloRetryRequest came first).</summary>
    public TlsServerHello? ServerHello { get; init; }

    /// <summary>Whether the server's HelloRetryRequest was read from its Initial CRYPTO frames.</summary>
    public bool HelloRetryRequest { get; init; }

    /// <summary>The client-to-server direction.</summary>
    public required QuicDirectionResult Client { get; init; }

    /// <summary>The server-to-client direction.</summary>
    public required QuicDirectionResult Server { get; init; }
}

/// <summary>What one direction of a QUIC connection contributed.</summary>
public sealed record QuicDirectionResult
{
    /// <summary>
    /// <see cref="TlsDirectionState.Encrypted"/> once this direction's hello was read (the rest of the
    /// handshake is under handshake keys), <see cref="TlsDirectionState.Parsing"/> before,
    /// <see cref="TlsDirectionState.LimitReached"/> or <see cref="TlsDirectionState.Malformed"/> when
    /// the CRYPTO data could not be used, <see cref="TlsDirectionState.NoData"/> when nothing came.
    /// </summary>
    public required TlsDirectionState State { get; init; }

    /// <summary>Why, in words, for the stopping states.</summary>
    public string? Detail { get; init; }

    /// <summary>UDP payload bytes fed.</summary>
    public required long Bytes { get; init; }

    /// <summary>Datagrams fed.</summary>
    public required int Datagrams { get; init; }

    /// <summary>Initial packets decrypted.</summary>
    public required int InitialPackets { get; init; }

    /// <summary>Initial packets that could not be decrypted (no client Initial seen first, or authentication failed).</summary>
    public required int UndecryptablePackets { get; init; }

    /// <summary>Long-header packets of other types (0-RTT, Handshake) skipped.</summary>
    public required int OtherLongPackets { get; init; }

    /// <summary>Contiguous CRYPTO bytes received from offset 0.</summary>
    public required int CryptoBytes { get; init; }

    /// <summary>A handshake message begun in the CRYPTO stream but not complete.</summary>
    public TlsTruncatedMessage? Truncated { get; init; }
}
