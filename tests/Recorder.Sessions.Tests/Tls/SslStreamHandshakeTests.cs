using System.Security.Authentication;
using System.Security.Cryptography;
using CsCheck;
using Recorder.Sessions.Tls;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>TLS 1.2 and 1.3 handshakes made by SslStream over loopback, fed in any split, and compared with tshark.</summary>
public sealed class SslStreamHandshakeTests
{
    public static TheoryData<SslProtocols> Protocols => new() { SslProtocols.Tls12, SslProtocols.Tls13 };

    private static TlsMetadata ParseWhole(IEnumerable<(bool FromClient, byte[] Bytes)> writes)
    {
        var parser = new TlsStreamParser();
        foreach (var (fromClient, bytes) in writes)
        {
            parser.Feed(fromClient, bytes);
        }

        return parser.Result;
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Handshake_YieldsHellosCertificateAndStopsAtEncryption(SslProtocols protocol)
    {
        using var certificate = LoopbackHandshake.SelfSigned();
        var writes = await LoopbackHandshake.RunAsync(protocol, certificate);
        var result = ParseWhole(writes);

        Assert.Equal(LoopbackHandshake.ServerName, result.ClientHello!.ServerName);
        Assert.Equal(["h2", "http/1.1"], result.ClientHello.Alpn);
        Assert.Null(result.ClientHello.Malformed);
        // TLS 1.3 sends the chosen ALPN in EncryptedExtensions, out of sight.
        Assert.Equal(protocol == SslProtocols.Tls13 ? null : "h2", result.ServerHello!.Alpn);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
        Assert.Equal(TlsDirectionState.Encrypted, result.Server.State);
        Assert.Null(result.Client.Truncated);
        if (protocol == SslProtocols.Tls13)
        {
            Assert.Equal(0x0304, result.ServerHello.SelectedVersion);
            Assert.StartsWith("t13d", result.ClientHello.Ja4, StringComparison.Ordinal);
            Assert.Empty(result.Certificates);
        }
        else
        {
            Assert.Equal(0x0303, result.ServerHello.SelectedVersion);
            var leaf = Assert.Single(result.Certificates);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), leaf.Sha256);
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(certificate.RawData)), leaf.Sha1);
            Assert.Equal(certificate.Subject, leaf.Subject);
            Assert.Equal("CN=recorder.test, O=Recorder Tests, C=NL", leaf.Issuer);
            Assert.Equal(Convert.ToHexStringLower(certificate.SerialNumberBytes.Span), leaf.SerialNumber);
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), leaf.NotBefore);
            Assert.Equal(new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero), leaf.NotAfter);
            Assert.Null(leaf.Malformed);
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnySplitOfTheStreams_GivesTheSameResult(SslProtocols protocol)
    {
        using var certificate = LoopbackHandshake.SelfSigned();
        var writes = await LoopbackHandshake.RunAsync(protocol, certificate);
        var expected = Describe(ParseWhole(writes));
        var client = writes.Where(w => w.FromClient).SelectMany(w => w.Bytes).ToArray();
        var server = writes.Where(w => !w.FromClient).SelectMany(w => w.Bytes).ToArray();

        Gen.Int[1, 64].Array[1, 200].Select(Gen.Int[1, 64].Array[1, 200]).Sample((clientCuts, serverCuts) =>
        {
            var parser = new TlsStreamParser();
            int clientAt = 0, serverAt = 0, i = 0;
            while (clientAt < client.Length || serverAt < server.Length)
            {
                var c = Math.Min(clientCuts[i % clientCuts.Length] * (1 + (i % 7)), client.Length - clientAt);
                parser.Feed(true, client.AsSpan(clientAt, c));
                clientAt += c;
                var s = Math.Min(serverCuts[i % serverCuts.Length] * (1 + (i % 5)), server.Length - serverAt);
                parser.Feed(false, server.AsSpan(serverAt, s));
                serverAt += s;
                i++;
            }

            Assert.Equal(expected, Describe(parser.Result));
        }, iter: 300);
    }

    [SkippableTheory]
    [MemberData(nameof(Protocols))]
    public async Task SyntheticCapture_AgreesWithTshark(SslProtocols protocol)
    {
        ExternalTools.Require("tshark", "tshark");
        using var certificate = LoopbackHandshake.SelfSigned();
        var writes = await LoopbackHandshake.RunAsync(protocol, certificate);
        var result = ParseWhole(writes);
        using var directory = new TempDirectory();
        var capture = Path.Combine(directory.Path, "handshake.pcap");
        SyntheticTcpCapture.Write(capture, writes);

        var rows = Tshark.Hellos(capture, "tls.handshake.extensions_server_name", "tls.handshake.ja3", "tls.handshake.ja3_full", "tls.handshake.ja3s",
            "tls.handshake.ja3s_full", "tls.handshake.ciphersuite", "tls.handshake.extensions_alpn_str", "tls.handshake.certificate",
            "x509sat.printableString", "x509sat.uTF8String", "x509sat.CountryName", "x509af.serialNumber");
        var clientRow = rows.Single(r => r["tls.handshake.type"].Split('|').Contains("1"));
        var serverRow = rows.First(r => r["tls.handshake.type"].Split('|').Contains("2"));

        Assert.Equal(clientRow["tls.handshake.extensions_server_name"], result.ClientHello!.ServerName);
        Assert.Equal(clientRow["tls.handshake.ja3"], result.ClientHello.Ja3);
        Assert.Equal(clientRow["tls.handshake.ja3_full"], result.ClientHello.Ja3Full);
        Assert.Equal(clientRow["tls.handshake.extensions_alpn_str"], string.Join('|', result.ClientHello.Alpn));
        Assert.Equal(clientRow["tls.handshake.ciphersuite"], string.Join('|', result.ClientHello.CipherSuites.Select(c => $"0x{c:x4}")));
        Assert.Equal(serverRow["tls.handshake.ja3s"], result.ServerHello!.Ja3S);
        Assert.Equal(serverRow["tls.handshake.ja3s_full"], result.ServerHello.Ja3SFull);
        Assert.Equal(serverRow["tls.handshake.ciphersuite"], $"0x{result.ServerHello.CipherSuite:x4}");
        Assert.Equal(serverRow["tls.handshake.extensions_alpn_str"], result.ServerHello.Alpn ?? "");

        if (protocol == SslProtocols.Tls12)
        {
            // The certificate may be in the ServerHello's packet or a later one: take tshark's rows together.
            var certificates = rows.Select(r => r["tls.handshake.certificate"]).Where(v => v.Length > 0).SelectMany(v => v.Split('|')).ToList();
            var der = Convert.FromHexString(Assert.Single(certificates).Replace(":", "", StringComparison.Ordinal));
            var leaf = Assert.Single(result.Certificates);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(der)), leaf.Sha256);
            var strings = rows.SelectMany(r => (r["x509sat.printableString"] + "|" + r["x509sat.uTF8String"] + "|" + r["x509sat.CountryName"]).Split('|')).Where(v => v.Length > 0).ToList();
            Assert.Contains("NL", strings);
            foreach (var value in strings)
            {
                Assert.Contains("=" + value, leaf.Subject!, StringComparison.Ordinal);
            }

            var serial = rows.Select(r => r["x509af.serialNumber"]).First(v => v.Length > 0);
            Assert.Equal(leaf.SerialNumber, serial.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant().TrimStart('0').PadLeft(leaf.SerialNumber!.Length, '0'));
        }
    }

    private static string Describe(TlsMetadata result) => string.Join("\n",
        result.ClientHello?.Ja3Full, result.ClientHello?.Ja4RawOriginal, result.ClientHello?.ServerName, result.ClientHello?.Malformed,
        result.ServerHello?.Ja3SFull, result.ServerHello?.Ja4SRaw, result.ServerHello?.Alpn,
        string.Join(",", result.Certificates.Select(c => c.Sha256 + c.Subject)),
        result.Client with { Bytes = 0 }, result.Server with { Bytes = 0 });
}
