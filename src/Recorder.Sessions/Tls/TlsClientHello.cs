namespace Recorder.Sessions.Tls;

/// <summary>
/// What a ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) said, and the client fingerprints computed
/// from it. Lists keep the order and the GREASE values (RFC 8701) as sent; the fingerprints leave
/// GREASE out as their definitions say. The random is not kept.
/// </summary>
public sealed record TlsClientHello
{
    /// <summary>The transport the hello came over: <c>t</c> for TLS over TCP, <c>q</c> for QUIC.</summary>
    public required TlsTransport Transport { get; init; }

    /// <summary><c>legacy_version</c> of the hello (0x0303 for TLS 1.2 and 1.3).</summary>
    public required ushort LegacyVersion { get; init; }

    /// <summary>Length of <c>legacy_session_id</c> (0–32).</summary>
    public required int SessionIdLength { get; init; }

    /// <summary>The client random (32 bytes, lower-case hex): what an NSS key log names a connection by.</summary>
    public string? Random { get; init; }

    /// <summary>Cipher suites in the order offered, GREASE included.</summary>
    public required IReadOnlyList<ushort> CipherSuites { get; init; }

    /// <summary>Extension types in the order sent, GREASE included.</summary>
    public required IReadOnlyList<ushort> Extensions { get; init; }

    /// <summary>The first host_name of server_name (RFC 6066 §3), decoded as UTF-8; null when absent.</summary>
    public string? ServerName { get; init; }

    /// <summary>ALPN protocol names offered (RFC 7301), decoded as UTF-8.</summary>
    public required IReadOnlyList<string> Alpn { get; init; }

    /// <summary>supported_versions (RFC 8446 §4.2.1), GREASE included; empty when absent.</summary>
    public required IReadOnlyList<ushort> SupportedVersions { get; init; }

    /// <summary>supported_groups (RFC 8422 §5.1.1, RFC 8446 §4.2.7), GREASE included.</summary>
    public required IReadOnlyList<ushort> SupportedGroups { get; init; }

    /// <summary>ec_point_formats (RFC 8422 §5.1.2).</summary>
    public required IReadOnlyList<byte> EcPointFormats { get; init; }

    /// <summary>signature_algorithms (RFC 8446 §4.2.3) in the order sent, GREASE included.</summary>
    public required IReadOnlyList<ushort> SignatureAlgorithms { get; init; }

    /// <summary>Whether any GREASE value appeared (cipher, extension, group, version or signature).</summary>
    public required bool HasGrease { get; init; }

    /// <summary>
    /// Why the hello could not be read to its end (a length running past its container, a list of odd
    /// length…); null when it parsed cleanly. The fields hold what was read before the fault.
    /// </summary>
    public string? Malformed { get; init; }

    /// <summary>The JA3 string (Salesforce): <c>version,ciphers,extensions,groups,point formats</c>.</summary>
    public required string Ja3Full { get; init; }

    /// <summary>MD5 of <see cref="Ja3Full"/>, lower-case hex (tshark's <c>tls.handshake.ja3</c>).</summary>
    public required string Ja3 { get; init; }

    /// <summary>JA4 (FoxIO): sorted lists, hashed.</summary>
    public required string Ja4 { get; init; }

    /// <summary>JA4_r: sorted lists, raw.</summary>
    public required string Ja4Raw { get; init; }

    /// <summary>JA4_o: lists in original order (SNI and ALPN kept), hashed.</summary>
    public required string Ja4Original { get; init; }

    /// <summary>JA4_ro: lists in original order, raw.</summary>
    public required string Ja4RawOriginal { get; init; }
}

/// <summary>The transport a TLS handshake travelled over; JA4's first character.</summary>
public enum TlsTransport
{
    /// <summary>TLS records over TCP (<c>t</c>).</summary>
    Tcp,

    /// <summary>CRYPTO frames of QUIC (<c>q</c>).</summary>
    Quic,
}
