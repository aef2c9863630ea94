using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CsCheck;
using Recorder.Sessions.Ssh;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Ssh;

/// <summary>
/// SSH banners and HASSH/HASSHServer: a real OpenSSH client's opening (against a server the test
/// plays, which answers with its own KEXINIT), through the session table, equal to tshark's
/// <c>ssh.kex.hassh</c>/<c>ssh.kex.hasshserver</c> on the same bytes; any splitting gives the same
/// result; hostile bytes never throw.
/// </summary>
public sealed class SshTests : IDisposable
{
    private const string ServerBanner = "SSH-2.0-RecorderTest_1.0";
    private readonly TempDirectory _directory = new("recorder-ssh");

    private static readonly string[] ServerLists =
    [
        "curve25519-sha256,ecdh-sha2-nistp256", "ssh-ed25519", "aes128-ctr,chacha20-poly1305@openssh.com", "aes256-ctr,aes128-ctr",
        "hmac-sha2-256", "hmac-sha2-512,hmac-sha2-256", "none", "none,zlib@openssh.com", "", "",
    ];

    [SkippableFact]
    public async Task OpenSshClient_HasshAndBannersEqualTshark()
    {
        var ssh = ExternalTools.Find("ssh");
        Skip.If(ssh is null, "the OpenSSH client is not installed (apt-get install openssh-client)");
        var writes = await RecordOpeningAsync(ssh!);
        var capture = Path.Combine(_directory.Path, "ssh.pcap");
        SyntheticTcpCapture.Write(capture, writes);

        var metadata = Assert.IsType<SshSessionMetadata>(Assert.Single(Traffic.RunCapture(capture)).Metadata);
        Assert.StartsWith("SSH-2.0-OpenSSH", metadata.ClientBanner, StringComparison.Ordinal);
        Assert.Equal(ServerBanner, metadata.ServerBanner);
        Assert.Null(metadata.Problem);
        Assert.Equal($"{ServerLists[0]};{ServerLists[3]};{ServerLists[5]};{ServerLists[7]}", metadata.HasshServerAlgorithms);

        var tshark = ExternalTools.Find("tshark");
        Skip.If(tshark is null, "tshark is not installed: HASSH checked against the server's own lists only");
        var (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-d", $"tcp.port=={SyntheticTcpCapture.ServerPort},ssh", "-Y", "ssh.message_code == 20",
            "-T", "fields", "-e", "ssh.kex.hassh", "-e", "ssh.kex.hassh_algorithms", "-e", "ssh.kex.hasshserver", "-e", "ssh.kex.hasshserver_algorithms"]);
        Assert.True(exit == 0, error);
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(metadata.Hassh, fields.Select(f => f[0]).Single(v => v.Length > 0));
        Assert.Equal(metadata.HasshAlgorithms, fields.Select(f => f[1]).Single(v => v.Length > 0));
        Assert.Equal(metadata.HasshServer, fields.Select(f => f[2]).Single(v => v.Length > 0));
        Assert.Equal(metadata.HasshServerAlgorithms, fields.Select(f => f[3]).Single(v => v.Length > 0));
    }

    [Fact]
    public void AnySplitting_GivesTheSameMetadata_AndHostileBytesNeverThrow()
    {
        var client = Encoding.ASCII.GetBytes("SSH-2.0-Client_9\r\n").Concat(KexInit(["kex-a,kex-b", "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-a", "hmac-b", "none", "zlib", "", ""])).ToArray();
        var server = Encoding.ASCII.GetBytes("a line before the banner\r\n" + ServerBanner + "\r\n").Concat(KexInit(ServerLists)).ToArray();
        var whole = Dissect([(true, client), (false, server)]);
        Assert.Equal("SSH-2.0-Client_9", whole.ClientBanner);
        Assert.Equal(ServerBanner, whole.ServerBanner);
        Assert.Equal("kex-a,kex-b;aes128-ctr;hmac-a;none", whole.HasshAlgorithms);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("kex-a,kex-b;aes128-ctr;hmac-a;none"u8)), whole.Hassh);
        Assert.Null(whole.Problem);

        Gen.Int[1, 64].Array[1, 40].Sample(cuts =>
        {
            var pieces = Split(client, cuts, true).Concat(Split(server, cuts, false)).ToList();
            var split = Dissect(pieces);
            Assert.Equal(whole.Hassh, split.Hassh);
            Assert.Equal(whole.HasshServer, split.HasshServer);
            Assert.Equal(whole.ServerBanner, split.ServerBanner);
        }, iter: 300);

        Gen.Byte.Array[0, 600].Sample(noise =>
        {
            var bytes = Encoding.ASCII.GetBytes("SSH-2.0-x\r\n").Concat(noise).ToArray();
            _ = Dissect([(true, bytes), (false, noise)]);
        }, iter: 2000);

        var cut = Dissect([(true, client[..^10])]);
        Assert.Contains("ended before a complete KEXINIT", cut.Problem, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>The pieces as TCP segments of one conversation (each direction's in order), through the session table.</summary>
    private static SshSessionMetadata Dissect(IEnumerable<(bool FromClient, byte[] Bytes)> pieces)
    {
        var conversation = new Traffic.Conversation(serverPort: 2222);
        var frames = conversation.Handshake().ToList();
        uint clientOffset = 0, serverOffset = 0;
        foreach (var (fromClient, bytes) in pieces)
        {
            frames.Add(fromClient ? conversation.FromClient(clientOffset, bytes) : conversation.FromServer(serverOffset, bytes));
            if (fromClient)
            {
                clientOffset += (uint)bytes.Length;
            }
            else
            {
                serverOffset += (uint)bytes.Length;
            }
        }

        var session = Assert.Single(Traffic.Run(frames));
        Assert.Equal("ssh", session.Application);
        return Assert.IsType<SshSessionMetadata>(session.Metadata);
    }

    private static IEnumerable<(bool, byte[])> Split(byte[] bytes, int[] cuts, bool fromClient)
    {
        var at = 0;
        foreach (var cut in cuts)
        {
            if (at >= bytes.Length)
            {
                yield break;
            }

            var take = Math.Min(cut, bytes.Length - at);
            yield return (fromClient, bytes[at..(at + take)]);
            at += take;
        }

        if (at < bytes.Length)
        {
            yield return (fromClient, bytes[at..]);
        }
    }

    /// <summary>An SSH_MSG_KEXINIT binary packet (RFC 4253 §6, §7.1) with the ten name-lists given.</summary>
    private static byte[] KexInit(string[] lists)
    {
        var payload = new List<byte> { 20 };
        payload.AddRange(new byte[16]);
        foreach (var list in lists)
        {
            var bytes = Encoding.ASCII.GetBytes(list);
            payload.AddRange([(byte)(bytes.Length >> 24), (byte)(bytes.Length >> 16), (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            payload.AddRange(bytes);
        }

        payload.AddRange(new byte[5]);
        var padding = 8 - ((payload.Count + 5) % 8);
        padding = padding < 4 ? padding + 8 : padding;
        var packet = new byte[4 + 1 + payload.Count + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Count + padding));
        packet[4] = (byte)padding;
        payload.ToArray().CopyTo(packet, 5);
        return packet;
    }

    /// <summary>
    /// Runs the real OpenSSH client against a listener on loopback that plays an SSH server up to its
    /// KEXINIT, and returns what each side wrote, in order.
    /// </summary>
    private static async Task<List<(bool FromClient, byte[] Bytes)>> RecordOpeningAsync(string ssh)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo(ssh)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-F", "/dev/null",
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "recorder@127.0.0.1", "true" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var writes = new List<(bool, byte[])>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using (var connection = await listener.AcceptTcpClientAsync(timeout.Token))
        {
            var stream = connection.GetStream();
            var serverOpening = Encoding.ASCII.GetBytes(ServerBanner + "\r\n").Concat(KexInit(ServerLists)).ToArray();
            await stream.WriteAsync(serverOpening, timeout.Token);
            writes.Add((false, serverOpening));

            // The client's identification line, then its KEXINIT packet: read until both are whole.
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (!HasKexInit(received))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Assert.True(read > 0, "the ssh client closed before its KEXINIT: " + Encoding.ASCII.GetString([.. received]));
                received.AddRange(buffer.AsSpan(0, read).ToArray());
            }

            writes.Insert(0, (true, received.ToArray()));
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        return writes;
    }

    private static bool HasKexInit(List<byte> received)
    {
        var bytes = received.ToArray();
        var newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0 || bytes.Length - newline - 1 < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(newline + 1));
        return bytes.Length - newline - 1 - 4 >= length;
    }
}
