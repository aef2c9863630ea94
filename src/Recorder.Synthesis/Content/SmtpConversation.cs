using System.Globalization;
using System.Text;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// One SMTP session (RFC 5321): greeting, EHLO, MAIL FROM, several RCPT TO, DATA with a MIME
/// multipart/mixed message (RFC 2045/2046: a text body, a PDF and a PNG in base64, a UTF-8 text in
/// quoted-printable) dot-stuffed (§4.5.2), QUIT. The truth is what was attached, before encoding.
/// </summary>
internal static class SmtpConversation
{
    private const int LineLimit = 76; // RFC 2045 §6.7 (5) and §6.8: encoded lines of at most 76 characters

    public static ContentSmtpMessage Write(ConversationWriter writer, SeededRandom random, uint client, uint server, List<ContentSession> sessions)
    {
        var clientPort = ContentSynthesizer.Ephemeral(random);
        var session = ContentSynthesizer.Session("tcp", client, clientPort, server, 25, "smtp");
        sessions.Add(session);
        var number = random.NextInt32(10_000);
        var helo = string.Create(CultureInfo.InvariantCulture, $"ws{number}.example.com");
        var mailFrom = string.Create(CultureInfo.InvariantCulture, $"alice{number}@example.com");
        string[] people = ["bob", "carol", "dave", "erin"];
        string[] rcptTo = [.. Enumerable.Range(0, 2 + random.NextInt32(3))
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{people[i]}{random.NextInt32(1000)}@example.net"))];
        var from = $"Alice Example <{mailFrom}>";
        var to = string.Join(", ", rcptTo);
        var subject = string.Create(CultureInfo.InvariantCulture, $"Quarterly report {number}");
        var messageId = string.Create(CultureInfo.InvariantCulture, $"<{random.NextUInt64():x16}@example.com>");
        var boundary = string.Create(CultureInfo.InvariantCulture, $"----=_Part_{random.NextUInt64():x16}");

        var pdf = ContentFiles.Pdf(random);
        var png = ContentFiles.Png(random);
        var text = ContentFiles.Text(random);
        ContentSmtpAttachment[] attachments =
        [
            new("application/pdf", "base64", ContentFiles.Describe(string.Create(CultureInfo.InvariantCulture, $"report-{number}.pdf"), pdf, "pdf", "application/pdf")),
            new("image/png", "base64", ContentFiles.Describe("chart.png", png, "png", "image/png")),
            new("text/plain", "quoted-printable", ContentFiles.Describe("notes.txt", text, "text", "text/plain")),
        ];

        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: {messageId}\r\nMIME-Version: 1.0\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n");
        message.Append("This is a multi-part message in MIME format.\r\n\r\n");
        message.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
        message.Append("Hello,\r\n\r\nthe figures are attached.\r\n.a line that starts with a dot (dot-stuffed on the wire)\r\n");
        foreach (var (attachment, content) in attachments.Zip([pdf, png, text]))
        {
            var name = attachment.File.Name;
            message.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\nContent-Type: {attachment.DeclaredContentType}; name=\"{name}\"\r\n");
            message.Append(CultureInfo.InvariantCulture, $"Content-Disposition: attachment; filename=\"{name}\"\r\n");
            message.Append(CultureInfo.InvariantCulture, $"Content-Transfer-Encoding: {attachment.TransferEncoding}\r\n\r\n");
            message.Append(attachment.TransferEncoding == "base64" ? Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks) : QuotedPrintable(content));
            message.Append("\r\n");
        }

        message.Append(CultureInfo.InvariantCulture, $"--{boundary}--\r\n");

        var tcp = new TcpScript(writer, client, clientPort, server, 25, random.NextUInt32(), random.NextUInt32());
        void Exchange(string command, string reply)
        {
            tcp.Send(true, Encoding.ASCII.GetBytes(command + "\r\n"));
            tcp.Send(false, Encoding.ASCII.GetBytes(reply + "\r\n"));
        }

        tcp.Send(false, "220 mail.example.net ESMTP Postfix\r\n"u8);
        Exchange("EHLO " + helo, "250-mail.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8");
        Exchange($"MAIL FROM:<{mailFrom}>", "250 2.1.0 Ok");
        foreach (var recipient in rcptTo)
        {
            Exchange($"RCPT TO:<{recipient}>", "250 2.1.5 Ok");
        }

        Exchange("DATA", "354 End data with <CR><LF>.<CR><LF>");
        tcp.Send(true, Encoding.UTF8.GetBytes(DotStuff(message.ToString()) + ".\r\n"));
        tcp.Send(false, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"250 2.0.0 Ok: queued as {random.NextUInt32():X8}\r\n")));
        Exchange("QUIT", "221 2.0.0 Bye");
        tcp.Close();
        writer.Pause(1_000_000);
        return new ContentSmtpMessage(session, helo, mailFrom, rcptTo, from, to, subject, messageId, attachments);
    }

    /// <summary>RFC 5321 §4.5.2: a line that starts with a dot gets one more.</summary>
    private static string DotStuff(string message) =>
        string.Join("\r\n", message.Split("\r\n").Select(line => line.StartsWith('.') ? "." + line : line));

    /// <summary>
    /// RFC 2045 §6.7: CRLF line breaks of the text stay line breaks; '=', non-ASCII and control octets
    /// become =XX, as does a space or tab at a line's end; a line over 76 characters is broken with soft
    /// line breaks ('=' at the end) never inside an =XX.
    /// </summary>
    private static string QuotedPrintable(byte[] content)
    {
        var output = new StringBuilder();
        var lines = Encoding.Latin1.GetString(content).Split("\r\n");
        for (var l = 0; l < lines.Length; l++)
        {
            var line = lines[l];
            var length = 0;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                var last = i == line.Length - 1;
                var literal = c is >= '!' and <= '~' and not '=' || (c is ' ' or '\t' && !last);
                var piece = literal ? c.ToString() : string.Create(CultureInfo.InvariantCulture, $"={(int)c:X2}");
                if (length + piece.Length > LineLimit - 1)
                {
                    output.Append("=\r\n");
                    length = 0;
                }

                output.Append(piece);
                length += piece.Length;
            }

            if (l < lines.Length - 1)
            {
                output.Append("\r\n");
            }
        }

        return output.ToString();
    }
}
