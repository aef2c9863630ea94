using System.Security.Cryptography;
using System.Text;
using Recorder.Sessions.Quic;
using Recorder.Sessions.Search;
using Recorder.Sessions.Tests.Tls;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Quic;

/// <summary>
/// A HelloRetryRequest over QUIC v1: the hellos travel in Initial packets built and encrypted here as
/// RFC 9001 §5 says (keys from the client's first destination connection ID, AES-128-GCM, AES header
/// protection); the second ClientHello continues the client's CRYPTO stream under the same keys.
/// </summary>
public sealed class QuicHelloRetryTests
{
    private static readonly byte[] Salt = Convert.FromHexString("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static readonly byte[] ClientId = Convert.FromHexString("c1c2c3c4c5c6c7c8");
    private static readonly byte[] ServerId = Convert.FromHexString("5151515151515151");
    private static readonly byte[] OriginalDestination = Convert.FromHexString("8394c8f03e515708");

    private static byte[] ClientInitial(long packetNumber, int offset, byte[] data) =>
        Initial(client: true, OriginalDestination, ClientId, packetNumber, offset, data);

    private static byte[] ServerInitial(long packetNumber, int offset, byte[] data) =>
        Initial(client: false, ClientId, ServerId, packetNumber, offset, data);

    private static IReadOnlyList<(bool FromClient, byte[] Datagram)> Exchange =>
    [
        (true, ClientInitial(0, 0, HelloRetryExchange.FirstHello)),
        (false, ServerInitial(0, 0, HelloRetryExchange.RetryRequest)),
        (true, ClientInitial(1, HelloRetryExchange.FirstHello.Length, HelloRetryExchange.SecondHello)),
        (false, ServerInitial(1, HelloRetryExchange.RetryRequest.Length, HelloRetryExchange.RealServerHello)),
    ];

    [Fact]
    public void BothClientHellos_AreRead_AndTheRealServerHello()
    {
        var result = Feed(Exchange);

        Assert.Equal(Alone(HelloRetryExchange.FirstHello), result.ClientHello!.Ja4);
        Assert.StartsWith("q13", result.ClientHello.Ja4, StringComparison.Ordinal);
        Assert.Equal(Alone(HelloRetryExchange.SecondHello), result.RetryClientHello!.Ja4);
        Assert.NotEqual(result.ClientHello.Ja4, result.RetryClientHello.Ja4);
        Assert.True(result.HelloRetryRequest);
        Assert.False(result.ServerHello!.IsHelloRetryRequest);
        Assert.Equal(2, result.Client.InitialPackets);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
    }

    [Fact]
    public void ClientSideOnly_SecondHelloIsRead()
    {
        var result = Feed(Exchange.Where(e => e.FromClient));

        Assert.Equal(Alone(HelloRetryExchange.SecondHello), result.RetryClientHello!.Ja4);
        Assert.False(result.HelloRetryRequest);
    }

    [Fact]
    public void AfterARealServerHello_LaterClientInitialsAreNotRead()
    {
        // No retry: once the server's ServerHello is read, the client owes nothing in the clear.
        var result = Feed(
        [
            (true, ClientInitial(0, 0, HelloRetryExchange.FirstHello)), (false, ServerInitial(0, 0, HelloRetryExchange.RealServerHello)),
            (true, ClientInitial(1, HelloRetryExchange.FirstHello.Length, HelloRetryExchange.SecondHello)),
        ]);

        Assert.Null(result.RetryClientHello);
        Assert.Equal(1, result.Client.InitialPackets);
    }

    [Fact]
    public void SessionTable_RecordsTheRetry_AndTheSearchFindsTheSecondJa4()
    {
        var frames = Exchange.Select(e => e.FromClient
            ? Traffic.Udp("10.0.0.1", 50000, "10.0.0.2", 443, e.Datagram)
            : Traffic.Udp("10.0.0.2", 443, "10.0.0.1", 50000, e.Datagram));
        var record = Assert.Single(Traffic.Run(frames));
        var document = SessionDocument.From(record, 7, false);

        Assert.Equal("quic", document.Application);
        Assert.True(document.QuicHelloRetryRequest);
        Assert.Equal(Alone(HelloRetryExchange.FirstHello), document.QuicJa4);
        Assert.Equal(Alone(HelloRetryExchange.SecondHello), document.QuicRetryJa4);
        Assert.True(SessionFilter.Parse(new SessionFilterArguments { Ja4 = document.QuicRetryJa4 }).Filter!.Matches(document));
    }

    private static QuicMetadata Feed(IEnumerable<(bool FromClient, byte[] Datagram)> datagrams)
    {
        var parser = new QuicInitialParser();
        foreach (var (fromClient, datagram) in datagrams)
        {
            parser.Feed(fromClient, datagram);
        }

        return parser.Result;
    }

    /// <summary>The JA4 of a hello read alone from a client's first Initial.</summary>
    private static string Alone(byte[] hello) => Feed([(true, ClientInitial(0, 0, hello))]).ClientHello!.Ja4;

    /// <summary>A QUIC v1 Initial packet with one CRYPTO frame, padded to 1200 bytes, protected as RFC 9001 §5.3–5.4 say.</summary>
    private static byte[] Initial(bool client, byte[] destination, byte[] source, long packetNumber, int offset, byte[] data)
    {
        var (key, iv, hp) = Keys(client);
        byte[] frame = [0x06, .. VarInt(offset), .. VarInt(data.Length), .. data];
        var payload = new byte[Math.Max(frame.Length, 1200)];
        frame.CopyTo(payload, 0);
        const int numberLength = 4;
        byte[] header =
        [
            0xC0 | (numberLength - 1), 0, 0, 0, 1, (byte)destination.Length, .. destination, (byte)source.Length, .. source, 0,
            .. VarInt2(numberLength + payload.Length + 16),
            (byte)(packetNumber >> 24), (byte)((packetNumber >> 16) & 0xff), (byte)((packetNumber >> 8) & 0xff), (byte)(packetNumber & 0xff),
        ];
        var nonce = (byte[])iv.Clone();
        for (var i = 0; i < 8; i++)
        {
            nonce[4 + i] ^= (byte)((packetNumber >> (56 - (8 * i))) & 0xff);
        }

        var ciphertext = new byte[payload.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(key, 16))
        {
            gcm.Encrypt(nonce, payload, ciphertext, tag, header);
        }

        byte[] packet = [.. header, .. ciphertext, .. tag];
        var numberOffset = header.Length - numberLength;
        using var aes = Aes.Create();
        aes.Key = hp;
        var mask = aes.EncryptEcb(packet.AsSpan(numberOffset + 4, 16), PaddingMode.None);
        packet[0] ^= (byte)(mask[0] & 0x0f);
        for (var i = 0; i < numberLength; i++)
        {
            packet[numberOffset + i] ^= mask[1 + i];
        }

        return packet;
    }

    private static (byte[] Key, byte[] Iv, byte[] Hp) Keys(bool client)
    {
        var initial = HKDF.Extract(HashAlgorithmName.SHA256, OriginalDestination, Salt);
        var secret = ExpandLabel(initial, client ? "client in" : "server in", 32);
        return (ExpandLabel(secret, "quic key", 16), ExpandLabel(secret, "quic iv", 12), ExpandLabel(secret, "quic hp", 16));
    }

    private static byte[] ExpandLabel(byte[] secret, string label, int length)
    {
        var full = Encoding.ASCII.GetBytes("tls13 " + label);
        byte[] info = [0, (byte)length, (byte)full.Length, .. full, 0];
        return HKDF.Expand(HashAlgorithmName.SHA256, secret, length, info);
    }

    private static byte[] VarInt(int value) => value < 64 ? [(byte)value] : VarInt2(value);

    private static byte[] VarInt2(int value) => [(byte)(0x40 | (value >> 8)), (byte)(value & 0xff)];
}
