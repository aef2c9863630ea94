using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Recorder.TestSupport;

/// <summary>
/// Real TLS with a key log: openssl s_client (writing the key log, NSS format) to openssl s_server
/// -www, through a relay on loopback that records what each side sent, in order. The recorded
/// writes become a capture with <see cref="SyntheticTcpCapture"/>.
/// </summary>
public static class OpenSslTlsExchange
{
    /// <summary>The server name the client sends (SNI) and the certificate's CN.</summary>
    public const string ServerName = "recorder.test";

    /// <summary>True when openssl is installed.</summary>
    public static bool IsAvailable => ExternalTools.Find("openssl") is not null;

    /// <summary>
    /// Sends <paramref name="request"/> over one TLS connection (<paramref name="version"/>:
    /// <c>-tls1_2</c> or <c>-tls1_3</c>) and returns both sides' writes and the key log's path (in
    /// <paramref name="directory"/>, with the certificate and key).
    /// </summary>
    public static async Task<(List<(bool FromClient, byte[] Bytes)> Writes, string KeyLog)> RunAsync(string directory, string version, string request)
    {
        var openssl = ExternalTools.Find("openssl") ?? throw new InvalidOperationException("openssl is not installed");
        var key = Path.Combine(directory, "key.pem");
        var certificate = Path.Combine(directory, "cert.pem");
        var keys = Path.Combine(directory, $"keys{version}.log");
        var (exit, _, error) = ExternalTools.Run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", certificate, "-days", "2", "-subj", "/CN=" + ServerName]);
        if (exit != 0)
        {
            throw new InvalidOperationException("openssl req failed: " + error);
        }

        var serverPort = FreePort();
        using var server = Start(openssl, ["s_server", "-accept", $"127.0.0.1:{serverPort}", "-cert", certificate, "-key", key, "-www", version, "-quiet"]);
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var relayPort = ((IPEndPoint)relay.LocalEndpoint).Port;
        var writes = new List<(bool FromClient, byte[] Bytes)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var relaying = RelayAsync(relay, serverPort, writes, timeout.Token);

        using var client = Start(openssl, ["s_client", "-connect", $"127.0.0.1:{relayPort}", "-keylogfile", keys, "-quiet", "-ign_eof", version, "-servername", ServerName]);
        await client.StandardInput.WriteAsync(request);
        await client.StandardInput.FlushAsync();
        client.StandardInput.Close();
        await relaying;
        await client.WaitForExitAsync(timeout.Token);
        server.Kill(entireProcessTree: true);
        return (writes, keys);
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
