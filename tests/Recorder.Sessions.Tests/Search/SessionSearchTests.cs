using System.Text;
using System.Text.Json;
using CsCheck;
using Recorder.Sessions.Search;

namespace Recorder.Sessions.Tests.Search;

public sealed class SessionSearchTests
{
    [Theory]
    [InlineData("www.example.com", "*.example.com", true)]
    [InlineData("example.com", "*.example.com", false)]
    [InlineData("a.b.example.com", "*.example.com", true)]
    [InlineData("WWW.Example.COM", "www.example.com", true)]
    [InlineData("www.example.com.evil", "*.example.com", false)]
    [InlineData("/report-7.pdf", "/report*.pdf", true)]
    [InlineData("/report-7.pdfx", "/report*.pdf", false)]
    [InlineData("anything", "*", true)]
    [InlineData("", "*", true)]
    [InlineData("", "a", false)]
    [InlineData("aaa", "a*a*a", true)]
    [InlineData("aa", "a*a*a", false)]
    public void Wildcard_MatchesTheWholeValue_CaseInsensitively(string value, string pattern, bool expected) =>
        Assert.Equal(expected, Wildcard.Matches(value, pattern));

    [Fact]
    public void Wildcard_AgreesWithARegularExpression_OnRandomStrings()
    {
        Gen.Select(Gen.String[Gen.Char["ab*"], 0, 8], Gen.String[Gen.Char["aB"], 0, 12]).Sample((pattern, value) =>
        {
            var regex = "^" + string.Concat(pattern.Select(c => c == '*' ? ".*" : System.Text.RegularExpressions.Regex.Escape(c.ToString()))) + "$";
            Assert.Equal(System.Text.RegularExpressions.Regex.IsMatch(value, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase),
                Wildcard.Matches(value, pattern));
        });
    }

    [Theory]
    [InlineData("--port", "x")]
    [InlineData("--ja3", "0123")]
    [InlineData("--cert-sha256", "00")]
    [InlineData("--host", "10.0.0")]
    [InlineData("--proto", "300")]
    [InlineData("--from", "soon")]
    [InlineData("--sni", "")]
    public void Parse_NamesTheOptionAtFault(string option, string value)
    {
        var arguments = option switch
        {
            "--port" => new SessionFilterArguments { Port = value },
            "--ja3" => new SessionFilterArguments { Ja3 = value },
            "--cert-sha256" => new SessionFilterArguments { CertSha256 = value },
            "--host" => new SessionFilterArguments { Host = value },
            "--proto" => new SessionFilterArguments { Proto = value },
            "--from" => new SessionFilterArguments { From = value },
            _ => new SessionFilterArguments { Sni = value },
        };

        var (filter, error) = SessionFilter.Parse(arguments);

        Assert.Null(filter);
        Assert.Equal(option, error!.Option);
    }

    [Fact]
    public void Filter_MatchesTlsFieldsAndTheWindow()
    {
        var document = new SessionDocument
        {
            Protocol = 6, Client = "10.0.0.1", ClientPort = 50000, Server = "2001:db8::1", ServerPort = 443, Application = "tls",
            FirstNanoseconds = 10_000_000_000, LastNanoseconds = 20_000_000_000, TlsSni = "api.example.org",
            Ja3 = "0123456789abcdef0123456789abcdef", Ja4 = "t13d1516h2_8daaf6152771_02713d6af862",
            CertificateSha256 = [new string('a', 64)],
        };

        Assert.True(Match(document, new SessionFilterArguments { Sni = "*.EXAMPLE.org", Proto = "tcp", Port = "443" }));
        Assert.True(Match(document, new SessionFilterArguments { Domain = "api.example.org", Host = "2001:db8:0::1" }));
        Assert.True(Match(document, new SessionFilterArguments { Ja3 = "0123456789ABCDEF0123456789ABCDEF", CertSha256 = new string('A', 64) }));
        Assert.True(Match(document, new SessionFilterArguments { Ja4 = "t13d1516h2_8daaf6152771_02713d6af862", From = "15", To = "16" }));
        Assert.False(Match(document, new SessionFilterArguments { From = "20.5" }));
        Assert.False(Match(document, new SessionFilterArguments { To = "10" }));
        Assert.False(Match(document, new SessionFilterArguments { Sni = "example.org" }));
        Assert.False(Match(document, new SessionFilterArguments { App = "http" }));
        Assert.False(Match(document, new SessionFilterArguments { Host = "10.0.0.2" }));
        Assert.False(Match(document, new SessionFilterArguments { Proto = "udp" }));
    }

    [Fact]
    public void Json_RoundTrips_AndWritesTheSameBytesAgain()
    {
        var document = new SessionDocument
        {
            SegmentId = 3, Id = 9, Network = "ipv6", Protocol = 17, Client = "::1", ClientPort = 5353, Server = "ff02::fb", ServerPort = 5353,
            Vlan = 12, LinkType = 1, FirstNanoseconds = 1, LastNanoseconds = 2, ClientPackets = 3, ConnState = "S0", Application = "dns",
            EndReason = "EndOfInput", ContinuesPreviousSegment = true, DnsQueries = ["a.local", "b\u00e9.local"], DnsAnswers = ["10.0.0.1"],
            DnsResponseCodes = [0, 3], HttpStatuses = [200], QuicSni = "q.example", QuicAlpn = ["h3"], QuicJa4 = "q13d0310h3_55b375c5d22e_cd85d2d88918",
        };

        var first = Write(document);
        var read = SessionDocumentJson.Read(first);
        var second = Write(read);

        Assert.Equal(Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(second));
        Assert.Equal(document.DnsQueries, read.DnsQueries);
        Assert.Equal(12, read.Vlan);
        Assert.True(read.OpenAtSegmentEnd);
        Assert.True(read.ContinuesPreviousSegment);
    }

    [Fact]
    public void Read_OfDamagedJson_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => SessionDocumentJson.Read("{\"segmentId\":1"u8));
        Assert.Throws<FormatException>(() => SessionDocumentJson.Read("{\"segmentId\":\"x\"}"u8));
    }

    private static bool Match(SessionDocument document, SessionFilterArguments arguments)
    {
        var (filter, error) = SessionFilter.Parse(arguments);
        Assert.True(filter is not null, error?.ToString());
        return filter.Matches(document);
    }

    private static byte[] Write(SessionDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            SessionDocumentJson.Write(writer, document);
        }

        return stream.ToArray();
    }
}
