using System.Globalization;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// The start of a QUIC version 1 connection over UDP/443: the client's Initial (a CRYPTO frame with
/// the ClientHello, padded so the datagram is 1200 bytes as RFC 9000 §14.1 requires) and the
/// server's Initial (an ACK frame and a CRYPTO frame with the ServerHello), both protected with the
/// Initial keys of the client's random 8-byte destination connection ID (<see cref="QuicInitialPacket"/>).
/// </summary>
internal static class QuicConversation
{
    private const int ClientDatagram = 1200;
    private const int PacketNumberLength = 2;

    public static ContentQuicConnection Write(ConversationWriter writer, SeededRandom random, uint client, uint server, List<ContentSession> sessions)
    {
        var clientPort = ContentSynthesizer.Ephemeral(random);
        var session = ContentSynthesizer.Session("udp", client, clientPort, server, 443, "quic");
        sessions.Add(session);
        var serverName = string.Create(CultureInfo.InvariantCulture, $"h3-{random.NextInt32(1000)}.example.net");
        var originalDestination = Random(random, 8);
        var clientSource = Random(random, 8);
        var serverSource = Random(random, 8);

        var hello = QuicTls13Handshake.ClientHello(serverName, Random(random, 32), Random(random, 32), clientSource);
        var clientFrames = Crypto(hello);
        var headerLength = 1 + 4 + 1 + originalDestination.Length + 1 + clientSource.Length + 1 + 2 + PacketNumberLength; // no token
        var padded = new byte[ClientDatagram - headerLength - 16]; // PADDING frames are zero bytes (RFC 9000 §19.1)
        clientFrames.CopyTo(padded, 0);
        var clientKeys = QuicInitialPacket.Derive(originalDestination, client: true);
        writer.Udp(client, clientPort, server, 443, QuicInitialPacket.Protect(clientKeys, originalDestination, clientSource, 0, PacketNumberLength, padded));

        // RFC 9000 §19.3: ACK of the client's packet 0 (largest 0, delay 0, no more ranges, first range 0).
        byte[] serverFrames = [0x02, 0x00, 0x00, 0x00, 0x00, .. Crypto(QuicTls13Handshake.ServerHello(Random(random, 32), Random(random, 32)))];
        var serverKeys = QuicInitialPacket.Derive(originalDestination, client: false);
        writer.Udp(server, 443, client, clientPort, QuicInitialPacket.Protect(serverKeys, clientSource, serverSource, 0, PacketNumberLength, serverFrames));
        writer.Pause(1_000_000);
        return new ContentQuicConnection(session, 1, Convert.ToHexStringLower(originalDestination), serverName, [QuicTls13Handshake.Alpn],
            QuicTls13Handshake.Ja3, QuicTls13Handshake.Ja3S, QuicTls13Handshake.Ja4, QuicTls13Handshake.Ja4S);
    }

    /// <summary>A CRYPTO frame (RFC 9000 §19.6) at offset 0 with a two-byte length.</summary>
    private static byte[] Crypto(byte[] data) => [0x06, 0x00, (byte)(0x40 | (data.Length >> 8)), (byte)(data.Length & 0xFF), .. data];

    private static byte[] Random(SeededRandom random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
