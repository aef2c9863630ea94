using System.Globalization;
using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Core.Packets;
using Recorder.Sessions.Files;
using Recorder.Sessions.Ftp;
using Recorder.Sessions.Smtp;
using Recorder.Sessions.Tls;
using Recorder.Synthesis.Content;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests;

/// <summary>
/// The SMTP, FTP and QUIC conversations of the content synthesizer's captures: the session table
/// against the synthesizer's truth field by field, for several seeds, and against tshark.
/// </summary>
public sealed class SynthesizedTransfersTests
{
    public static TheoryData<ulong> Seeds => new() { 1UL, 12UL, 977UL };

    private static (ContentTruth Truth, List<SessionRecord> Sessions, List<TransferredFile> Files) Synthesize(TempDirectory directory, ulong seed)
    {
        var capture = directory.File("content.pcap");
        var truth = ContentSynthesizer.Write(capture, seed);
        var (sessions, files) = SynthesizedContentTests.Sessionise(capture);
        return (truth, sessions, files);
    }

    private static SessionRecord Find(List<SessionRecord> sessions, ContentSession expected)
    {
        var protocol = expected.Protocol == "tcp" ? Protocols.Tcp : Protocols.Udp;
        var record = Assert.Single(sessions, s => s.Protocol == protocol && s.Format(s.Client) == expected.Client && s.Client.Port == expected.ClientPort
            && s.Format(s.Server) == expected.Server && s.Server.Port == expected.ServerPort);
        Assert.Equal(expected.Application, record.Application);
        return record;
    }

    private static string Describe(ContentFile file) =>
        $"{file.Name} {file.Size} {file.Sha256} {file.Sha1} {file.Md5} {file.Type} {file.MediaType}";

    private static string Describe(TransferredFile file) =>
        string.Create(CultureInfo.InvariantCulture, $"{file.Name} {file.Length} {file.Sha256} {file.Sha1} {file.Md5} {file.Type.Name} {file.Type.MediaType}");

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Smtp_OfSynthesizedContent_EqualsTheTruth(ulong seed)
    {
        using var directory = new TempDirectory();
        var (truth, sessions, files) = Synthesize(directory, seed);
        var expected = Assert.Single(truth.SmtpMessages);
        var record = Find(sessions, expected.Session);
        var smtp = Assert.IsType<SmtpSessionMetadata>(record.Metadata);

        Assert.Null(smtp.Problem);
        Assert.Equal(expected.Helo, smtp.Helo);
        var message = Assert.Single(smtp.Messages);
        Assert.True(message.Complete);
        Assert.Equal(250, message.Reply);
        Assert.Equal(expected.MailFrom, message.MailFrom);
        Assert.Equal(expected.RcptTo, message.RcptTo);
        Assert.True(expected.RcptTo.Count >= 2);
        Assert.Equal(expected.From, message.From);
        Assert.Equal(expected.To, message.To);
        Assert.Equal(expected.Subject, message.Subject);
        Assert.Equal(expected.MessageId, message.MessageId);

        Assert.Equal(expected.Attachments.Select(a => $"{a.File.Name} {a.DeclaredContentType} {a.TransferEncoding} {a.File.Size} {a.File.Sha256} {a.File.Sha1} {a.File.Md5}"),
            message.Attachments.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.FileName} {a.ContentType} {a.TransferEncoding} {a.Size} {a.Sha256} {a.Sha1} {a.Md5}")));
        Assert.All(message.Attachments, a => Assert.True(a.Complete && a.InvalidCharacters == 0, $"{a.FileName}: {a.InvalidCharacters} invalid characters"));
        Assert.Contains(expected.Attachments, a => a.TransferEncoding == "quoted-printable");

        // The same attachments as transferred files, typed from their content.
        var mailed = files.Where(f => f.Protocol == "smtp").ToList();
        Assert.Equal(expected.Attachments.Select(a => Describe(a.File)), mailed.Select(Describe));
        Assert.All(mailed, f =>
        {
            Assert.Equal(TransferDirection.Upload, f.Direction);
            Assert.Equal(record.Id, f.SessionId);
            Assert.Equal(FileNameSource.MimeHeader, f.NameSource);
        });
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ftp_OfSynthesizedContent_EqualsTheTruth(ulong seed)
    {
        using var directory = new TempDirectory();
        var (truth, sessions, files) = Synthesize(directory, seed);
        var expected = Assert.Single(truth.FtpSessions);
        var control = Find(sessions, expected.Session);
        var ftp = Assert.IsType<FtpSessionMetadata>(control.Metadata);

        Assert.Null(ftp.Problem);
        Assert.Equal([expected.User], ftp.Users);
        Assert.True(ftp.LoggedIn);
        Assert.Equal(expected.Commands, ftp.Commands.Select(c => c.Verb));
        Assert.DoesNotContain(ftp.Commands, c => c.Argument?.Contains("s3cret", StringComparison.Ordinal) == true);
        // The data endpoint is the listening side: the FTP server's for PASV, the FTP client's for PORT; the 150 reply announces a download's size.
        Assert.Equal(expected.Transfers.Select(t => $"{t.Command} {t.Path} {t.Direction} {t.Passive} {t.DataSession.Server}:{t.DataSession.ServerPort} 226"),
            ftp.Transfers.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Command} {t.Path} {t.Direction} {t.Passive} {t.DataEndpoint} {t.Reply}")));
        Assert.Equal(expected.Transfers.Select(t => t.Direction == "download" ? t.File.Size : (long?)null), ftp.Transfers.Select(t => t.AnnouncedBytes));
        Assert.Contains(expected.Transfers, t => t.Passive);
        Assert.Contains(expected.Transfers, t => !t.Passive);

        // Each data connection is its own session, linked to the control session, carrying one complete file.
        foreach (var transfer in expected.Transfers)
        {
            var data = Find(sessions, transfer.DataSession);
            var file = Assert.Single(files, f => f.SessionId == data.Id);
            Assert.Equal("ftp", file.Protocol);
            Assert.Equal(control.Id, file.ControlSessionId);
            Assert.Equal(transfer.Command, file.Command);
            Assert.Equal(transfer.Path, file.Uri);
            Assert.Equal(transfer.Direction == "download" ? TransferDirection.Download : TransferDirection.Upload, file.Direction);
            Assert.Equal(FileNameSource.FtpCommand, file.NameSource);
            Assert.True(file.Complete, file.Issues.ToString());
            Assert.Equal(Describe(transfer.File), Describe(file));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Quic_OfSynthesizedContent_EqualsTheTruth(ulong seed)
    {
        using var directory = new TempDirectory();
        var (truth, sessions, _) = Synthesize(directory, seed);
        var expected = Assert.Single(truth.QuicConnections);
        var quic = Assert.IsType<QuicSessionMetadata>(Find(sessions, expected.Session).Metadata).Quic!;

        Assert.Equal(expected.Version, quic.Version);
        Assert.False(quic.UnsupportedVersion);
        Assert.Equal(expected.OriginalDestinationConnectionId, quic.OriginalDestinationConnectionId);
        Assert.Equal((1, 1, 0, 0), (quic.Client.InitialPackets, quic.Server.InitialPackets, quic.Client.UndecryptablePackets, quic.Server.UndecryptablePackets));
        var hello = quic.ClientHello!;
        Assert.Null(hello.Malformed);
        Assert.Equal(expected.ServerName, hello.ServerName);
        Assert.Equal(expected.Alpn, hello.Alpn);
        Assert.Equal(expected.Ja3, hello.Ja3);
        Assert.Equal(expected.Ja4, hello.Ja4);
        Assert.Equal(expected.Ja3S, quic.ServerHello?.Ja3S);
        Assert.Equal(expected.Ja4S, quic.ServerHello?.Ja4S);
    }

    [SkippableFact]
    public void Smtp_OfSynthesizedContent_EqualsTsharkCommandsAndHeaders()
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        var expected = ContentSynthesizer.Write(capture, 7).SmtpMessages.Single();

        var commands = Fields(tshark, capture, "smtp.req.command", "smtp.req.command", "smtp.req.parameter");
        Assert.Equal(
        [
            $"EHLO\t{expected.Helo}", $"MAIL\tFROM:<{expected.MailFrom}>", .. expected.RcptTo.Select(r => $"RCPT\tTO:<{r}>"), "DATA\t", "QUIT\t",
        ], commands);
        var headers = Assert.Single(Fields(tshark, capture, "imf", "imf.from", "imf.to", "imf.subject", "imf.message_id",
            "mime_multipart.header.content-disposition", "mime_multipart.header.content-transfer-encoding"));
        Assert.Equal(string.Join('\t', expected.From, expected.To, expected.Subject, expected.MessageId,
            string.Join('|', expected.Attachments.Select(a => $"attachment;filename=\"{a.File.Name}\"")),
            string.Join('|', ["7bit", .. expected.Attachments.Select(a => a.TransferEncoding)])), headers);
    }

    [SkippableFact]
    public void Ftp_OfSynthesizedContent_EqualsTsharkCommandsAndExportedFtpData()
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        var expected = ContentSynthesizer.Write(capture, 7).FtpSessions.Single();

        Assert.Equal(expected.Commands, Fields(tshark, capture, "ftp.request.command", "ftp.request.command"));
        Assert.Equal(expected.Transfers.Select(t => $"{t.Command}\t{t.Path}"),
            Fields(tshark, capture, "ftp.request.command == \"RETR\" || ftp.request.command == \"STOR\"", "ftp.request.command", "ftp.request.arg"));

        var objects = Directory.CreateDirectory(directory.File("objects")).FullName;
        var (exit, _, error) = ExternalTools.Run(tshark, ["-r", capture, "-q", "--export-objects", "ftp-data," + objects]);
        Assert.True(exit == 0, error);
        Assert.Equal(expected.Transfers.Select(t => t.File.Sha256).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(objects).Select(f => Hex.Lower(SHA256.HashData(File.ReadAllBytes(f)))).Order(StringComparer.Ordinal));
    }

    /// <summary>tshark derives the Initial keys and decrypts on its own: if the synthesizer's protection were wrong, it would show no ClientHello.</summary>
    [SkippableFact]
    public void Quic_OfSynthesizedContent_EqualsTsharksDecryptedInitials()
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        var expected = ContentSynthesizer.Write(capture, 7).QuicConnections.Single();

        Assert.Equal(
        [
            $"0x{expected.Version:x8}\t1\t{expected.ServerName}\t{string.Join('|', expected.Alpn)}\t{expected.Ja3}\t",
            $"0x{expected.Version:x8}\t2\t\t\t\t{expected.Ja3S}",
        ], Fields(tshark, capture, "quic", "quic.version", "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
            "tls.handshake.ja3", "tls.handshake.ja3s"));
    }

    private static List<string> Fields(string tshark, string capture, string filter, params string[] fields)
    {
        var (exit, output, error) = ExternalTools.Run(tshark, ["-r", capture, "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
            .. fields.SelectMany(f => new[] { "-e", f })]);
        Assert.True(exit == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
    }
}
