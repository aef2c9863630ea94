namespace Recorder.Sessions.Tls;

/// <summary>What a ServerHello (or HelloRetryRequest) said, and the server fingerprints computed from it.</summary>
public sealed record TlsServerHello
{
    /// <summary>The transport the hello came over.</summary>
    public required TlsTransport Transport { get; init; }

    /// <summary><c>legacy_version</c> of the hello.</summary>
    public required ushort LegacyVersion { get; init; }

    /// <summary>
    /// The version the server chose: supported_versions' value when present (TLS 1.3, RFC 8446
    /// §4.2.1), otherwise <see cref="LegacyVersion"/>.
    /// </summary>
    public required ushort SelectedVersion { get; init; }

    /// <summary>The cipher suite the server chose.</summary>
    public required ushort CipherSuite { get; init; }

    /// <summary>Length of the echoed <c>legacy_session_id</c>.</summary>
    public required int SessionIdLength { get; init; }

    /// <summary>Extension types in the order sent.</summary>
    public required IReadOnlyList<ushort> Extensions { get; init; }

    /// <summary>The ALPN protocol the server selected, decoded as UTF-8; null when none.</summary>
    public string? Alpn { get; init; }

    /// <summary>Whether this is a HelloRetryRequest (RFC 8446 §4.1.3: the special random).</summary>
    public required bool IsHelloRetryRequest { get; init; }

    /// <summary>Why the hello could not be read to its end; null when it parsed cleanly.</summary>
    public string? Malformed { get; init; }

    /// <summary>The JA3S string (Salesforce): <c>version,cipher,extensions</c>.</summary>
    public required string Ja3SFull { get; init; }

    /// <summary>MD5 of <see cref="Ja3SFull"/>, lower-case hex (tshark's <c>tls.handshake.ja3s</c>).</summary>
    public required string Ja3S { get; init; }

    /// <summary>JA4S (FoxIO): <c>a_b_c</c> with the extension list hashed.</summary>
    public required string Ja4S { get; init; }

    /// <summary>JA4S_r: the extension list raw.</summary>
    public required string Ja4SRaw { get; init; }
}
