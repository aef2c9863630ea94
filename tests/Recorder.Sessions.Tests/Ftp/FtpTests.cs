using System.Text;
using CsCheck;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Sessions.Ftp;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Ftp;

/// <summary>
/// FTP control sessions: user, login, commands with their replies, and each transfer with its data
/// endpoint (active and passive); the password is never kept; commands, arguments, reply codes and
/// the data endpoints equal tshark's; hostile lines never throw.
/// </summary>
public sealed class FtpTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-ftp");

    private static readonly (string Client, string Server)[] Dialogue =
    [
        ("USER alice", "331 Password required"),
        ("PASS hunter2-secret", "230 Logged in"),
        ("EPSV", "229 Entering Extended Passive Mode (|||40001|)"),
        ("RETR /exports/customers.csv", "150 Opening BINARY mode data connection (48213 bytes)\r\n226 Transfer complete"),
        ("PASV", "227 Entering Passive Mode (10,0,0,2,156,66)"),
        ("LIST /exports", "150 Here comes the listing\r\n226 Directory send OK"),
        ("PORT 10,0,0,1,156,67", "200 PORT command successful"),
        ("STOR up.bin", "150 Ok to send data\r\n226 Transfer complete"),
        ("RETR missing.txt", "550 Failed to open file"),
        ("QUIT", "221 Goodbye"),
    ];

    [Fact]
    public void Session_GivesUserCommandsAndTransfersWithTheirDataEndpoints()
    {
        var ftp = Metadata(Frames());
        Assert.Equal("220 FTP server ready", ftp.Greeting);
        Assert.Equal(["alice"], ftp.Users);
        Assert.True(ftp.LoggedIn);
        Assert.Equal(Dialogue.Length, ftp.Commands.Count);
        Assert.DoesNotContain(ftp.Commands, c => c.Argument?.Contains("hunter2", StringComparison.Ordinal) == true);
        Assert.Equal("(14 characters, not kept)", ftp.Commands.Single(c => c.Verb == "PASS").Argument);
        Assert.Collection(ftp.Transfers,
            t => Assert.Equal(("RETR", "/exports/customers.csv", "download", "10.0.0.2:40001", true, 226, 48213L), (t.Command, t.Path, t.Direction, t.DataEndpoint, t.Passive, t.Reply, t.AnnouncedBytes)),
            t => Assert.Equal(("LIST", "listing", "10.0.0.2:40002", true, 226), (t.Command, t.Direction, t.DataEndpoint, t.Passive, t.Reply)),
            t => Assert.Equal(("STOR", "upload", "10.0.0.1:40003", false, 226), (t.Command, t.Direction, t.DataEndpoint, t.Passive, t.Reply)),
            t => Assert.Equal(("RETR", "missing.txt", 550), (t.Command, t.Path, t.Reply)));
    }

    [SkippableFact]
    public void CommandsRepliesAndEndpoints_EqualTshark()
    {
        var tshark = ExternalTools.Find("tshark");
        Skip.If(tshark is null, "tshark is not installed (apt-get install tshark)");
        var capture = Path.Combine(_directory.Path, "ftp.pcap");
        using (var stream = File.Create(capture))
        using (var writer = new CaptureWriter(stream, CaptureFileFormat.Pcap, "Recorder tests"))
        {
            var time = 1_700_000_000_000_000_000L;
            foreach (var frame in Frames())
            {
                writer.Write(LinkTypes.Ethernet, time, (uint)frame.Length, frame);
                time += 1_000_000;
            }
        }

        var ftp = Metadata(Frames());
        var (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-Y", "ftp.request == 1", "-T", "fields", "-E", "separator=|", "-e", "ftp.request.command", "-e", "ftp.request.arg"]);
        Assert.True(exit == 0, error);
        var requests = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
        Assert.Equal(requests.Select(r => r[0]), ftp.Commands.Select(c => c.Verb));
        Assert.Equal(requests.Where(r => r[0] != "PASS").Select(r => r[1]), ftp.Commands.Where(c => c.Verb != "PASS").Select(c => c.Argument ?? string.Empty));

        (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-Y", "ftp.response == 1", "-T", "fields", "-e", "ftp.response.code"]);
        Assert.True(exit == 0, error);
        var finals = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => l.Split(',')).Select(int.Parse).Where(c => c >= 200).Skip(1).ToList();
        Assert.Equal(finals, ftp.Commands.Select(c => c.Reply ?? 0));

        (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-Y", "ftp.passive.port || ftp.active.port || ftp.epsv.port", "-T", "fields", "-E", "separator=|",
            "-e", "ftp.passive.ip", "-e", "ftp.passive.port", "-e", "ftp.active.cip", "-e", "ftp.active.port", "-e", "ftp.epsv.port"]);
        Assert.True(exit == 0, error);
        // EPSV (RFC 2428) names only a port: the data connection goes to the control connection's server.
        var endpoints = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))
            .Select(f => f[4].Length > 0 ? $"10.0.0.2:{f[4]}" : f[1].Length > 0 ? $"{f[0]}:{f[1]}" : $"{f[2]}:{f[3]}").ToList();
        Assert.Equal(endpoints, ftp.Transfers.Take(3).Select(t => t.DataEndpoint));
    }

    [Fact]
    public void HostileLines_NeverThrow()
    {
        Gen.String.Array[1, 20].Sample(lines =>
        {
            var conversation = new Traffic.Conversation(serverPort: 21);
            var frames = conversation.Handshake().ToList();
            var greeting = "220 hi\r\n"u8.ToArray();
            frames.Add(conversation.FromServer(0, greeting));
            var client = Encoding.Latin1.GetBytes("USER x\r\n" + string.Join("\r\n", lines) + "\r\n");
            frames.Add(conversation.FromClient(0, client));
            var server = Encoding.Latin1.GetBytes(string.Join("\r\n", lines.Select(l => "227 (" + l + ")")) + "\r\n229 (" + lines[0] + ")\r\n");
            frames.Add(conversation.FromServer((uint)greeting.Length, server));
            var session = Assert.Single(Traffic.Run(frames));
            Assert.Null(session.DissectorFailure);
        }, iter: 500);
    }

    public void Dispose() => _directory.Dispose();

    private static FtpSessionMetadata Metadata(IEnumerable<byte[]> frames)
    {
        var session = Assert.Single(Traffic.Run(frames));
        Assert.Equal("ftp", session.Application);
        Assert.Null(session.DissectorFailure);
        return Assert.IsType<FtpSessionMetadata>(session.Metadata);
    }

    private static List<byte[]> Frames()
    {
        var conversation = new Traffic.Conversation(serverPort: 21);
        var frames = conversation.Handshake().ToList();
        uint client = 0, server = 0;
        void Server(string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text + "\r\n");
            frames.Add(conversation.FromServer(server, bytes));
            server += (uint)bytes.Length;
        }

        Server("220 FTP server ready");
        foreach (var (command, reply) in Dialogue)
        {
            var bytes = Encoding.ASCII.GetBytes(command + "\r\n");
            frames.Add(conversation.FromClient(client, bytes));
            client += (uint)bytes.Length;
            // Each reply line in its own segment, as servers send a 150 and its 226 (tshark reads one reply per segment).
            foreach (var line in reply.Split("\r\n"))
            {
                Server(line);
            }
        }

        return frames;
    }
}
