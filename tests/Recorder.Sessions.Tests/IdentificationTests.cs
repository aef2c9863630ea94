using System.Buffers.Binary;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Tests.Dns;

namespace Recorder.Sessions.Tests;

public sealed class IdentificationTests
{
    private static SessionRecord Tcp(ushort port, byte[] clientData, byte[]? serverData = null)
    {
        var c = new Traffic.Conversation(serverPort: port);
        var frames = c.Handshake().ToList();
        if (serverData is not null)
        {
            frames.Add(c.FromServer(0, serverData));
        }

        frames.Add(c.FromClient(0, clientData));
        return Assert.Single(Traffic.Run(frames));
    }

    private static byte[] TcpDns(byte[] message)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    private static readonly byte[] ClientHello = [22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8];

    [Fact]
    public void DnsOverUdpOn443_IsDns()
    {
        var record = Assert.Single(Traffic.Run([Traffic.Udp("10.0.0.1", 5555, "10.0.0.2", 443, DnsParserTests.Query), Traffic.Udp("10.0.0.2", 443, "10.0.0.1", 5555, DnsParserTests.Response)]));
        Assert.Equal("dns", record.Application);
        var dns = Assert.IsType<DnsSessionMetadata>(record.Metadata);
        Assert.Equal(2, dns.Messages.Count);
        Assert.Equal("SF", record.ConnState);
    }

    [Fact]
    public void DnsOverTcpOn8443_IsDnsAndBothMessagesParse()
    {
        var c = new Traffic.Conversation(serverPort: 8443);
        var response = TcpDns(DnsParserTests.Response);
        var records = Traffic.Run([.. c.Handshake(), c.FromClient(0, TcpDns(DnsParserTests.Query)), c.FromServer(0, response.AsSpan(0, 10)), c.FromServer(10, response.AsSpan(10))]);
        var record = Assert.Single(records);
        Assert.Equal("dns", record.Application);
        var dns = Assert.IsType<DnsSessionMetadata>(record.Metadata);
        Assert.Equal(["www.example.com", "www.example.com"], dns.Messages.Select(m => m.Questions[0].Name));
        Assert.Equal("192.0.2.7", dns.Messages[1].Answers[1].Data);
    }

    [Fact]
    public void TlsOn80_IsTls() => Assert.Equal("tls", Tcp(80, ClientHello).Application);

    [Fact]
    public void HttpOn53_IsHttpNotDns() => Assert.Equal("http", Tcp(53, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray()).Application);

    [Fact]
    public void SshOn53_IsSsh() => Assert.Equal("ssh", Tcp(53, "SSH-2.0-OpenSSH_9.2p1\r\n"u8.ToArray()).Application);

    [Fact]
    public void SmtpNeedsBannerAndEhlo() =>
        Assert.Equal("smtp", Tcp(2525, "EHLO client.example\r\n"u8.ToArray(), "220 mail.example ESMTP\r\n"u8.ToArray()).Application);

    [Fact]
    public void FtpNeedsBannerAndUser() =>
        Assert.Equal("ftp", Tcp(2121, "USER anonymous\r\n"u8.ToArray(), "220 FTP ready\r\n"u8.ToArray()).Application);

    [Fact]
    public void RandomBytesOn53_AreUnknown()
    {
        var noise = new byte[64];
        new Random(5).NextBytes(noise);
        Assert.Equal(SessionBuilder.UnknownApplication, Tcp(53, noise).Application);
        var udp = Assert.Single(Traffic.Run([Traffic.Udp("10.0.0.1", 5555, "10.0.0.2", 53, noise)]));
        Assert.Equal(SessionBuilder.UnknownApplication, udp.Application);
        Assert.Equal("S0", udp.ConnState);
    }

    [Fact]
    public void DhcpAndQuic_AreIdentifiedByContent()
    {
        var dhcp = new byte[300];
        dhcp[0] = 1;
        dhcp[1] = 1;
        dhcp[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(dhcp.AsSpan(236), 0x63825363);
        Assert.Equal("dhcp", Assert.Single(Traffic.Run([Traffic.Udp("0.0.0.0", 68, "255.255.255.255", 67, dhcp)])).Application);
        var quic = new byte[1200];
        quic[0] = 0xC3;
        BinaryPrimitives.WriteUInt32BigEndian(quic.AsSpan(1), 1);
        quic[5] = 8;
        quic[14] = 0;
        Assert.Equal("quic", Assert.Single(Traffic.Run([Traffic.Udp("10.0.0.1", 5555, "10.0.0.2", 4433, quic)])).Application);
    }

    [Fact]
    public void HandshakeOnly_HasNoApplication()
    {
        var c = new Traffic.Conversation();
        var record = Assert.Single(Traffic.Run(c.Handshake()));
        Assert.Null(record.Application);
        Assert.Equal("S1", record.ConnState);
    }
}
