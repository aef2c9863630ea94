using System.Globalization;
using System.Text;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// One FTP control session (RFC 959): login, TYPE I, a download set up with PASV (the client connects
/// to the announced port) and an upload set up with PORT (the server connects from port 20 to the
/// announced one), QUIT. Each file moves in stream mode over its own data connection, which its
/// sender closes to end the file (§3.4.1); the control session announces each size in its 150 reply.
/// </summary>
internal static class FtpConversation
{
    public static ContentFtpSession Write(ConversationWriter writer, SeededRandom random, uint client, uint server, List<ContentSession> sessions)
    {
        var clientPort = ContentSynthesizer.Ephemeral(random);
        var control = ContentSynthesizer.Session("tcp", client, clientPort, server, 21, "ftp");
        sessions.Add(control);
        var number = random.NextInt32(10_000);
        var user = string.Create(CultureInfo.InvariantCulture, $"backup{number}");
        var download = ContentFiles.GzipText(random);
        var upload = ContentFiles.Elf(random);
        var downloadPath = string.Create(CultureInfo.InvariantCulture, $"/pub/archive-{number}.log.gz");
        var uploadPath = string.Create(CultureInfo.InvariantCulture, $"incoming/tool-{number}");
        var commands = new List<string>();
        var transfers = new List<ContentFtpTransfer>();

        var tcp = new TcpScript(writer, client, clientPort, server, 21, random.NextUInt32(), random.NextUInt32());
        void Exchange(string command, string reply)
        {
            commands.Add(command.Split(' ')[0]);
            tcp.Send(true, Encoding.ASCII.GetBytes(command + "\r\n"));
            tcp.Send(false, Encoding.ASCII.GetBytes(reply + "\r\n"));
        }

        tcp.Send(false, "220 (vsFTPd 3.0.5)\r\n"u8);
        Exchange("USER " + user, "331 Please specify the password.");
        Exchange(string.Create(CultureInfo.InvariantCulture, $"PASS s3cret-{random.NextUInt32():x8}"), "230 Login successful.");
        Exchange("TYPE I", "200 Switching to Binary mode.");

        // Download: PASV, the client connects to the announced port, RETR, the server sends and closes.
        var passivePort = (ushort)(40000 + random.NextInt32(10000));
        Exchange("PASV", $"227 Entering Passive Mode ({Commas(server)},{passivePort >> 8},{passivePort & 0xFF}).");
        var dataPort = ContentSynthesizer.Ephemeral(random);
        var data = new TcpScript(writer, client, dataPort, server, passivePort, random.NextUInt32(), random.NextUInt32());
        var downloadSession = ContentSynthesizer.Session("tcp", client, dataPort, server, passivePort, "ftp-data");
        sessions.Add(downloadSession);
        Exchange("RETR " + downloadPath, string.Create(CultureInfo.InvariantCulture,
            $"150 Opening BINARY mode data connection for {downloadPath} ({download.Length} bytes)."));
        data.Send(false, download);
        data.Close(clientFirst: false);
        tcp.Send(false, "226 Transfer complete.\r\n"u8);
        transfers.Add(new ContentFtpTransfer("RETR", downloadPath, "download", true, downloadSession,
            ContentFiles.Describe(downloadPath[(downloadPath.LastIndexOf('/') + 1)..], download, "gzip", "application/gzip")));

        // Upload: PORT, STOR, the server connects from port 20, the client sends and closes.
        var activePort = (ushort)(50000 + random.NextInt32(10000));
        Exchange($"PORT {Commas(client)},{activePort >> 8},{activePort & 0xFF}", "200 PORT command successful. Consider using PASV.");
        Exchange("STOR " + uploadPath, "150 Ok to send data.");
        var uploadData = new TcpScript(writer, server, 20, client, activePort, random.NextUInt32(), random.NextUInt32());
        var uploadSession = ContentSynthesizer.Session("tcp", server, 20, client, activePort, "ftp-data");
        sessions.Add(uploadSession);
        uploadData.Send(false, upload);
        uploadData.Close(clientFirst: false);
        tcp.Send(false, "226 Transfer complete.\r\n"u8);
        transfers.Add(new ContentFtpTransfer("STOR", uploadPath, "upload", false, uploadSession,
            ContentFiles.Describe(uploadPath[(uploadPath.LastIndexOf('/') + 1)..], upload, "elf", "application/x-elf")));

        Exchange("QUIT", "221 Goodbye.");
        tcp.Close();
        writer.Pause(1_000_000);
        return new ContentFtpSession(control, user, commands, transfers);
    }

    /// <summary>An IPv4 address as PORT and 227 write it: h1,h2,h3,h4.</summary>
    private static string Commas(uint address) => string.Create(CultureInfo.InvariantCulture,
        $"{address >> 24},{(address >> 16) & 0xFF},{(address >> 8) & 0xFF},{address & 0xFF}");
}
