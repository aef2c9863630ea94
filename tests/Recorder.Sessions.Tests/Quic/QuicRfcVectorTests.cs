using Recorder.Sessions.Quic;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Quic;

/// <summary>RFC 9001 Appendix A (QUIC v1) and RFC 9369 Appendix A (QUIC v2): keys and the sample client and server Initials.</summary>
public sealed class QuicRfcVectorTests
{
    private static readonly byte[] OriginalDestination = Convert.FromHexString("8394c8f03e515708");

    public static TheoryData<string, uint> Vectors => new() { { "rfc9001-a.txt", 1u }, { "rfc9369-a.txt", 0x6b3343cfu } };

    private static Dictionary<string, string> Load(string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "quic", file))
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void InitialKeys_EqualTheRfcAppendix(string file, uint version)
    {
        var vector = Load(file);
        var quicVersion = QuicVersion.Find(version)!;
        foreach (var side in new[] { "client", "server" })
        {
            var keys = QuicInitialKeys.Derive(quicVersion, OriginalDestination, client: side == "client");
            Assert.Equal(vector[$"{side}_secret"], Convert.ToHexStringLower(keys.Secret));
            Assert.Equal(vector[$"{side}_key"], Convert.ToHexStringLower(keys.Key));
            Assert.Equal(vector[$"{side}_iv"], Convert.ToHexStringLower(keys.Iv));
            Assert.Equal(vector[$"{side}_hp"], Convert.ToHexStringLower(keys.HeaderProtection));
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void SampleInitials_DecryptToTheRfcClientHelloAndServerHello(string file, uint version)
    {
        var vector = Load(file);
        var parser = new QuicInitialParser();
        parser.Feed(true, Convert.FromHexString(vector["long_client_encrypted_packet"]));
        parser.Feed(false, Convert.FromHexString(vector["long_server_encrypted_packet"]));
        var result = parser.Result;

        Assert.Equal(version, result.Version);
        Assert.False(result.UnsupportedVersion);
        Assert.Equal("8394c8f03e515708", result.OriginalDestinationConnectionId);
        Assert.Equal("f067a5502a4262b5", result.ServerSourceConnectionId);
        Assert.Equal(1, result.Client.InitialPackets);
        Assert.Equal(1, result.Server.InitialPackets);
        Assert.Equal(0, result.Client.UndecryptablePackets + result.Server.UndecryptablePackets);

        // Eleven extensions: 0000 ff01 000a 0010 0005 0033 002b 000d 002d 001c 0039. The CRYPTO frame of A.2 holds a 245-byte ClientHello (4-byte header + 0xed).
        Assert.Equal(0xf1, result.Client.CryptoBytes);
        var hello = result.ClientHello!;
        Assert.Null(hello.Malformed);
        Assert.Equal(TlsTransport.Quic, hello.Transport);
        Assert.Equal("example.com", hello.ServerName);
        Assert.Equal(["alpn"], hello.Alpn);
        Assert.Equal([0x1301, 0x1302], hello.CipherSuites);
        Assert.Equal([0x0304], hello.SupportedVersions);
        Assert.StartsWith("q13d0211an_", hello.Ja4, StringComparison.Ordinal);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);

        var server = result.ServerHello!;
        Assert.Equal(0x1301, server.CipherSuite);
        Assert.Equal(0x0304, server.SelectedVersion);
        Assert.Equal("q130200_1301_234ea6891581", server.Ja4S);
    }

    [Fact]
    public void ClientInitial_WithOneFlippedCiphertextByte_IsCountedUndecryptable()
    {
        var packet = Convert.FromHexString(Load("rfc9001-a.txt")["long_client_encrypted_packet"]);
        packet[600] ^= 0x01;
        var parser = new QuicInitialParser();
        parser.Feed(true, packet);

        Assert.Equal(1, parser.Result.Client.UndecryptablePackets);
        Assert.Null(parser.Result.ClientHello);
    }

    [Fact]
    public void ServerInitial_BeforeAnyClientInitial_CannotBeOpened()
    {
        var parser = new QuicInitialParser();
        parser.Feed(false, Convert.FromHexString(Load("rfc9001-a.txt")["long_server_encrypted_packet"]));

        Assert.Equal(1, parser.Result.Server.UndecryptablePackets);
        Assert.Null(parser.Result.ServerHello);
    }
}
