using CsCheck;
using Recorder.Sessions.Dns;

namespace Recorder.Sessions.Tests.Dns;

public sealed class DnsParserTests
{
    // Query for www.example.com A IN, id 0x1234, RD.
    internal static readonly byte[] Query =
    [
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
        3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
        0, 1, 0, 1,
    ];

    // The response: the question, a CNAME to a compressed name and an A record.
    internal static readonly byte[] Response =
    [
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
        3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
        0, 1, 0, 1,
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0x0E, 0x10, 0, 6, 3, (byte)'c', (byte)'d', (byte)'n', 0xC0, 16,
        0xC0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
    ];

    [Fact]
    public void Response_WithCompressedNames_ParsesLikeTshark()
    {
        var message = DnsParser.Parse(Response, fromClient: false, 0);
        Assert.Null(message.Malformed);
        Assert.Equal("www.example.com", Assert.Single(message.Questions).Name);
        Assert.Equal(2, message.Answers.Count);
        Assert.Equal(new DnsResourceRecord("www.example.com", 5, 1, 3600, "cdn.example.com"), message.Answers[0]);
        Assert.Equal(new DnsResourceRecord("cdn.example.com", 1, 1, 60, "192.0.2.7"), message.Answers[1]);
        Assert.True(message.IsResponse);
        Assert.Equal(0, message.ResponseCode);
    }

    [Fact]
    public void CompressionPointerLoop_IsMalformedNotAHang()
    {
        var loop = Query.ToArray();
        // The question name points at itself.
        byte[] looped = [.. loop.AsSpan(0, 12), 0xC0, 12, 0, 1, 0, 1];
        var message = DnsParser.Parse(looped, true, 0);
        Assert.Equal("question 1: compression loop", message.Malformed);
        Assert.Empty(message.Questions);
    }

    [Fact]
    public void TwoPointersPointingAtEachOther_AreALoop()
    {
        byte[] message = [.. Response.AsSpan(0, 12), 0xC0, 14, 0xC0, 12, 0, 1, 0, 1];
        message[7] = 0;
        Assert.Equal("question 1: compression loop", DnsParser.Parse(message, true, 0).Malformed);
    }

    [Fact]
    public void TruncatedMessage_KeepsWhatParsedAndSaysWhere()
    {
        var cut = Response.AsSpan(0, Response.Length - 3).ToArray();
        var message = DnsParser.Parse(cut, false, 0);
        Assert.Equal("answer 2: RDATA truncated", message.Malformed);
        Assert.Single(message.Answers);
        Assert.Equal("www.example.com", message.Questions[0].Name);
    }

    [Fact]
    public void LabelWithDotsControlAndHighBytes_IsPrintedAsTshark40Prints_It()
    {
        // tshark 4.0.17 prints this question name as the bytes 61 2e 5c 30 30 31 5c 2e 63 ef bf bd 6d.
        byte[] message = [.. Query.AsSpan(0, 12), 4, (byte)'a', (byte)'.', 0x01, (byte)'\\', 3, (byte)'c', 0xE9, (byte)'m', 0, 0, 1, 0, 1];
        Assert.Equal("a.\\001\\.c\uFFFDm", DnsParser.Parse(message, true, 0).Questions[0].Name);
    }

    [Fact]
    public void RootQuestion_IsPrintedAsRoot()
    {
        byte[] message = [.. Query.AsSpan(0, 12), 0, 0, 2, 0, 1];
        Assert.Equal("<Root>", DnsParser.Parse(message, true, 0).Questions[0].Name);
    }

    [Fact]
    public void LooksLikeDns_RejectsRandomText()
    {
        Assert.True(DnsParser.LooksLikeDns(Query));
        Assert.False(DnsParser.LooksLikeDns("GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8));
        Assert.False(DnsParser.LooksLikeDns("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"u8));
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var message = DnsParser.Parse(bytes, true, 0);
            _ = DnsParser.LooksLikeDns(bytes);
            return message is not null;
        }, iter: 2000);
    }

    [Fact]
    public void MutatedResponses_NeverThrow()
    {
        Gen.Select(Gen.Int[0, Response.Length - 1], Gen.Byte).Array[1, 6].Sample(changes =>
        {
            var bytes = Response.ToArray();
            foreach (var (at, value) in changes)
            {
                bytes[at] = value;
            }

            return DnsParser.Parse(bytes, false, 0) is not null;
        }, iter: 2000);
    }
}
