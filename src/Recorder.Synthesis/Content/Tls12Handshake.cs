using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recorder.Synthesis.Content;

/// <summary>
/// A TLS 1.2 full handshake's clear-text flights (RFC 5246 §7.4): the ClientHello (server_name,
/// supported_groups, ec_point_formats, signature_algorithms, ALPN, extended_master_secret), the
/// server's ServerHello, Certificate and ServerHelloDone in one record, and the JA3/JA3S strings
/// (Salesforce's definition: version, ciphers, extensions, groups, point formats, decimal, dash-joined)
/// of what was written.
/// </summary>
internal static class Tls12Handshake
{
    private static readonly ushort[] CipherSuites = [0xC02F, 0xC030, 0xC02B, 0xC02C, 0x009C, 0x002F];
    private static readonly ushort[] Groups = [0x001D, 0x0017, 0x0018];
    private static readonly ushort[] SignatureAlgorithms = [0x0401, 0x0501, 0x0804, 0x0403];
    private static readonly ushort[] ClientExtensions = [0x0000, 0x000A, 0x000B, 0x000D, 0x0010, 0x0017];
    private const ushort ServerCipher = 0xC02F;
    private const ushort ServerExtension = 0x0017;

    public static string Ja3 => Md5(string.Create(CultureInfo.InvariantCulture,
        $"771,{string.Join('-', CipherSuites)},{string.Join('-', ClientExtensions)},{string.Join('-', Groups)},0"));

    public static string Ja3S => Md5(string.Create(CultureInfo.InvariantCulture, $"771,{ServerCipher},{ServerExtension}"));

    public static byte[] ClientHello(string serverName, ReadOnlySpan<byte> random)
    {
        var name = Encoding.ASCII.GetBytes(serverName);
        var body = new List<byte>();
        body.AddRange([0x03, 0x03]);
        body.AddRange(random[..32].ToArray());
        body.Add(0); // no session id
        AddUInt16(body, CipherSuites.Length * 2);
        foreach (var suite in CipherSuites)
        {
            AddUInt16(body, suite);
        }

        body.AddRange([1, 0]); // compression: null only
        var extensions = new List<byte>();
        AddExtension(extensions, 0x0000, [.. UInt16(name.Length + 3), 0, .. UInt16(name.Length), .. name]);
        AddExtension(extensions, 0x000A, [.. UInt16(Groups.Length * 2), .. Groups.SelectMany(UInt16)]);
        AddExtension(extensions, 0x000B, [1, 0]);
        AddExtension(extensions, 0x000D, [.. UInt16(SignatureAlgorithms.Length * 2), .. SignatureAlgorithms.SelectMany(UInt16)]);
        AddExtension(extensions, 0x0010, [0x00, 0x09, 0x08, .. "http/1.1"u8]);
        AddExtension(extensions, 0x0017, []);
        AddUInt16(body, extensions.Count);
        body.AddRange(extensions);
        return Record(Handshake(1, body));
    }

    public static byte[] ServerFlight(ReadOnlySpan<byte> random, ReadOnlySpan<byte> certificate)
    {
        var hello = new List<byte> { 0x03, 0x03 };
        hello.AddRange(random[..32].ToArray());
        hello.Add(32);
        hello.AddRange(random.Slice(32, 32).ToArray());
        AddUInt16(hello, ServerCipher);
        hello.Add(0);
        var extensions = new List<byte>();
        AddExtension(extensions, ServerExtension, []);
        AddUInt16(hello, extensions.Count);
        hello.AddRange(extensions);

        var chain = new List<byte>();
        AddUInt24(chain, certificate.Length);
        chain.AddRange(certificate.ToArray());
        var certificates = new List<byte>();
        AddUInt24(certificates, chain.Count);
        certificates.AddRange(chain);
        return Record([.. Handshake(2, hello), .. Handshake(11, certificates), .. Handshake(14, [])]);
    }

    /// <summary>The client's ClientKeyExchange (an uncompressed P-256 point), ChangeCipherSpec and an encrypted Finished.</summary>
    public static byte[] ClientFinish(ReadOnlySpan<byte> random)
    {
        var point = new List<byte> { 65, 0x04 };
        point.AddRange(random[..64].ToArray());
        return [.. Record(Handshake(16, point)), 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, .. Record(random.Slice(64, 40).ToArray())];
    }

    /// <summary>The server's ChangeCipherSpec and encrypted Finished.</summary>
    public static byte[] ServerFinish(ReadOnlySpan<byte> random) => [0x14, 0x03, 0x03, 0x00, 0x01, 0x01, .. Record(random[..40].ToArray())];

    /// <summary>An application-data record (type 23) carrying <paramref name="opaque"/>.</summary>
    public static byte[] ApplicationData(ReadOnlySpan<byte> opaque) => Record(opaque.ToArray(), 23);

    private static byte[] Handshake(byte type, List<byte> body)
    {
        var message = new List<byte> { type };
        AddUInt24(message, body.Count);
        message.AddRange(body);
        return [.. message];
    }

    private static byte[] Record(byte[] fragment, byte type = 22)
    {
        var record = new byte[5 + fragment.Length];
        record[0] = type;
        record[1] = 0x03;
        record[2] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)fragment.Length);
        fragment.CopyTo(record, 5);
        return record;
    }

    private static void AddExtension(List<byte> extensions, ushort type, byte[] data)
    {
        AddUInt16(extensions, type);
        AddUInt16(extensions, data.Length);
        extensions.AddRange(data);
    }

    private static byte[] UInt16(int value) => unchecked([(byte)(value >> 8), (byte)value]);

    private static byte[] UInt16(ushort value) => unchecked([(byte)(value >> 8), (byte)value]);

    private static void AddUInt16(List<byte> list, int value) => list.AddRange(UInt16(value));

    private static void AddUInt24(List<byte> list, int value) => list.AddRange(unchecked([(byte)(value >> 16), (byte)(value >> 8), (byte)value]));

#pragma warning disable CA5351 // JA3 is defined as an MD5 digest; it is a fingerprint, not a security control.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
#pragma warning restore CA5351
}
