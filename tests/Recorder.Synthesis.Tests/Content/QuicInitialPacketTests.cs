using Recorder.Synthesis.Content;

namespace Recorder.Synthesis.Tests.Content;

/// <summary>
/// The content synthesizer's QUIC packet protection against RFC 9001 Appendix A: the same keys and,
/// for the appendix's client and server Initial payloads, byte for byte the same protected packets.
/// The dissector's own key derivation is not involved (this project does not reference it).
/// </summary>
public sealed class QuicInitialPacketTests
{
    private static readonly byte[] OriginalDestination = Convert.FromHexString("8394c8f03e515708");

    private static Dictionary<string, string> Vector() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "quic", "rfc9001-a.txt"))
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    [Theory]
    [InlineData("client")]
    [InlineData("server")]
    public void Derive_GivesTheKeysOfRfc9001AppendixA1(string side)
    {
        var vector = Vector();
        var keys = QuicInitialPacket.Derive(OriginalDestination, client: side == "client");

        Assert.Equal(vector[$"{side}_key"], Convert.ToHexStringLower(keys.Key));
        Assert.Equal(vector[$"{side}_iv"], Convert.ToHexStringLower(keys.Iv));
        Assert.Equal(vector[$"{side}_hp"], Convert.ToHexStringLower(keys.HeaderProtection));
    }

    [Fact]
    public void Protect_ClientInitialOfAppendixA2_IsTheRfcPacket()
    {
        var vector = Vector();
        var packet = QuicInitialPacket.Protect(QuicInitialPacket.Derive(OriginalDestination, client: true), OriginalDestination, [],
            packetNumber: 2, packetNumberLength: 4, Convert.FromHexString(vector["long_client_plain_payload"]));

        Assert.Equal(vector["long_client_encrypted_packet"], Convert.ToHexStringLower(packet));
    }

    [Fact]
    public void Protect_ServerInitialOfAppendixA3_IsTheRfcPacket()
    {
        var vector = Vector();
        var packet = QuicInitialPacket.Protect(QuicInitialPacket.Derive(OriginalDestination, client: false), [], Convert.FromHexString("f067a5502a4262b5"),
            packetNumber: 1, packetNumberLength: 2, Convert.FromHexString(vector["long_server_plain_payload"]));

        Assert.Equal(vector["long_server_encrypted_packet"], Convert.ToHexStringLower(packet));
    }

    /// <summary>
    /// The fingerprints of the hellos written, against values computed outside .NET from FoxIO's JA4
    /// specification (python3 hashlib over "1301,1302,1303" and "000a,000d,002b,002d,0033,0039_0403,0804,0401,0503,0805,0501");
    /// the JA4S is the one of RFC 9001 A.3's ServerHello (same cipher, same extensions in the same order).
    /// </summary>
    [Fact]
    public void Fingerprints_OfTheQuicHellos_EqualIndependentlyComputedValues()
    {
        Assert.Equal("q13d0308h3_55b375c5d22e_138986f623f9", QuicTls13Handshake.Ja4);
        Assert.Equal("q130200_1301_234ea6891581", QuicTls13Handshake.Ja4S);
        Assert.Equal("5f65a3d02455e6c142088cb493214bcc", QuicTls13Handshake.Ja3); // md5("771,4865-4866-4867,0-10-13-16-51-45-43-57,29-23,")
        Assert.Equal("eb1d94daa7e0344597e756a1fb6e7054", QuicTls13Handshake.Ja3S); // md5("771,4865,51-43")
    }
}
