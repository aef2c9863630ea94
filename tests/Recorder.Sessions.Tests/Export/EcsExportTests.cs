using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Sessions.Export;
using Recorder.Sessions.Files;
using Recorder.Sessions.Search;
using Recorder.Sessions.Tests.Dns;
using Recorder.Sessions.Tests.Tls;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Export;

/// <summary>
/// The ECS export: every field written outside <c>recorder.*</c> is a field of ECS 9.4.0 with a value
/// of its type (checked against ECS's own field list, TestData/ecs), and the values are the traffic's
/// (names, hashes, certificate fingerprints); network.community_id equals the Community ID spec's
/// baseline.
/// </summary>
public sealed class EcsExportTests
{
    private static readonly Dictionary<string, (string Type, bool Array)> Ecs = File
        .ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "ecs", "ecs-9.4.0-fields.tsv"))
        .Select(l => l.Split('\t'))
        .ToDictionary(p => p[0], p => (p[1], p[2] == "array"), StringComparer.Ordinal);

    [Fact]
    public async Task BuiltTraffic_DnsHttpGzipAndTls12_GivesValidEcsWithTheTrafficsValues()
    {
        using var certificate = LoopbackHandshake.SelfSigned();
        var writes = await LoopbackHandshake.RunAsync(SslProtocols.Tls12, certificate);
        var body = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("evidence ", 200)));
        var frames = new List<byte[]>
        {
            Traffic.Udp("10.0.0.1", 40000, "10.0.0.53", 53, DnsParserTests.Query),
            Traffic.Udp("10.0.0.53", 53, "10.0.0.1", 40000, DnsParserTests.Response),
        };
        frames.AddRange(Http(body));
        frames.AddRange(Tls(writes));

        var lines = Export(frames);

        Validate(lines);
        var dns = lines.Where(l => Dataset(l) == "recorder.dns").ToList();
        Assert.Equal(["query", "answer"], dns.Select(l => l["dns"]!["type"]!.GetValue<string>()));
        Assert.All(dns, l => Assert.Equal("www.example.com", l["dns"]!["question"]!["name"]!.GetValue<string>()));
        Assert.Equal("NOERROR", dns[1]["dns"]!["response_code"]!.GetValue<string>());
        Assert.Equal(["192.0.2.7"], dns[1]["dns"]!["resolved_ip"]!.AsArray().Select(n => n!.GetValue<string>()));

        var http = Assert.Single(lines, l => Dataset(l) == "recorder.http");
        Assert.Equal("GET", http["http"]!["request"]!["method"]!.GetValue<string>());
        Assert.Equal("/evidence.txt", http["url"]!["original"]!.GetValue<string>());
        Assert.Equal("files.example.com", http["url"]!["domain"]!.GetValue<string>());
        Assert.Equal(200, http["http"]!["response"]!["status_code"]!.GetValue<int>());
        var file = Assert.Single(lines, l => Dataset(l) == "recorder.file");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), file["file"]!["hash"]!["sha256"]!.GetValue<string>());
        Assert.Equal(body.Length, file["file"]!["size"]!.GetValue<long>());
        Assert.Equal("download", file["recorder"]!["file"]!["direction"]!.GetValue<string>());

        var tls = Assert.Single(lines, l => Dataset(l) == "recorder.tls");
        Assert.Equal("1.2", tls["tls"]!["version"]!.GetValue<string>());
        Assert.Equal(LoopbackHandshake.ServerName, tls["tls"]!["client"]!["server_name"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(certificate.RawData)), tls["tls"]!["server"]!["hash"]!["sha256"]!.GetValue<string>());
        Assert.Equal("h2", tls["tls"]!["next_protocol"]!.GetValue<string>());

        // Every record names its session, and the session records carry the counts.
        var sessions = lines.Where(l => Dataset(l) == "recorder.session").ToList();
        Assert.Equal(3, sessions.Count);
        Assert.All(lines, l => Assert.Matches("^7:[0-9]+$", l["recorder"]!["session"]!.GetValue<string>()));
        Assert.Equal(["dns", "http", "tls"], sessions.Select(s => s["network"]!["protocol"]!.GetValue<string>()));
    }

    [SkippableFact]
    public void CorpusCaptures_GiveValidEcs()
    {
        var corpus = Path.Combine(ExternalTools.RequireShared(), "corpus", "small");
        var total = 0;
        foreach (var capture in Directory.GetFiles(corpus, "*.pcap*").Order(StringComparer.Ordinal))
        {
            var lines = ExportCapture(capture);
            Validate(lines);
            total += lines.Count;
        }

        Assert.True(total > 100, $"only {total} records");
    }

    [Fact]
    public void CommunityId_EqualsTheSpecsBaseline_ForEveryNonIcmpEntry()
    {
        var baseline = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "community-id", "baseline_deflt.json")))!.AsArray();
        var checkedEntries = 0;
        foreach (var entry in baseline)
        {
            var protocol = entry!["proto"]!.GetValue<byte>();
            var source = IPAddress.Parse(entry["saddr"]!.GetValue<string>());
            var destination = IPAddress.Parse(entry["daddr"]!.GetValue<string>());
            var network = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? NetworkKind.IPv4 : NetworkKind.IPv6;
            var ours = CommunityId.Compute(network, protocol, IpAddress128.From(source), (ushort)(entry["sport"]?.GetValue<int>() ?? 0),
                IpAddress128.From(destination), (ushort)(entry["dport"]?.GetValue<int>() ?? 0));
            if (protocol is Protocols.Icmp or Protocols.Icmp6)
            {
                Assert.Null(ours);
                continue;
            }

            Assert.Equal(entry["communityid"]!.GetValue<string>(), ours);
            checkedEntries++;
        }

        Assert.True(checkedEntries >= 8, $"{checkedEntries} entries checked");

        // The spec's README table (TCP 1.2.3.4:1122 <-> 5.6.7.8:3344), both directions.
        var a = IpAddress128.From(IPAddress.Parse("1.2.3.4"));
        var b = IpAddress128.From(IPAddress.Parse("5.6.7.8"));
        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", CommunityId.Compute(NetworkKind.IPv4, 6, a, 1122, b, 3344));
        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", CommunityId.Compute(NetworkKind.IPv4, 6, b, 3344, a, 1122));
    }

    [Fact]
    public void HostileText_IsEscapedJson_AndEveryLineParses()
    {
        var request = Encoding.UTF8.GetBytes("GET /\"}\n{\"injected\":1 HTTP/1.1\r\nHost: a\"b\u0001.example\r\nUser-Agent: \u202Eevil\r\n\r\n");
        var conversation = new Traffic.Conversation(serverPort: 80);
        var frames = conversation.Handshake().Append(conversation.FromClient(0, request)).ToList();

        var lines = Export(frames);

        Validate(lines);
        Assert.DoesNotContain(lines, l => l["injected"] is not null);
    }

    private static IEnumerable<byte[]> Http(byte[] body)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        var request = Encoding.ASCII.GetBytes("GET /evidence.txt HTTP/1.1\r\nHost: files.example.com\r\nUser-Agent: Test/1.0\r\n\r\n");
        var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {compressed.Length}\r\n\r\n")
            .Concat(compressed.ToArray()).ToArray();
        var conversation = new Traffic.Conversation(clientPort: 41000, serverPort: 80);
        return conversation.Handshake().Concat(
        [
            conversation.FromClient(0, request),
            conversation.FromServer(0, response),
            conversation.FromClient((uint)request.Length, [], Traffic.Fin | Traffic.Ack),
            conversation.FromServer((uint)response.Length, [], Traffic.Fin | Traffic.Ack),
        ]);
    }

    private static IEnumerable<byte[]> Tls(List<(bool FromClient, byte[] Bytes)> writes)
    {
        var conversation = new Traffic.Conversation(clientPort: 42000, serverPort: 443);
        var frames = conversation.Handshake().ToList();
        uint client = 0, server = 0;
        foreach (var (fromClient, bytes) in writes)
        {
            for (var offset = 0; offset < bytes.Length; offset += 1400)
            {
                var piece = bytes.AsSpan(offset, Math.Min(1400, bytes.Length - offset));
                frames.Add(fromClient ? conversation.FromClient(client, piece) : conversation.FromServer(server, piece));
                if (fromClient)
                {
                    client += (uint)piece.Length;
                }
                else
                {
                    server += (uint)piece.Length;
                }
            }
        }

        return frames;
    }

    private static List<JsonNode> Export(IEnumerable<byte[]> frames)
    {
        var files = new List<TransferredFile>();
        var observer = new FileObserver(files.Add);
        var records = Traffic.Run(frames, streams: ApplicationSignatures.DefaultStreamFactories(observer));
        return Write(records, files, 7);
    }

    private static List<JsonNode> ExportCapture(string path)
    {
        var files = new List<TransferredFile>();
        var observer = new FileObserver(files.Add);
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add, ApplicationSignatures.DefaultStreamFactories(observer),
            ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = Core.Formats.CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 1, (int)packet.OriginalLength);
            }
        }

        builder.Complete();
        return Write(records, files, 1);
    }

    private static List<JsonNode> Write(List<SessionRecord> records, List<TransferredFile> files, long segment)
    {
        var output = new ArrayBufferWriter<byte>();
        var counts = new EcsCounts();
        foreach (var record in records.OrderBy(r => r.Id))
        {
            var own = files.Where(f => f.SessionId == record.Id).ToList();
            EcsWriter.WriteSession(output, SessionDocument.From(record, segment, false, files: own), record, own, counts);
        }

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text[..^1].Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(counts.Total, lines.Count);
        return lines;
    }

    private static string Dataset(JsonNode line) => line["event"]!["dataset"]!.GetValue<string>();

    /// <summary>Every leaf outside recorder.* is an ECS field whose type the value has; the base fields are present.</summary>
    private static void Validate(List<JsonNode> lines)
    {
        foreach (var line in lines)
        {
            foreach (var required in new[] { "@timestamp", "ecs.version", "event.kind", "event.dataset", "event.category", "source.ip", "destination.ip", "network.transport" })
            {
                Assert.True(Find(line, required) is not null, $"{required} missing in {line.ToJsonString()}");
            }

            Walk(line.AsObject(), string.Empty, line);
        }
    }

    private static JsonNode? Find(JsonNode line, string path)
    {
        JsonNode? node = line;
        foreach (var part in path == "@timestamp" ? ["@timestamp"] : path.Split('.'))
        {
            node = node?[part];
        }

        return node;
    }

    private static void Walk(JsonObject node, string prefix, JsonNode line)
    {
        foreach (var (key, value) in node)
        {
            var name = prefix.Length == 0 ? key : prefix + "." + key;
            if (name == "recorder")
            {
                continue;
            }

            if (value is JsonObject child && !(Ecs.TryGetValue(name, out var objectField) && objectField.Type is "object" or "flattened"))
            {
                Walk(child, name, line);
                continue;
            }

            Assert.True(Ecs.TryGetValue(name, out var field), $"{name} is not an ECS 9.4.0 field ({line.ToJsonString()})");
            if (value is JsonArray array)
            {
                Assert.True(field.Array || field.Type == "object", $"{name}: an array, but ECS does not normalise it to one");
                foreach (var item in array)
                {
                    if (item is JsonObject element)
                    {
                        Walk(element, name, line);
                    }
                    else
                    {
                        CheckType(name, field.Type, item!);
                    }
                }
            }
            else
            {
                CheckType(name, field.Type, value!);
            }
        }
    }

    private static void CheckType(string name, string type, JsonNode value)
    {
        var kind = value.GetValueKind();
        switch (type)
        {
            case "keyword" or "wildcard" or "match_only_text" or "text" or "constant_keyword":
                Assert.True(kind == JsonValueKind.String, $"{name}: {type} wants a string, got {kind}");
                break;
            case "long" or "integer" or "short" or "byte" or "unsigned_long":
                Assert.True(kind == JsonValueKind.Number && value.GetValue<decimal>() == decimal.Truncate(value.GetValue<decimal>()), $"{name}: {type} wants a whole number");
                break;
            case "float" or "double" or "scaled_float":
                Assert.True(kind == JsonValueKind.Number, $"{name}: {type} wants a number");
                break;
            case "boolean":
                Assert.True(kind is JsonValueKind.True or JsonValueKind.False, $"{name}: boolean wanted");
                break;
            case "ip":
                Assert.True(kind == JsonValueKind.String && IPAddress.TryParse(value.GetValue<string>(), out _), $"{name}: an IP address wanted, got {value}");
                break;
            case "date":
                Assert.True(kind == JsonValueKind.String
                    && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), $"{name}: a date wanted, got {value}");
                break;
            default:
                Assert.Fail($"{name}: ECS type {type} not expected in an export");
                break;
        }
    }
}
