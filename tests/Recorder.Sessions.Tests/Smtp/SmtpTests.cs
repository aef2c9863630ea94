using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Sessions.Smtp;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Smtp;

/// <summary>
/// SMTP through the session table: envelope, headers and attachments (base64, quoted-printable, 7bit)
/// whose decoded SHA-256 equals the bytes the test attached; headers equal tshark's IMF fields;
/// STARTTLS stops reading, AUTH keeps no credentials, a gap leaves the attachment incomplete;
/// any splitting gives the same result and hostile lines never throw.
/// </summary>
public sealed class SmtpTests : IDisposable
{
    private static readonly byte[] Binary = RandomBytes(10_000);
    private static readonly byte[] Accented = Encoding.UTF8.GetBytes("Prix: 100 € — café\r\nsecond line with a long tail that is soft-broken here and there");
    private readonly TempDirectory _directory = new("recorder-smtp");

    [Fact]
    public void Message_GivesEnvelopeHeadersAndAttachmentHashes()
    {
        var smtp = Metadata(Frames(Client(), Server()));
        Assert.Equal("workstation.corp.example", smtp.Helo);
        Assert.Equal("LOGIN", smtp.AuthMechanism);
        Assert.StartsWith("220 mail.example ESMTP", smtp.Greeting, StringComparison.Ordinal);
        Assert.True(smtp.Messages.Count == 1, $"{smtp.Messages.Count} messages; problem: {smtp.Problem}; auth {smtp.AuthMechanism}");
        var message = Assert.Single(smtp.Messages);
        Assert.Equal("alice@corp.example", message.MailFrom);
        Assert.Equal(["drop@evil.example", "bob@corp.example"], message.RcptTo);
        Assert.Equal("Alice <alice@corp.example>", message.From);
        Assert.Equal("Q3 numbers", message.Subject);
        Assert.Equal("<42@corp.example>", message.MessageId);
        Assert.Equal(250, message.Reply);
        Assert.True(message.Complete);
        Assert.Collection(message.Attachments,
            a => Assert.Equal((Hash(Binary), Binary.Length, "ledger.xlsx", "base64", true, 0L), (a.Sha256, a.Size, a.FileName, a.TransferEncoding, a.Complete, a.InvalidCharacters)),
            a => Assert.Equal((Hash(Accented), Accented.Length, "notes.txt", "quoted-printable"), (a.Sha256, a.Size, a.FileName, a.TransferEncoding)),
            a => Assert.Equal((Hash("hello\r\n..world"u8.ToArray()), "plain.txt"), (a.Sha256, a.FileName)));
        var serialized = string.Join('|', smtp.Messages.SelectMany(m => m.Attachments).Select(a => a.FileName)) + smtp.AuthMechanism + smtp.Helo;
        Assert.DoesNotContain("c2VjcmV0", serialized, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Headers_EqualTsharksImfFields()
    {
        var tshark = ExternalTools.Find("tshark");
        Skip.If(tshark is null, "tshark is not installed (apt-get install tshark)");
        var capture = Path.Combine(_directory.Path, "smtp.pcap");
        using (var stream = File.Create(capture))
        using (var writer = new CaptureWriter(stream, CaptureFileFormat.Pcap, "Recorder tests"))
        {
            var time = 1_700_000_000_000_000_000L;
            foreach (var frame in Frames(Client(), Server()))
            {
                writer.Write(LinkTypes.Ethernet, time, (uint)frame.Length, frame);
                time += 1_000_000;
            }
        }

        var message = Assert.Single(Metadata(Frames(Client(), Server())).Messages);
        var (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-Y", "imf", "-T", "fields", "-E", "separator=|",
            "-e", "imf.from", "-e", "imf.to", "-e", "imf.subject", "-e", "imf.message_id", "-e", "imf.date"]);
        Assert.True(exit == 0, error);
        var fields = output.Trim().Split('|').ToList<string?>();
        Assert.Equal(new List<string?> { message.From, message.To, message.Subject, message.MessageId, message.Date }, fields);
    }

    [Fact]
    public void StartTls_StopsReading_AndAGapLeavesTheAttachmentIncomplete()
    {
        var tls = Metadata(Frames(["EHLO x\r\n", "STARTTLS\r\n", "\x16\x03\x01 binary"], ["220 mail.example ESMTP\r\n", "250 ok\r\n", "220 go ahead\r\n"]));
        Assert.True(tls.StartTls);
        Assert.Empty(tls.Messages);

        var client = Client();
        var frames = Frames(client, Server());
        // Drop one client segment inside the base64 attachment: the session has a gap there.
        var inside = frames.Select((f, i) => (Frame: f, Index: i)).Where(x => x.Frame.Length > 3000).Skip(1).First().Index;
        var dropped = frames.Where((f, i) => i != inside).ToList();
        var smtp = Metadata(dropped);
        var message = Assert.Single(smtp.Messages);
        Assert.False(message.Complete);
        Assert.All(message.Attachments, a => Assert.False(a.Complete));
        Assert.Contains("gap", smtp.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnySplitting_GivesTheSameAttachments_AndHostileLinesNeverThrow()
    {
        var whole = Metadata(Frames(Client(), Server()));
        var expected = whole.Messages.Single().Attachments.Select(a => a.Sha256).ToList();
        Gen.Int[1, 700].Sample(size =>
        {
            var split = Metadata(Frames(Client(), Server(), pieceSize: size));
            Assert.Equal(expected, split.Messages.Single().Attachments.Select(a => a.Sha256));
        }, iter: 40);

        Gen.Byte.Array[0, 300].Array[1, 12].Sample(lines =>
        {
            var client = new List<string> { "EHLO x\r\n", "MAIL FROM:<a@b>\r\n", "RCPT TO:<c@d>\r\n", "DATA\r\n" };
            client.AddRange(lines.Select(l => Encoding.Latin1.GetString(l) + "\r\n"));
            client.Add(".\r\n");
            _ = Metadata(Frames(client, ["220 x\r\n", "250 ok\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n"]));
        }, iter: 500);
    }

    public void Dispose() => _directory.Dispose();

    private static SmtpSessionMetadata Metadata(IEnumerable<byte[]> frames)
    {
        var session = Assert.Single(Traffic.Run(frames));
        Assert.Equal("smtp", session.Application);
        return Assert.IsType<SmtpSessionMetadata>(session.Metadata);
    }

    /// <summary>The client's and server's lines as TCP segments, turn by turn (a reply after each command), each client text cut into segments of <paramref name="pieceSize"/> bytes when given.</summary>
    private static List<byte[]> Frames(IReadOnlyList<string> client, IReadOnlyList<string> server, int? pieceSize = null)
    {
        var conversation = new Traffic.Conversation(serverPort: 25);
        var frames = conversation.Handshake().ToList();
        uint clientOffset = 0, serverOffset = 0;
        void FromServer(string text)
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            frames.Add(conversation.FromServer(serverOffset, bytes));
            serverOffset += (uint)bytes.Length;
        }

        var replies = new Queue<string>(server);
        FromServer(replies.Dequeue());
        foreach (var text in client)
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            var size = pieceSize ?? Math.Max(1, bytes.Length);
            for (var at = 0; at < bytes.Length; at += size)
            {
                var piece = bytes[at..Math.Min(bytes.Length, at + size)];
                frames.Add(conversation.FromClient(clientOffset, piece));
                clientOffset += (uint)piece.Length;
            }

            if (text.EndsWith("\r\n", StringComparison.Ordinal) && replies.Count > 0 && IsCommandOrEnd(text))
            {
                FromServer(replies.Dequeue());
            }
        }

        while (replies.Count > 0)
        {
            FromServer(replies.Dequeue());
        }

        return frames;
    }

    private static bool IsCommandOrEnd(string text) =>
        text is ".\r\n" || (text.Length > 4 && char.IsAsciiLetterUpper(text[0]) && char.IsAsciiLetterUpper(text[1]) && char.IsAsciiLetterUpper(text[2]) && char.IsAsciiLetterUpper(text[3]) && !text.Contains(':', StringComparison.Ordinal) && text.Length < 40)
        || text.StartsWith("MAIL FROM:", StringComparison.Ordinal) || text.StartsWith("RCPT TO:", StringComparison.Ordinal) || text == "c2VjcmV0\r\n" || text == "YWxpY2U=\r\n";

    private static List<string> Client()
    {
        var base64 = Convert.ToBase64String(Binary, Base64FormattingOptions.InsertLineBreaks);
        var lines = new List<string>
        {
            "EHLO workstation.corp.example\r\n",
            "AUTH LOGIN\r\n", "YWxpY2U=\r\n", "c2VjcmV0\r\n",
            "MAIL FROM:<alice@corp.example> SIZE=20000\r\n",
            "RCPT TO:<drop@evil.example>\r\n",
            "RCPT TO:<bob@corp.example>\r\n",
            "DATA\r\n",
            "From: Alice <alice@corp.example>\r\nTo: drop@evil.example, bob@corp.example\r\nSubject: Q3 numbers\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n" +
            "Message-ID: <42@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"outer\"\r\n\r\n",
            "This is a multi-part message.\r\n--outer\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n",
            "--outer\r\nContent-Type: application/vnd.ms-excel; name=\"ledger.xlsx\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"ledger.xlsx\"\r\n\r\n",
        };
        // The base64 body in several segments (one of them is dropped by the gap test).
        var body = base64.Replace("\r\n", "\r\n", StringComparison.Ordinal) + "\r\n";
        for (var i = 0; i < body.Length; i += 3000)
        {
            lines.Add(body.Substring(i, Math.Min(3000, body.Length - i)));
        }

        lines.Add("--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\n" +
            QuotedPrintable(Accented) + "\r\n");
        lines.Add("--outer\r\nContent-Type: text/plain; name=plain.txt\r\n\r\nhello\r\n...world\r\n--outer--\r\n");
        lines.Add(".\r\n");
        lines.Add("QUIT\r\n");
        return lines;
    }

    private static List<string> Server() =>
    [
        "220 mail.example ESMTP ready\r\n", "250-mail.example\r\n250 AUTH LOGIN PLAIN\r\n", "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n",
        "250 sender ok\r\n", "250 rcpt ok\r\n", "250 rcpt ok\r\n", "354 go ahead\r\n", "250 queued as 7\r\n", "221 bye\r\n",
    ];

    /// <summary>Quoted-printable with soft line breaks every 20 characters and every non-ASCII byte as =XX.</summary>
    private static string QuotedPrintable(byte[] bytes)
    {
        var text = new StringBuilder();
        var column = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n')
            {
                text.Append("\r\n");
                i++;
                column = 0;
                continue;
            }

            text.Append(bytes[i] is >= 33 and <= 126 and not (byte)'=' or (byte)' ' ? ((char)bytes[i]).ToString() : $"={bytes[i]:X2}");
            if (++column >= 20)
            {
                text.Append("=\r\n");
                column = 0;
            }
        }

        return text.ToString();
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
