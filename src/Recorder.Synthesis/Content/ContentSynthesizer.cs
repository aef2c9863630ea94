using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// Writes a small capture of conversations with known application content, and its
/// <see cref="ContentTruth"/>: DNS over UDP (also on port 5300, and non-DNS datagrams on port 53),
/// HTTP/1.1 on one keep-alive connection with Content-Length, chunked, gzip and gzip+chunked bodies,
/// a TLS 1.2 handshake with a server certificate generated at synthesis time, an SMTP message with
/// base64 and quoted-printable attachments, an FTP session with a passive download and an active
/// upload over their data connections, and a QUIC version 1 Initial exchange protected as RFC 9001
/// says. Names, bodies, randoms and the certificate come from the seed: the same seed gives the same bytes.
/// </summary>
public static class ContentSynthesizer
{
    private const uint Client = 0x0A0C_000A;       // 10.12.0.10
    private const uint Resolver = 0x0A0C_0035;     // 10.12.0.53
    private const uint OddResolver = 0x0A0C_0036;  // 10.12.0.54, DNS on port 5300
    private const uint WebServer = 0x0A0C_0150;    // 10.12.1.80
    private const uint TlsServer = 0x0A0C_012B;    // 10.12.1.43
    private const uint MailServer = 0x0A0C_0119;   // 10.12.1.25
    private const uint FtpServer = 0x0A0C_0115;    // 10.12.1.21
    private const uint QuicServer = 0x0A0C_012C;   // 10.12.1.44
    private const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    /// <summary>Writes the capture (classic pcap, Ethernet, microseconds) to <paramref name="path"/> and returns its truth. On failure no file is left.</summary>
    public static ContentTruth Write(string path, ulong seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        try
        {
            using (file)
            {
                return Write(file, seed);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Writes the capture to <paramref name="output"/> (not closed) and returns its truth.</summary>
    public static ContentTruth Write(Stream output, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(output);
        var random = new SeededRandom(SeededRandom.Mix(seed ^ 0xC0_4E_7E_47UL));
        var writer = new ConversationWriter(output, SynthesisOptions.DefaultStart.UnixNanoseconds);
        var sessions = new List<ContentSession>();
        var names = new List<string>();
        var requests = new List<ContentHttpRequest>();
        var objects = new List<ContentHttpObject>();
        var handshakes = new List<ContentTlsHandshake>();

        Dns(writer, random, sessions, names, Resolver, 53, 3);
        Dns(writer, random, sessions, names, OddResolver, 5300, 1);
        NotDns(writer, random, sessions);
        Http(writer, random, sessions, requests, objects);
        Tls(writer, random, seed, sessions, handshakes);
        var smtp = SmtpConversation.Write(writer, random, Client, MailServer, sessions);
        var ftp = FtpConversation.Write(writer, random, Client, FtpServer, sessions);
        var quic = QuicConversation.Write(writer, random, Client, QuicServer, sessions);
        writer.Flush();
        output.Flush();
        return new ContentTruth
        {
            Seed = seed,
            Packets = writer.Packets,
            FileBytes = writer.BytesWritten,
            Sessions = sessions,
            DnsQueryNames = names,
            HttpRequests = requests,
            HttpObjects = objects,
            TlsHandshakes = handshakes,
            SmtpMessages = [smtp],
            FtpSessions = [ftp],
            QuicConnections = [quic],
        };
    }

    private static void Dns(ConversationWriter writer, SeededRandom random, List<ContentSession> sessions, List<string> names, uint server, ushort port, int exchanges)
    {
        string[] labels = ["www", "api", "cdn", "mail", "files", "update"];
        string[] zones = ["example.com", "example.net", "example.org"];
        var clientPort = Ephemeral(random);
        sessions.Add(Session("udp", clientPort, server, port, "dns"));
        for (var i = 0; i < exchanges; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture,
                $"{labels[random.NextInt32(labels.Length)]}{random.NextInt32(1000)}.{zones[random.NextInt32(zones.Length)]}");
            var id = (ushort)random.NextUInt64(65536);
            var answer = 0xC633_6400u | (uint)random.NextInt32(256); // 198.51.100.0/24
            writer.Udp(Client, clientPort, server, port, DnsMessage(id, name, null));
            writer.Udp(server, port, Client, clientPort, DnsMessage(id, name, answer));
            names.Add(name);
            names.Add(name);
        }

        writer.Pause(1_000_000);
    }

    /// <summary>A query (RFC 1035 §4.1) for the A record of <paramref name="name"/>, or its answer pointing back at the question (§4.1.4).</summary>
    private static byte[] DnsMessage(ushort id, string name, uint? answer)
    {
        var idBytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(idBytes, id);
        var message = new List<byte>(idBytes);
        message.AddRange(answer is null ? [0x01, 0x00, 0, 1, 0, 0] : [0x81, 0x80, 0, 1, 0, 1]);
        message.AddRange([0, 0, 0, 0]);
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, 0, 1, 0, 1]);
        if (answer is { } address)
        {
            message.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4]);
            var addressBytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(addressBytes, address);
            message.AddRange(addressBytes);
        }

        return [.. message];
    }

    /// <summary>Text datagrams on port 53 whose header would be an invalid DNS opcode: content says "not DNS" whatever the port.</summary>
    private static void NotDns(ConversationWriter writer, SeededRandom random, List<ContentSession> sessions)
    {
        var clientPort = Ephemeral(random);
        sessions.Add(Session("udp", clientPort, Resolver, 53, "unknown"));
        for (var i = 0; i < 3; i++)
        {
            var payload = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"BEACON {random.NextUInt64():x16} {i}\n"));
            writer.Udp(Client, clientPort, Resolver, 53, payload);
        }

        writer.Pause(1_000_000);
    }

    private static void Http(ConversationWriter writer, SeededRandom random, List<ContentSession> sessions, List<ContentHttpRequest> requests,
        List<ContentHttpObject> objects)
    {
        var clientPort = Ephemeral(random);
        sessions.Add(Session("tcp", clientPort, WebServer, 80, "http"));
        var host = string.Create(CultureInfo.InvariantCulture, $"files{random.NextInt32(1000)}.example.com");
        var tcp = new TcpScript(writer, Client, clientPort, WebServer, 80, random.NextUInt32(), random.NextUInt32());
        var number = random.NextInt32(100_000);
        var binary = new byte[2000 + random.NextInt32(4000)];
        random.NextBytes(binary);
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40 + random.NextInt32(80))
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"line {i}: value {random.NextUInt64():x16}\n"))));
        var json = Encoding.ASCII.GetBytes("{\"items\":[" + string.Join(',', Enumerable.Range(0, 30 + random.NextInt32(60))
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"value\":{random.NextInt32(1_000_000)}}}"))) + "]}");
        (string Uri, string Type, byte[] Content, bool Chunked, bool Gzip)[] exchanges =
        [
            (string.Create(CultureInfo.InvariantCulture, $"/download/report-{number}.bin"), "application/octet-stream", binary, false, false),
            (string.Create(CultureInfo.InvariantCulture, $"/notes/{number}.txt"), "text/plain", text, true, false),
            (string.Create(CultureInfo.InvariantCulture, $"/api/items?page={number}"), "application/json", json, false, true),
            (string.Create(CultureInfo.InvariantCulture, $"/logs/{number}.txt"), "text/plain", [.. text, .. "end\n"u8], true, true),
        ];
        foreach (var (uri, type, content, chunked, gzip) in exchanges)
        {
            tcp.Send(true, Encoding.ASCII.GetBytes($"GET {uri} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {UserAgent}\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\r\n"));
            requests.Add(new ContentHttpRequest("GET", host, uri, UserAgent));
            var encoded = gzip ? Gzip.Stored(content) : content;
            var body = chunked ? Chunk(encoded) : encoded;
            var head = new StringBuilder("HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: ").Append(type).Append("\r\n");
            head.Append(gzip ? "Content-Encoding: gzip\r\n" : "");
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"));
            head.Append("\r\n");
            tcp.Send(false, [.. Encoding.ASCII.GetBytes(head.ToString()), .. body]);
            objects.Add(new ContentHttpObject(uri, chunked ? "chunked" : "content-length", gzip ? "gzip" : null, content.Length, Hex.Lower(SHA256.HashData(content))));
        }

        tcp.Close();
        writer.Pause(1_000_000);
    }

    /// <summary>RFC 9112 §7.1: the content in three chunks, then the last chunk and an empty trailer section.</summary>
    private static byte[] Chunk(byte[] content)
    {
        var output = new List<byte>();
        var third = (content.Length + 2) / 3;
        for (var at = 0; at < content.Length; at += third)
        {
            var part = content.AsSpan(at, Math.Min(third, content.Length - at));
            output.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{part.Length:x}\r\n")));
            output.AddRange(part.ToArray());
            output.AddRange("\r\n"u8.ToArray());
        }

        output.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. output];
    }

    private static void Tls(ConversationWriter writer, SeededRandom random, ulong seed, List<ContentSession> sessions, List<ContentTlsHandshake> handshakes)
    {
        var clientPort = Ephemeral(random);
        sessions.Add(Session("tcp", clientPort, TlsServer, 443, "tls"));
        var serverName = string.Create(CultureInfo.InvariantCulture, $"secure{random.NextInt32(1000)}.example.org");
        var certificate = DeterministicCertificate.Create(seed, serverName, SynthesisOptions.DefaultStart.ToDateTimeOffset().AddDays(-30));
        var randoms = new byte[128];
        var tcp = new TcpScript(writer, Client, clientPort, TlsServer, 443, random.NextUInt32(), random.NextUInt32());
        random.NextBytes(randoms);
        tcp.Send(true, Tls12Handshake.ClientHello(serverName, randoms));
        random.NextBytes(randoms);
        tcp.Send(false, Tls12Handshake.ServerFlight(randoms, certificate));
        random.NextBytes(randoms);
        tcp.Send(true, Tls12Handshake.ClientFinish(randoms));
        random.NextBytes(randoms);
        tcp.Send(false, Tls12Handshake.ServerFinish(randoms));
        var opaque = new byte[600];
        random.NextBytes(opaque);
        tcp.Send(true, Tls12Handshake.ApplicationData(opaque.AsSpan(0, 200)));
        tcp.Send(false, Tls12Handshake.ApplicationData(opaque));
        tcp.Close();
        handshakes.Add(new ContentTlsHandshake(serverName, Tls12Handshake.Ja3, Tls12Handshake.Ja3S, Hex.Lower(SHA256.HashData(certificate)),
            $"CN={serverName}, O=Recorder synthetic traffic"));
        writer.Pause(1_000_000);
    }

    internal static ushort Ephemeral(SeededRandom random) => (ushort)(32768 + random.NextInt32(28232));

    private static ContentSession Session(string protocol, ushort clientPort, uint server, ushort serverPort, string application) =>
        Session(protocol, Client, clientPort, server, serverPort, application);

    /// <summary>A conversation of the truth; <paramref name="client"/> is the side that opened it.</summary>
    internal static ContentSession Session(string protocol, uint client, ushort clientPort, uint server, ushort serverPort, string application) =>
        new(protocol, Format(client), clientPort, Format(server), serverPort, application);

    private static string Format(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }
}
