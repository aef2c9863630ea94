using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Synthesis.Tests.Support;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests;

/// <summary>The traffic looks like what it claims to be, as an investigator's tools would read it.</summary>
[Collection(CaptureVariantsCollection.Name)]
public sealed class ContentTests(CaptureVariants variants)
{
    [Theory]
    [InlineData("pcap-ns")]
    [InlineData("multi-link")]
    public void Tcp_SequenceAndAcknowledgmentNumbers_AreConsistentInEveryConnection(string name)
    {
        var file = variants[name];
        var next = new Dictionary<(string, ushort, string, ushort), uint>();
        long checkedSegments = 0;
        using var reader = CaptureFileReader.Open(file.Path);
        while (reader.TryRead(out var packet))
        {
            var view = TransportView.Parse(packet.LinkType, packet.Data);
            if (view is null || view.Protocol != Protocols.Tcp)
            {
                continue;
            }

            var (seq, ack, flags, payload) = view.Tcp;
            var key = (view.Source, view.SourcePort, view.Destination, view.DestinationPort);
            var reverse = (view.Destination, view.DestinationPort, view.Source, view.SourcePort);
            var syn = (flags & 0x02) != 0;
            var rst = (flags & 0x04) != 0;
            if (!syn && !(rst && seq == 0))
            {
                Assert.True(next.TryGetValue(key, out var expected), $"segment without a SYN first: {key}");
                Assert.Equal(expected, seq);
                checkedSegments++;
            }

            if ((flags & 0x10) != 0 && next.TryGetValue(reverse, out var peer))
            {
                Assert.Equal(peer, ack);
            }

            next[key] = unchecked(seq + (uint)payload.Length + (syn ? 1U : 0U) + ((flags & 0x01) != 0 ? 1U : 0U));
        }

        Assert.True(checkedSegments > 500, $"only {checkedSegments} segments checked");
    }

    [Fact]
    public void Tls_ClientHello_NamesTheServerInSni()
    {
        var file = variants.PcapNanoseconds;
        var needle = file.Truth.Needles.Single(n => n.Name == "tcp4-https");
        var hello = Segments(file, needle).Select(v => v.Tcp.Payload).First(p => p.Length > 5 && p[0] == 0x16 && p[5] == 0x01);

        var serverLow16 = int.Parse(needle.Server.Split('.')[2], CultureInfo.InvariantCulture) * 256
            + int.Parse(needle.Server.Split('.')[3], CultureInfo.InvariantCulture);
        Assert.Equal($"www.site{serverLow16}.example.com", ServerName(hello));
        Assert.Equal(hello.Length - 5, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(3)));
    }

    [Fact]
    public void Http_ResponseContentLength_IsTheBodyTheServerSent()
    {
        var file = variants.PcapNanoseconds;
        var needle = file.Truth.Needles.Single(n => n.Name == "tcp4-http");
        var segments = Segments(file, needle).ToList();
        var request = Encoding.ASCII.GetString(segments.Select(s => s.Tcp.Payload).First(p => p.Length > 0));
        var response = segments.Where(s => s.Source == needle.Server).SelectMany(s => s.Tcp.Payload).ToArray();
        var text = Encoding.ASCII.GetString(response);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var lengthLine = text[..headEnd].Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal));

        Assert.StartsWith("GET /", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: www.site", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", request, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.Equal(response.Length - headEnd, int.Parse(lengthLine["Content-Length: ".Length..], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Dns_QueryAndResponse_CarryTheSameWellFormedName()
    {
        var file = variants.PcapNanoseconds;
        var needle = file.Truth.Needles.Single(n => n.Name == "udp4-dns");
        var messages = Segments(file, needle).Select(v => v.UdpPayload).ToList();

        Assert.Equal(2, messages.Count);
        var (query, response) = (messages[0], messages[1]);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(query), BinaryPrimitives.ReadUInt16BigEndian(response));
        Assert.Equal(0, query[2] & 0x80);
        Assert.Equal(0x80, response[2] & 0x80);
        var name = ReadName(query, 12, out var end);
        Assert.Matches(@"^[a-z0-9-]+(\.[a-z0-9-]+)*\.example(\.[a-z]+)?$", name);
        Assert.Equal(name, ReadName(response, 12, out _));
        Assert.Equal(query.Length, end + 4);
        if (BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(6)) == 1)
        {
            Assert.Equal(0xC00C, BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(end + 4)));
        }
    }

    private static IEnumerable<TransportView> Segments(SynthesizedFile file, FlowTruth needle)
    {
        var views = new List<TransportView>();
        using var reader = CaptureFileReader.Open(file.Path);
        while (reader.TryRead(out var packet))
        {
            var view = TransportView.Parse(packet.LinkType, packet.Data);
            if (view is not null && (view.Source == needle.Client || view.Destination == needle.Client))
            {
                views.Add(view);
            }
        }

        Assert.Equal(needle.Packets, views.Count);
        return views;
    }

    private static string ServerName(byte[] hello)
    {
        var at = 5 + 4 + 2 + 32;
        at += 1 + hello[at];
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at));
        at += 1 + hello[at];
        var end = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at));
        at += 2;
        while (at < end)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at + 2));
            if (type == 0)
            {
                var nameLength = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at + 7));
                return Encoding.ASCII.GetString(hello, at + 9, nameLength);
            }

            at += 4 + length;
        }

        throw new InvalidOperationException("no server_name extension");
    }

    private static string ReadName(byte[] message, int at, out int end)
    {
        var labels = new List<string>();
        while (message[at] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(message, at + 1, message[at]));
            at += 1 + message[at];
        }

        end = at + 1;
        return string.Join('.', labels);
    }
}
