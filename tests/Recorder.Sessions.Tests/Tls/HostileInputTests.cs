using CsCheck;
using Recorder.Sessions.Quic;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>Random, damaged and truncated input: never an exception, and a cut-short message is reported.</summary>
public sealed class HostileInputTests
{
    private static readonly byte[] ClientHello = VectorClientHello();

    /// <summary>The client stream of tls12.pcap (one ClientHello record, Firefox).</summary>
    private static byte[] VectorClientHello() =>
        CaptureConversations.Read(VectorCaptures.PathOf("tls12.pcap")).Single().Items.Where(i => i.FromClient).SelectMany(i => i.Bytes).ToArray();

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        Gen.Byte.Array[0, 3000].Select(Gen.Bool).Sample((bytes, fromClient) =>
        {
            var tls = new TlsStreamParser();
            tls.Feed(fromClient, bytes);
            tls.Feed(!fromClient, bytes);
            _ = tls.Result;
            var quic = new QuicInitialParser();
            quic.Feed(fromClient, bytes);
            _ = quic.Result;
        }, iter: 2000);
    }

    [Fact]
    public void ClientHelloWithRandomByteChanges_NeverThrows_AndKeepsTheRecordLayerHonest()
    {
        Gen.Int[0, ClientHello.Length - 1].Array[1, 8].Select(Gen.Byte.Array[8]).Sample((positions, values) =>
        {
            var bytes = (byte[])ClientHello.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                bytes[positions[i]] = values[i];
            }

            var parser = new TlsStreamParser();
            parser.Feed(true, bytes);
            var result = parser.Result;
            // With the record and handshake headers intact, a hello always comes out (marked malformed when its inside is broken).
            if (bytes.AsSpan(0, 9).SequenceEqual(ClientHello.AsSpan(0, 9)))
            {
                Assert.NotNull(result.ClientHello);
                Assert.True(result.ClientHello.Malformed is not null || result.ClientHello.Ja4.Length > 0);
            }
            else
            {
                // Unless the record is no longer a handshake record (an alert or application data in the clear is honest framing) or the message no longer a ClientHello.
                Assert.True(result.ClientHello is not null || result.Client.State != TlsDirectionState.Parsing || result.Client.Truncated is not null
                    || bytes[5] != 1 || bytes[0] != 22);
            }
        }, iter: 3000);
    }

    [Fact]
    public void QuicInitialWithRandomByteChanges_NeverThrows()
    {
        var packet = Convert.FromHexString(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "quic", "rfc9001-a.txt"))
            .Single(l => l.StartsWith("long_client_encrypted_packet", StringComparison.Ordinal)).Split(' ')[1]);
        Gen.Int[0, 40].Array[1, 4].Select(Gen.Byte.Array[4]).Sample((positions, values) =>
        {
            var bytes = (byte[])packet.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                bytes[positions[i]] = values[i];
            }

            var parser = new QuicInitialParser();
            parser.Feed(true, bytes);
            parser.Feed(false, bytes);
            _ = parser.Result;
        }, iter: 500);
    }

    [Fact]
    public void ClientHelloCutShort_IsReportedTruncated()
    {
        var parser = new TlsStreamParser();
        parser.Feed(true, ClientHello.AsSpan(0, 200));
        var result = parser.Result;

        Assert.Null(result.ClientHello);
        Assert.Equal(TlsDirectionState.Parsing, result.Client.State);
        var truncated = Assert.IsType<TlsTruncatedMessage>(result.Client.Truncated);
        Assert.Equal(1, truncated.HandshakeType);
        Assert.Equal(200 - 5 - 4, truncated.Received);
        Assert.Equal(ClientHello.Length - 5 - 4, truncated.Declared);
    }

    [Fact]
    public void GapBeforeTheHelloEnds_StopsTheDirectionAndKeepsTheTruncation()
    {
        var parser = new TlsStreamParser();
        parser.Feed(true, ClientHello.AsSpan(0, 100));
        parser.Gap(true);
        parser.Feed(true, ClientHello.AsSpan(150));

        Assert.Equal(TlsDirectionState.Gap, parser.Result.Client.State);
        Assert.NotNull(parser.Result.Client.Truncated);
        Assert.Null(parser.Result.ClientHello);
    }

    [Fact]
    public void HttpBytes_AreNotTls()
    {
        var parser = new TlsStreamParser();
        parser.Feed(true, "GET / HTTP/1.1\r\nHost: example\r\n\r\n"u8);

        Assert.Equal(TlsDirectionState.NotTls, parser.Result.Client.State);
        Assert.Equal(TlsDirectionState.NoData, parser.Result.Server.State);
    }

    [Fact]
    public void HandshakeMessageAboveTheLimit_StopsWithLimitReached()
    {
        // A record carrying the header of a 16 MiB Certificate message.
        byte[] bytes = [22, 3, 3, 0, 4, 11, 0xff, 0xff, 0xff];
        var parser = new TlsStreamParser();
        parser.Feed(false, bytes);

        Assert.Equal(TlsDirectionState.LimitReached, parser.Result.Server.State);
    }

    [Fact]
    public void ExtensionLengthPastTheMessage_IsReportedMalformed_WithTheFieldsReadBefore()
    {
        var bytes = (byte[])ClientHello.Clone();
        // Extensions block length: record(5) + handshake(4) + version(2) + random(32) + session id + ciphers + compression.
        var at = 5 + 4 + 2 + 32;
        at += 1 + bytes[at];
        at += 2 + ((bytes[at] << 8) | bytes[at + 1]);
        at += 1 + bytes[at];
        bytes[at] = 0xff;
        var parser = new TlsStreamParser();
        parser.Feed(true, bytes);
        var hello = parser.Result.ClientHello!;

        Assert.NotNull(hello.Malformed);
        Assert.Equal(17, hello.CipherSuites.Count);
        Assert.Empty(hello.Extensions);
    }

    [Fact]
    public void DamagedCertificate_IsListedWithFingerprintsAndTheReason()
    {
        byte[] der = [0x30, 0x03, 0x02, 0x01, 0x01];
        var certificate = CertificateParser.Read(0, der);

        Assert.NotNull(certificate.Malformed);
        Assert.Null(certificate.Subject);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(der)), certificate.Sha256);
    }
}
