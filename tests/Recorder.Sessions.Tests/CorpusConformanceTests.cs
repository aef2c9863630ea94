using System.Globalization;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Http;
using Recorder.TestSupport;
using Xunit.Abstractions;

namespace Recorder.Sessions.Tests;

/// <summary>Sessions, DNS and HTTP metadata against tshark 4.0 on ../shared/corpus/small.</summary>
public sealed class CorpusConformanceTests(ITestOutputHelper output)
{
    private static List<SessionRecord> Sessionise(string path)
    {
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add, ApplicationSignatures.DefaultStreamFactories(), ApplicationSignatures.DefaultDatagramFactories());
        using var reader = CaptureFileReader.Open(path);
        var index = 0L;
        while (reader.TryRead(out var packet))
        {
            builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: index++ / 1000, (int)packet.OriginalLength);
        }

        builder.Complete();
        return records;
    }

    private static string Tshark(string file, params string[] arguments)
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        var (exit, stdout, stderr) = ExternalTools.Run(tshark, ["-r", file, .. arguments]);
        Assert.True(exit == 0, stderr);
        return stdout;
    }

    private void Agree(string field, IEnumerable<string> ours, IEnumerable<string> theirs)
    {
        var a = ours.Order(StringComparer.Ordinal).ToList();
        var b = theirs.Order(StringComparer.Ordinal).ToList();
        // Multiset agreement: each of tshark's values matched by one of ours at most once.
        var remaining = a.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var matched = 0;
        foreach (var value in b)
        {
            if (remaining.TryGetValue(value, out var n) && n > 0)
            {
                remaining[value] = n - 1;
                matched++;
            }
        }

        var total = Math.Max(a.Count, b.Count);
        output.WriteLine($"{field}: {(total == 0 ? 100 : 100.0 * matched / total):F1}% agreement ({a.Count} ours, {b.Count} tshark)");
        Assert.Equal(b, a);
    }

    [SkippableTheory]
    [InlineData("dns.pcap")]
    [InlineData("dns-tunnel.pcap")]
    [InlineData("http-download.pcap")]
    [InlineData("mixed.pcap")]
    public void SessionsAndDirectionalCounts_EqualTsharkConversations(string name)
    {
        var file = Path.Combine(ExternalTools.RequireShared(), "corpus", "small", name);
        var sessions = Sessionise(file);
        foreach (var (protocol, number) in new[] { ("tcp", Protocols.Tcp), ("udp", Protocols.Udp) })
        {
            var conversations = Tshark(file, "-q", "-z", $"conv,{protocol}").Split('\n').Count(l => l.Contains("<->", StringComparison.Ordinal));
            var ours = sessions.Count(s => s.Protocol == number);
            output.WriteLine($"{name} {protocol} sessions: ours {ours}, tshark conv {conversations}");
            Assert.Equal(conversations, ours);
        }

        // Per direction: packets and frame bytes of every (source, port) -> (destination, port), summed from tshark's per-packet fields.
        var theirs = new Dictionary<string, (long Packets, long Bytes)>();
        foreach (var line in Tshark(file, "-Y", "(tcp or udp) and not icmp and not icmpv6", "-T", "fields", "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst",
                     "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "tcp.dstport", "-e", "udp.dstport", "-e", "ip.proto", "-e", "ipv6.nxt").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            var key = $"{f[9]}{f[10]} {f[1]}{f[2]}:{f[5]}{f[6]} > {f[3]}{f[4]}:{f[7]}{f[8]}";
            var (p, b) = theirs.GetValueOrDefault(key);
            theirs[key] = (p + 1, b + long.Parse(f[0], CultureInfo.InvariantCulture));
        }

        var ourDirections = new List<string>();
        foreach (var s in sessions.Where(s => s.Protocol is Protocols.Tcp or Protocols.Udp))
        {
            var c = $"{s.Format(s.Client)}:{s.Client.Port}";
            var v = $"{s.Format(s.Server)}:{s.Server.Port}";
            if (s.ClientPackets > 0)
            {
                ourDirections.Add($"{s.Protocol} {c} > {v} {s.ClientPackets} {s.ClientBytes}");
            }

            if (s.ServerPackets > 0)
            {
                ourDirections.Add($"{s.Protocol} {v} > {c} {s.ServerPackets} {s.ServerBytes}");
            }
        }

        Agree($"{name} packets/bytes per direction", ourDirections, theirs.Select(kv => $"{kv.Key} {kv.Value.Packets} {kv.Value.Bytes}"));
    }

    [SkippableFact]
    public void DnsTunnel_NonDnsOnPort53_IsNotDns()
    {
        var file = Path.Combine(ExternalTools.RequireShared(), "corpus", "small", "dns-tunnel.pcap");
        var sessions = Sessionise(file);
        Assert.DoesNotContain(sessions, s => s.Application == "dns");
        Assert.Contains(sessions, s => s.Protocol == Protocols.Tcp && s.Application == "ssh" && s.Server.Port == 53);
        Assert.Contains(sessions, s => s.Protocol == Protocols.Udp && s.Application == SessionBuilder.UnknownApplication && s.Server.Port == 53);
    }

    [SkippableTheory]
    [InlineData("dns.pcap")]
    [InlineData("mixed.pcap")]
    public void DnsNamesAndAnswers_EqualTshark(string name)
    {
        var file = Path.Combine(ExternalTools.RequireShared(), "corpus", "small", name);
        var messages = Sessionise(file).Select(s => s.Metadata).OfType<DnsSessionMetadata>().SelectMany(m => m.Messages).ToList();
        Assert.All(messages, m => Assert.Null(m.Malformed));
        string[] fields = ["dns.qry.name", "dns.resp.name", "dns.a", "dns.aaaa", "dns.cname", "dns.ptr.domain_name", "dns.mx.mail_exchange", "dns.txt", "dns.resp.ttl", "dns.flags.rcode", "dns.qry.type"];
        string[] arguments = ["-Y", "dns", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", .. fields.SelectMany(f => new[] { "-e", f })];
        var rows = Tshark(file, arguments)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        var failures = new List<string>();
        for (var i = 0; i < fields.Length; i++)
        {
            var column = i;
            try
            {
                Agree($"{name} {fields[i]}", messages.Select(m => Field(m, fields[column])), rows.Select(r => r[column]));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add($"{fields[i]}: {e.Message}");
            }
        }

        Assert.Empty(failures);
    }

    private static string Field(DnsMessage m, string field)
    {
        var all = m.Answers.Concat(m.Authorities).Concat(m.Additionals).ToList();
        IEnumerable<string> Data(ushort type) => m.Answers.Concat(m.Authorities).Concat(m.Additionals).Where(r => r.Type == type).Select(r => r.Data);
        var values = field switch
        {
            "dns.qry.name" => m.Questions.Select(q => q.Name),
            "dns.qry.type" => m.Questions.Select(q => q.Type.ToString(CultureInfo.InvariantCulture)),
            "dns.resp.name" => all.Select(r => r.Name),
            "dns.a" => Data(1),
            "dns.aaaa" => Data(28),
            "dns.cname" => Data(5),
            "dns.ptr.domain_name" => Data(12),
            "dns.mx.mail_exchange" => Data(15),
            "dns.txt" => Data(16),
            "dns.resp.ttl" => all.Where(r => r.Type != 41).Select(r => r.Ttl.ToString(CultureInfo.InvariantCulture)),
            // tshark shows the RCODE of responses only.
            "dns.flags.rcode" => m.IsResponse ? [m.ResponseCode.ToString(CultureInfo.InvariantCulture)] : [],
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        return string.Join('|', values);
    }

    [SkippableTheory]
    [InlineData("http-download.pcap")]
    [InlineData("mixed.pcap")]
    public void HttpRequestsAndResponses_EqualTshark(string name)
    {
        var file = Path.Combine(ExternalTools.RequireShared(), "corpus", "small", name);
        var transactions = Sessionise(file).Select(s => s.Metadata).OfType<HttpSessionMetadata>().SelectMany(m => m.Transactions).ToList();
        var requests = Tshark(file, "-Y", "http.request", "-T", "fields", "-e", "http.request.method", "-e", "http.host", "-e", "http.request.uri", "-e", "http.user_agent")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Agree($"{name} http.request.method", transactions.Where(t => t.Method is not null).Select(t => t.Method!), requests.Select(r => r[0]));
        Agree($"{name} http.host", transactions.Where(t => t.Method is not null).Select(t => t.Host ?? string.Empty), requests.Select(r => r[1]));
        Agree($"{name} http.request.uri", transactions.Where(t => t.Method is not null).Select(t => t.Uri!), requests.Select(r => r[2]));
        Agree($"{name} http.user_agent", transactions.Where(t => t.Method is not null).Select(t => t.UserAgent ?? string.Empty), requests.Select(r => r[3]));
        var responses = Tshark(file, "-Y", "http.response", "-T", "fields", "-e", "http.response.code", "-e", "http.content_type", "-e", "http.content_length")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        var ours = transactions.Where(t => t.StatusCode is not null).ToList();
        Agree($"{name} http.response.code", ours.Select(t => t.StatusCode!.Value.ToString(CultureInfo.InvariantCulture)), responses.Select(r => r[0]));
        Agree($"{name} http.content_type", ours.Select(t => t.ResponseContentType ?? string.Empty), responses.Select(r => r[1]));
        Agree($"{name} http.content_length", ours.Select(t => t.ResponseContentLength?.ToString(CultureInfo.InvariantCulture) ?? string.Empty), responses.Select(r => r[2]));
        Assert.All(ours.Where(t => t.ResponseBody is not null), t => Assert.True(t.ResponseBody!.Complete && !t.ResponseBody.CutByGap));
        Assert.All(ours.Where(t => t.ResponseBody is { Framing: HttpBodyFraming.ContentLength }), t => Assert.Equal(t.ResponseContentLength, t.ResponseBody!.Length));
    }
}
