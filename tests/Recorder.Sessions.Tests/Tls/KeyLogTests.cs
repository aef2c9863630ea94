using Recorder.Core.Formats;
using Recorder.Sessions.Tls;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>
/// TLS key logs (NSS format): parsed with every bad line named; the secrets matching a capture's
/// connections (by client random) written into its pcapng as a Decryption Secrets Block make tshark
/// show the HTTP inside, with no further step. Real traffic: openssl s_client (writing the key log)
/// to openssl s_server -www, through a relay on loopback that records what each side sent.
/// </summary>
public sealed class KeyLogTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-keylog");

    [Fact]
    public void Parse_KeepsSecrets_NamesEveryBadLine_AndSelectsOnlyTheConnectionsAsked()
    {
        var a = new string('a', 64);
        var b = new string('B', 64);
        var log = TlsKeyLog.Parse($"# comment\nCLIENT_RANDOM {a} {new string('1', 96)}\r\nCLIENT_TRAFFIC_SECRET_0 {b} {new string('2', 64)}\n" +
            $"CLIENT_RANDOM {a}\nNOT_A_LABEL {a} 00\nCLIENT_RANDOM {a[..10]} {new string('1', 96)}\nCLIENT_RANDOM {a} {new string('1', 95)}\n\n");
        Assert.Equal(2, log.Entries.Count);
        Assert.Equal([4, 5, 6, 7], log.Problems.Select(p => p.Line));
        Assert.Equal(new string('b', 64), log.Entries[1].ClientRandom);
        Assert.Equal($"CLIENT_RANDOM {a} {new string('1', 96)}\n", log.Select([a.ToUpperInvariant()]));
        Assert.Empty(log.Select([new string('c', 64)]));
    }

    [SkippableTheory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task Secrets_InjectedAsADecryptionSecretsBlock_LetTsharkReadTheHttpInside(string version)
    {
        var tshark = ExternalTools.Find("tshark");
        Skip.If(!OpenSslTlsExchange.IsAvailable || tshark is null, "needs openssl and tshark (apt-get install openssl tshark)");
        var (writes, keys) = await OpenSslTlsExchange.RunAsync(_directory.Path, version, "GET /evidence HTTP/1.0\r\n\r\n");

        var parser = new TlsStreamParser();
        foreach (var (fromClient, bytes) in writes)
        {
            parser.Feed(fromClient, bytes);
        }

        var random = parser.Result.ClientHello?.Random;
        Assert.NotNull(random);
        var log = TlsKeyLog.Parse(await File.ReadAllTextAsync(keys));
        Assert.Empty(log.Problems);
        Assert.Contains(random, log.ClientRandoms);
        var selected = log.Select([random]);

        var plain = Path.Combine(_directory.Path, "plain.pcapng");
        var hellos = Path.Combine(_directory.Path, "hellos.pcap");
        SyntheticTcpCapture.Write(hellos, writes);
        Assert.Equal([random], HelloRandoms(hellos));
        var decryptable = Path.Combine(_directory.Path, "secrets.pcapng");
        SyntheticTcpCapture.Write(plain, writes, CaptureFileFormat.Pcapng, null);
        SyntheticTcpCapture.Write(decryptable, writes, CaptureFileFormat.Pcapng, selected);
        Assert.Empty(Http(tshark!, plain));
        Assert.Equal(["GET /evidence"], Http(tshark!, decryptable));

        // The server's answer too: tshark's TLS stream, decrypted, holds it (its HTTP dissector waits
        // for the end of an HTTP/1.0 body that runs to the close, and shows no response line).
        Assert.DoesNotContain("HTTP/1.0 200 ok", Follow(tshark!, plain), StringComparison.Ordinal);
        Assert.Contains("HTTP/1.0 200 ok", Follow(tshark!, decryptable), StringComparison.Ordinal);
    }

    [Fact]
    public void ClientRandom_IsFoundInTheFrameStartingTheHello_AfterAChangeCipherSpec_AndNeverInCutOrOtherFrames()
    {
        var random = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        byte[] body = [0x03, 0x03, .. random, 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00];
        byte[] hello = [0x16, 0x03, 0x01, 0x00, (byte)(body.Length + 4), 0x01, 0x00, 0x00, (byte)body.Length, .. body];
        byte[] afterCcs = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01, .. hello];
        var path = Path.Combine(_directory.Path, "hello.pcap");
        SyntheticTcpCapture.Write(path, [(true, afterCcs), (false, [0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])]);

        Assert.Equal([Convert.ToHexStringLower(random)], HelloRandoms(path));
        using var reader = CaptureFileReader.Open(path);
        while (reader.TryRead(out var packet))
        {
            // Every cut of every frame (hostile input): never throws, and a cut hello is not a hello.
            for (var length = 0; length < packet.Data.Length; length++)
            {
                Assert.False(TlsClientRandom.TryFind(packet.LinkType, packet.Data[..length], out _) && length < packet.Data.Length - hello.Length + 43);
            }
        }
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>The client randoms <see cref="TlsClientRandom"/> finds in the frames of a capture, in order.</summary>
    private static List<string> HelloRandoms(string capture)
    {
        var randoms = new List<string>();
        using var reader = CaptureFileReader.Open(capture);
        while (reader.TryRead(out var packet))
        {
            if (TlsClientRandom.TryFind(packet.LinkType, packet.Data, out var found))
            {
                randoms.Add(found!);
            }
        }

        return randoms;
    }

    /// <summary>The first TLS stream's decrypted application data as tshark follows it (ASCII).</summary>
    private static string Follow(string tshark, string capture)
    {
        var (exit, output, error) = ExternalTools.Run(tshark, ["-r", capture, "-q", "-z", "follow,tls,ascii,0"]);
        Assert.True(exit == 0, error);
        return output;
    }

    /// <summary>The HTTP request line and response code tshark reads in the capture (nothing when it cannot decrypt it).</summary>
    private static List<string> Http(string tshark, string capture)
    {
        var (exit, output, error) = ExternalTools.Run(tshark, ["-r", capture, "-Y", "http", "-T", "fields", "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code"]);
        Assert.True(exit == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace('\t', ' ').Trim()).ToList();
    }
}
