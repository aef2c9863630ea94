using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var openssl = ExternalTools.Find("openssl");
        var tshark = ExternalTools.Find("tshark");
        Skip.If(openssl is null || tshark is null, "needs openssl and tshark (apt-get install openssl tshark)");
        var key = Path.Combine(_directory.Path, "key.pem");
        var certificate = Path.Combine(_directory.Path, "cert.pem");
        var keys = Path.Combine(_directory.Path, "keys.log");
        var (exit, _, error) = ExternalTools.Run(openssl!, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=recorder.test"]);
        Assert.True(exit == 0, error);

        var serverPort = FreePort();
        using var server = Start(openssl!, ["s_server", "-accept", $"127.0.0.1:{serverPort}", "-cert", certificate, "-key", key, "-www", version, "-quiet"]);
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var relayPort = ((IPEndPoint)relay.LocalEndpoint).Port;
        var writes = new List<(bool FromClient, byte[] Bytes)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var relaying = RelayAsync(relay, serverPort, writes, timeout.Token);

        using var client = Start(openssl!, ["s_client", "-connect", $"127.0.0.1:{relayPort}", "-keylogfile", keys, "-quiet", "-ign_eof", version, "-servername", "recorder.test"]);
        await client.StandardInput.WriteAsync("GET /evidence HTTP/1.0\r\n\r\n");
        await client.StandardInput.FlushAsync();
        client.StandardInput.Close();
        await relaying;
        await client.WaitForExitAsync(timeout.Token);
        server.Kill(entireProcessTree: true);

        var parser = new TlsStreamParser();
        foreach (var (fromClient, bytes) in writes)
        {
            parser.Feed(fromClient, bytes);
        }

        var random = parser.Result.ClientHello?.Random;
        Assert.NotNull(random);
        var log = TlsKeyLog.Parse(await File.ReadAllTextAsync(keys, timeout.Token));
        Assert.Empty(log.Problems);
        Assert.Contains(random, log.ClientRandoms);
        var selected = log.Select([random]);

        var plain = Path.Combine(_directory.Path, "plain.pcapng");
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

    public void Dispose() => _directory.Dispose();

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

    private static Process Start(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Accepts one connection and relays it to the server, recording each side's bytes in the order they passed.</summary>
    private static async Task RelayAsync(TcpListener listener, int serverPort, List<(bool, byte[])> writes, CancellationToken cancellation)
    {
        using var inbound = await listener.AcceptTcpClientAsync(cancellation);
        using var outbound = new TcpClient();
        // s_server may take a moment to listen.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, serverPort, cancellation);
                break;
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100, cancellation);
            }
        }

        async Task Pump(NetworkStream from, NetworkStream to, bool fromClient)
        {
            var buffer = new byte[16384];
            int read;
            while ((read = await from.ReadAsync(buffer, cancellation)) > 0)
            {
                lock (writes)
                {
                    writes.Add((fromClient, buffer[..read]));
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellation);
            }

            to.Socket.Shutdown(SocketShutdown.Send);
        }

        var client = inbound.GetStream();
        var server = outbound.GetStream();
        await Task.WhenAll(Pump(client, server, true), Pump(server, client, false));
    }
}
