using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recorder.Synthesis.Content;

/// <summary>
/// The TLS 1.3 messages a QUIC connection's Initial packets carry in CRYPTO frames (RFC 9001 §4):
/// a ClientHello (RFC 8446 §4.1.2; empty legacy session id as QUIC requires, server_name, ALPN h3,
/// quic_transport_parameters, RFC 9001 §8.2) and a ServerHello (key_share, supported_versions), and the
/// JA3/JA3S and JA4/JA4S fingerprints of what was written (FoxIO's specification: <c>q</c> for QUIC, the highest
/// supported version, SNI present, counts, ALPN's first and last character, then the first 12 hex
/// digits of SHA-256 over the sorted cipher suites and over the sorted extensions without SNI and
/// ALPN followed by the signature algorithms in order).
/// </summary>
internal static class QuicTls13Handshake
{
    public const string Alpn = "h3";
    private static readonly ushort[] CipherSuites = [0x1301, 0x1302, 0x1303];
    private static readonly ushort[] Groups = [0x001D, 0x0017];
    private static readonly ushort[] SignatureAlgorithms = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501];

    // In the order written: server_name, supported_groups, signature_algorithms, ALPN, key_share,
    // psk_key_exchange_modes, supported_versions, quic_transport_parameters.
    private static readonly ushort[] ClientExtensions = [0x0000, 0x000A, 0x000D, 0x0010, 0x0033, 0x002D, 0x002B, 0x0039];
    private static readonly ushort[] ServerExtensions = [0x0033, 0x002B];
    private const ushort ServerCipher = 0x1301;

    public static string Ja4
    {
        get
        {
            var a = string.Create(CultureInfo.InvariantCulture, $"q13d{CipherSuites.Length:D2}{ClientExtensions.Length:D2}{Alpn[0]}{Alpn[^1]}");
            var b = Truncated(string.Join(',', CipherSuites.Order().Select(Hex4)));
            var extensions = ClientExtensions.Where(e => e is not 0x0000 and not 0x0010).Order().Select(Hex4);
            var c = Truncated(string.Join(',', extensions) + "_" + string.Join(',', SignatureAlgorithms.Select(Hex4)));
            return $"{a}_{b}_{c}";
        }
    }

    /// <summary>JA3 (Salesforce): version 771, ciphers, extensions as sent, groups, and no point formats (TLS 1.3 sends none).</summary>
    public static string Ja3 => Md5(string.Create(CultureInfo.InvariantCulture,
        $"771,{string.Join('-', CipherSuites)},{string.Join('-', ClientExtensions)},{string.Join('-', Groups)},"));

    /// <summary>JA3S: the ServerHello's legacy version 771, cipher, extensions as sent.</summary>
    public static string Ja3S => Md5(string.Create(CultureInfo.InvariantCulture, $"771,{ServerCipher},{string.Join('-', ServerExtensions)}"));

    /// <summary>JA4S: no ALPN in a QUIC ServerHello (it goes in EncryptedExtensions), so <c>00</c>; the extensions in the order sent.</summary>
    public static string Ja4S => string.Create(CultureInfo.InvariantCulture,
        $"q13{ServerExtensions.Length:D2}00_{Hex4(ServerCipher)}_{Truncated(string.Join(',', ServerExtensions.Select(Hex4)))}");

    /// <summary>The ClientHello handshake message (no record layer: QUIC carries it in CRYPTO frames).</summary>
    public static byte[] ClientHello(string serverName, ReadOnlySpan<byte> random, ReadOnlySpan<byte> keyShare, ReadOnlySpan<byte> sourceConnectionId)
    {
        var name = Encoding.ASCII.GetBytes(serverName);
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(random[..32].ToArray());
        body.Add(0); // legacy_session_id: empty in QUIC (RFC 9001 §8.4)
        AddUInt16(body, CipherSuites.Length * 2);
        CipherSuites.ToList().ForEach(s => AddUInt16(body, s));
        body.AddRange([1, 0]);
        var extensions = new List<byte>();
        AddExtension(extensions, 0x0000, [.. UInt16(name.Length + 3), 0, .. UInt16(name.Length), .. name]);
        AddExtension(extensions, 0x000A, [.. UInt16(Groups.Length * 2), .. Groups.SelectMany(g => UInt16(g))]);
        AddExtension(extensions, 0x000D, [.. UInt16(SignatureAlgorithms.Length * 2), .. SignatureAlgorithms.SelectMany(a => UInt16(a))]);
        AddExtension(extensions, 0x0010, [.. UInt16(Alpn.Length + 1), (byte)Alpn.Length, .. Encoding.ASCII.GetBytes(Alpn)]);
        AddExtension(extensions, 0x0033, [.. UInt16(36), 0x00, 0x1D, 0x00, 0x20, .. keyShare[..32]]);
        AddExtension(extensions, 0x002D, [1, 1]); // psk_dhe_ke
        AddExtension(extensions, 0x002B, [2, 0x03, 0x04]);
        AddExtension(extensions, 0x0039, TransportParameters(sourceConnectionId));
        AddUInt16(body, extensions.Count);
        body.AddRange(extensions);
        return Handshake(1, body);
    }

    /// <summary>The ServerHello: TLS_AES_128_GCM_SHA256, an X25519 key share and supported_versions TLS 1.3.</summary>
    public static byte[] ServerHello(ReadOnlySpan<byte> random, ReadOnlySpan<byte> keyShare)
    {
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(random[..32].ToArray());
        body.Add(0); // legacy_session_id_echo: the client's, empty
        AddUInt16(body, ServerCipher);
        body.Add(0);
        var extensions = new List<byte>();
        AddExtension(extensions, 0x0033, [0x00, 0x1D, 0x00, 0x20, .. keyShare[..32]]);
        AddExtension(extensions, 0x002B, [0x03, 0x04]);
        AddUInt16(body, extensions.Count);
        body.AddRange(extensions);
        return Handshake(2, body);
    }

    /// <summary>RFC 9000 §18.2: max_idle_timeout 30 s, initial_max_data 1 MiB, initial_source_connection_id.</summary>
    private static byte[] TransportParameters(ReadOnlySpan<byte> sourceConnectionId) =>
    [
        0x01, 0x04, 0x80, 0x00, 0x75, 0x30,
        0x04, 0x04, 0x80, 0x10, 0x00, 0x00,
        0x0F, (byte)sourceConnectionId.Length, .. sourceConnectionId,
    ];

    private static string Hex4(ushort value) => value.ToString("x4", CultureInfo.InvariantCulture);

#pragma warning disable CA5351 // JA3 is defined as an MD5 digest; it is a fingerprint, not a security control.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
#pragma warning restore CA5351

    private static string Truncated(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

    private static byte[] Handshake(byte type, List<byte> body) =>
        [type, (byte)(body.Count >> 16), (byte)((body.Count >> 8) & 0xFF), (byte)(body.Count & 0xFF), .. body];

    private static void AddExtension(List<byte> extensions, ushort type, byte[] data)
    {
        AddUInt16(extensions, type);
        AddUInt16(extensions, data.Length);
        extensions.AddRange(data);
    }

    private static byte[] UInt16(int value) => [(byte)((value >> 8) & 0xFF), (byte)(value & 0xFF)];

    private static void AddUInt16(List<byte> list, int value) => list.AddRange(UInt16(value));
}
