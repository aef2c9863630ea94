namespace Recorder.Sessions.Tls;

/// <summary>Code points of TLS the dissector needs (IANA TLS registries).</summary>
internal static class TlsValues
{
    public const byte ContentChangeCipherSpec = 20;
    public const byte ContentAlert = 21;
    public const byte ContentHandshake = 22;
    public const byte ContentApplicationData = 23;
    public const byte ContentHeartbeat = 24;

    public const byte HandshakeClientHello = 1;
    public const byte HandshakeServerHello = 2;
    public const byte HandshakeCertificate = 11;

    public const ushort ExtensionServerName = 0x0000;
    public const ushort ExtensionSupportedGroups = 0x000a;
    public const ushort ExtensionEcPointFormats = 0x000b;
    public const ushort ExtensionSignatureAlgorithms = 0x000d;
    public const ushort ExtensionAlpn = 0x0010;
    public const ushort ExtensionSupportedVersions = 0x002b;

    public const ushort Tls13 = 0x0304;

    /// <summary>
    /// GREASE values (RFC 8701 §2): 0x0A0A, 0x1A1A … 0xFAFA, both bytes equal and of the form 0x?A.
    /// </summary>
    public static bool IsGrease(ushort value) => (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);

    /// <summary>
    /// The ServerHello random that marks a HelloRetryRequest (RFC 8446 §4.1.3): SHA-256 of
    /// "HelloRetryRequest".
    /// </summary>
    public static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];
}
