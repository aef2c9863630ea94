using System.Buffers.Binary;
using System.Text;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>
/// A TLS 1.3 handshake through a HelloRetryRequest (RFC 8446 §4.1.4), built byte by byte: the
/// client's ClientHello, the server's HelloRetryRequest (a ServerHello with the special random of
/// §4.1.3) and middlebox-compatibility ChangeCipherSpec (Appendix D.4), the client's
/// ChangeCipherSpec and second ClientHello (a cookie added, the key share for the group asked for,
/// early_data dropped, so its JA3 and JA4 differ), the server's real ServerHello, and encrypted
/// application data records after each.
/// </summary>
internal static class HelloRetryExchange
{
    public const string ServerName = "hrr.example";

    private static readonly byte[] HrrRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    public static byte[] FirstHello { get; } = ClientHello(retry: false);

    public static byte[] SecondHello { get; } = ClientHello(retry: true);

    /// <summary>The first hello without supported_versions: it offers TLS 1.2 at most, which has no HelloRetryRequest.</summary>
    public static byte[] Tls12Hello { get; } = ClientHello(retry: false, offerTls13: false);

    public static byte[] RetryRequest { get; } = ServerHello(retry: true);

    public static byte[] RealServerHello { get; } = ServerHello(retry: false);

    public static byte[] ChangeCipherSpec { get; } = [20, 3, 3, 0, 1, 1];

    /// <summary>The client's stream: ClientHello, ChangeCipherSpec, second ClientHello, then an encrypted record.</summary>
    public static byte[] ClientStream { get; } = [.. Record(22, FirstHello), .. ChangeCipherSpec, .. Record(22, SecondHello), .. Encrypted(80)];

    /// <summary>The server's stream: HelloRetryRequest, ChangeCipherSpec, ServerHello, then an encrypted record.</summary>
    public static byte[] ServerStream { get; } = [.. Record(22, RetryRequest), .. ChangeCipherSpec, .. Record(22, RealServerHello), .. Encrypted(900)];

    /// <summary>The writes in the order a real exchange makes them (each side waits for the other's hello).</summary>
    public static IReadOnlyList<(bool FromClient, byte[] Bytes)> Writes { get; } =
    [
        (true, Record(22, FirstHello)),
        (false, [.. Record(22, RetryRequest), .. ChangeCipherSpec]),
        (true, [.. ChangeCipherSpec, .. Record(22, SecondHello)]),
        (false, [.. Record(22, RealServerHello), .. Encrypted(900)]),
        (true, Encrypted(80)),
    ];

    public static byte[] Record(byte type, ReadOnlySpan<byte> message)
    {
        var record = new byte[5 + message.Length];
        record[0] = type;
        record[1] = 3;
        record[2] = type == 22 ? (byte)1 : (byte)3;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), checked((ushort)message.Length));
        message.CopyTo(record.AsSpan(5));
        return record;
    }

    /// <summary>An application_data record of pseudo-random bytes (what TLS 1.3 sends encrypted).</summary>
    public static byte[] Encrypted(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        return [23, 3, 3, .. U16(length), .. body];
    }

    /// <summary>A handshake message: type, 24-bit length, body.</summary>
    public static byte[] Message(byte type, ReadOnlySpan<byte> body) =>
        [type, 0, .. U16(body.Length), .. body];

    private static byte[] ClientHello(bool retry, bool offerTls13 = true)
    {
        var name = Encoding.ASCII.GetBytes(ServerName);
        var extensions = new List<byte[]>
        {
            Extension(0x0000, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]),
            Extension(0x000a, [.. U16(6), .. U16(0x001d), .. U16(0x0017), .. U16(0x0018)]),
            Extension(0x000d, [.. U16(6), .. U16(0x0403), .. U16(0x0804), .. U16(0x0401)]),
            Extension(0x0010, [.. U16(3), 2, (byte)'h', (byte)'2']),
            Extension(0x002b, [4, .. U16(0x0304), .. U16(0x0303)]),
            // key_share: first an X25519 share the server refuses, then one for P-256 as it asks.
            retry ? Extension(0x0033, [.. U16(69), .. U16(0x0017), .. U16(65), .. new byte[65]])
                : Extension(0x0033, [.. U16(36), .. U16(0x001d), .. U16(32), .. new byte[32]]),
        };
        if (!offerTls13)
        {
            extensions.RemoveAt(4);
        }

        if (retry)
        {
            extensions.Add(Extension(0x002c, [.. U16(8), .. "cookie!!"u8]));
        }
        else
        {
            extensions.Add(Extension(0x002a, []));
        }

        byte[] all = [.. extensions.SelectMany(e => e)];
        byte[] body =
        [
            3, 3, .. new byte[32], 32, .. Enumerable.Repeat((byte)7, 32), .. U16(6), .. U16(0x1301), .. U16(0x1302), .. U16(0x1303), 1, 0,
            .. U16(all.Length), .. all,
        ];
        return Message(1, body);
    }

    private static byte[] ServerHello(bool retry)
    {
        byte[] extensions = retry
            ? [.. Extension(0x002b, U16(0x0304)), .. Extension(0x0033, U16(0x0017)), .. Extension(0x002c, [.. U16(8), .. "cookie!!"u8])]
            : [.. Extension(0x002b, U16(0x0304)), .. Extension(0x0033, [.. U16(0x0017), .. U16(65), .. new byte[65]])];
        byte[] body =
        [
            3, 3, .. (retry ? HrrRandom : Enumerable.Repeat((byte)0x5a, 32).ToArray()), 32, .. Enumerable.Repeat((byte)7, 32), .. U16(0x1301), 0,
            .. U16(extensions.Length), .. extensions,
        ];
        return Message(2, body);
    }

    private static byte[] Extension(int type, ReadOnlySpan<byte> data) => [.. U16(type), .. U16(data.Length), .. data];

    private static byte[] U16(int value) => [(byte)((value >> 8) & 0xff), (byte)(value & 0xff)];
}
