using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Packets;
using Recorder.Core.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// <c>recorder query --session</c> and <c>--sessions-of</c>: a metadata search or a session's
/// reference becomes one audited extraction of exactly that session's packets — whole across
/// segments, and not the packets of another session that reused the same ports.
/// </summary>
public sealed class SessionQueryTests : IDisposable
{
    private const long Start = 1_790_000_000_000_000_000L;
    private readonly TempDirectory _directory = new("recorder-session-query");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SessionsOf_ExtractsExactlyTheSessionsTheSearchFinds_AndLedgersTheSearchAndTheExtraction()
    {
        var (store, packets) = Store();
        var output = _directory.File("of.pcap");

        var result = Run("--store", store, "query", "--sessions-of", "host-header=files.example.com", "--out", output,
            "--case", "CASE-9", "--reason", "the download", "--json").Json;

        // Both HTTP sessions (port 45000 used twice) and nothing else: the DNS packets are left out.
        Assert.Equal(Digest(packets.Where(p => Port(p) == 45000)), CaptureFiles.Digest(CaptureFiles.Read(output)));
        var search = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.SessionsSearched);
        Assert.Equal("CASE-9", search["case"]!.GetValue<string>());
        Assert.Equal(result["sessions"]!["search"]!["answerSha256"]!.GetValue<string>(), search["hashes"]!["answer"]!.GetValue<string>());
        Assert.Equal(2, search["details"]!["results"]!.GetValue<int>());
        var submitted = LedgerEntries(store).Single(e => e["action"]!.GetValue<string>() == LedgerActions.QuerySubmitted);
        Assert.Equal(2, submitted["details"]!["filter"]!["conversations"]!.AsArray().Count);
        Assert.Equal(CaptureFiles.Sha256(output), result["sha256"]!.GetValue<string>());
    }

    [Fact]
    public void Session_ExtractsOnlyItsOwnPackets_NotThoseOfALaterSessionOnTheSamePorts()
    {
        var (store, packets) = Store();
        var sessions = Run("--store", store, "sessions", "--port", "45000", "--case", "C", "--reason", "r", "--json").Json["results"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        var http = packets.Where(p => Port(p) == 45000).ToList();
        var firstHalf = http.Take(8).ToList();

        foreach (var (session, expected) in new[] { (sessions[0]!, firstHalf), (sessions[1]!, http.Skip(8).ToList()) })
        {
            var reference = $"{session["segmentId"]}:{session["id"]}";
            var output = _directory.File($"one-{Guid.NewGuid():N}.pcap");
            var result = Run("--store", store, "query", "--session", reference, "--out", output, "--case", "C", "--reason", "r", "--json").Json;
            Assert.Equal(Digest(expected), CaptureFiles.Digest(CaptureFiles.Read(output)));
            Assert.Equal([reference], result["sessions"]!["named"]!.AsArray().Select(n => n!.GetValue<string>()));
        }
    }

    [Fact]
    public void TwoSessions_OfOneFlow_LeaveOutTheSessionBetweenThem()
    {
        // Three sessions on the same ports, 20 s apart: the first and the third asked, the second is in
        // the query's overall window but belongs to neither.
        var packets = new[] { 0L, 20, 40 }.SelectMany(t => HttpSession(45000, Start + (t * 1_000_000_000), "files.example.com")).ToList();
        var capture = _directory.File("three.pcap");
        CaptureFiles.Write(capture, packets);
        var store = _directory.File("store-three");
        Run("--store", store, "import", "--sessions", capture);
        var output = _directory.File("first-and-third.pcap");

        Run("--store", store, "query", "--session", "1:0", "--session", "1:2", "--out", output, "--case", "C", "--reason", "r");

        Assert.Equal(Digest(packets.Take(8).Concat(packets.Skip(16))), CaptureFiles.Digest(CaptureFiles.Read(output)));
    }

    [Fact]
    public void Session_CutBySegments_IsExtractedWhole_FromEitherOfItsRecords()
    {
        // One TCP session whose first half is in one imported file (segment 1) and second half in the next (segment 2).
        var packets = HttpSession(45100, Start, "big.example.com");
        var store = _directory.File("store-split");
        var first = _directory.File("first.pcap");
        var second = _directory.File("second.pcap");
        CaptureFiles.Write(first, packets.Take(4));
        CaptureFiles.Write(second, packets.Skip(4));
        Run("--store", store, "import", "--sessions", first);
        Run("--store", store, "import", "--sessions", second);
        var records = Run("--store", store, "sessions", "--port", "45100", "--case", "C", "--reason", "r", "--json").Json["results"]!.AsArray();
        Assert.Equal([1L, 2L], records.Select(r => r!["segmentId"]!.GetValue<long>()));

        foreach (var record in records)
        {
            var output = _directory.File($"whole-{Guid.NewGuid():N}.pcap");
            var result = Run("--store", store, "query", "--session", $"{record!["segmentId"]}:{record["id"]}", "--out", output,
                "--case", "C", "--reason", "r", "--json").Json;
            Assert.Equal(Digest(packets), CaptureFiles.Digest(CaptureFiles.Read(output)));
            Assert.Equal(2, result["sessions"]!["records"]!.AsArray().Count);
        }
    }

    [Theory]
    [InlineData("--session", "1:999", "segment 1 has no session 999")]
    [InlineData("--session", "7:0", "segment 7 has no session metadata")]
    [InlineData("--session", "one", "is not SEGMENT:ID")]
    [InlineData("--sessions-of", "sni=nothing.example", "no session matched")]
    [InlineData("--sessions-of", "colour=blue", "is not FIELD=VALUE")]
    [InlineData("--sessions-of", "port=70000", "--sessions-of port:")]
    public void BadSessions_AreRefused_WithExitTwo_NothingWritten_AndTheRefusalLedgered(string option, string value, string message)
    {
        var (store, _) = Store();
        var output = _directory.File($"refused-{Guid.NewGuid():N}.pcap");

        var result = Cli.Run("--store", store, "query", option, value, "--out", output, "--case", "C", "--reason", "r");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Single(LedgerEntries(store), e => e["action"]!.GetValue<string>() == LedgerActions.QueryRefused);
        Assert.DoesNotContain(LedgerEntries(store), e => e["action"]!.GetValue<string>() == LedgerActions.QuerySubmitted);
    }

    [Fact]
    public void SessionsOf_WhenASegmentHasNoMetadata_IsRefused_RatherThanAnsweredIncompletely()
    {
        var store = _directory.File("store-unbuilt");
        var capture = _directory.File("unbuilt.pcap");
        CaptureFiles.Write(capture, HttpSession(45000, Start, "files.example.com"));
        Run("--store", store, "import", capture);

        var result = Cli.Run("--store", store, "query", "--sessions-of", "app=http", "--out", _directory.File("x.pcap"), "--case", "C", "--reason", "r");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("have no session metadata", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostPortOrProto_WithSessions_IsRefused()
    {
        var (store, _) = Store();

        var result = Cli.Run("--store", store, "query", "--session", "1:0", "--port", "80", "--out", _directory.File("y.pcap"), "--case", "C", "--reason", "r");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot be combined", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A DNS lookup, then an HTTP session from port 45000, then 20 s later another on the same ports.</summary>
    private (string Store, List<TestPacket> Packets) Store()
    {
        var packets = new List<TestPacket>
        {
            new(LinkTypes.Ethernet, Start, 0, Frames.Udp("10.0.0.1", 40001, "10.0.0.53", 53, 30)),
            new(LinkTypes.Ethernet, Start + 1_000_000, 0, Frames.Udp("10.0.0.53", 53, "10.0.0.1", 40001, 46)),
        };
        packets.AddRange(HttpSession(45000, Start + 10_000_000, "files.example.com"));
        packets.AddRange(HttpSession(45000, Start + 20_000_000_000, "files.example.com"));
        packets = packets.Select(p => p with { OriginalLength = (uint)p.Data.Length }).ToList();
        var capture = _directory.File($"capture-{Guid.NewGuid():N}.pcap");
        CaptureFiles.Write(capture, packets);
        var store = _directory.File($"store-{Guid.NewGuid():N}");
        Run("--store", store, "import", "--sessions", capture);
        return (store, packets);
    }

    /// <summary>Handshake, GET, 4-byte response, both FINs, final ACK: eight packets 1 ms apart.</summary>
    private static List<TestPacket> HttpSession(ushort clientPort, long start, string host)
    {
        const uint c = 1000, s = 5000;
        var request = Encoding.ASCII.GetBytes($"GET /report.pdf HTTP/1.1\r\nHost: {host}\r\n\r\n");
        var response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n%PDF");
        var frames = new[]
        {
            Tcp("10.0.0.1", clientPort, "10.0.0.80", 80, c, 0, 0x02),
            Tcp("10.0.0.80", 80, "10.0.0.1", clientPort, s, c + 1, 0x12),
            Tcp("10.0.0.1", clientPort, "10.0.0.80", 80, c + 1, s + 1, 0x10),
            Tcp("10.0.0.1", clientPort, "10.0.0.80", 80, c + 1, s + 1, 0x18, request),
            Tcp("10.0.0.80", 80, "10.0.0.1", clientPort, s + 1, c + 1 + (uint)request.Length, 0x18, response),
            Tcp("10.0.0.1", clientPort, "10.0.0.80", 80, c + 1 + (uint)request.Length, s + 1 + (uint)response.Length, 0x11),
            Tcp("10.0.0.80", 80, "10.0.0.1", clientPort, s + 1 + (uint)response.Length, c + 2 + (uint)request.Length, 0x11),
            Tcp("10.0.0.1", clientPort, "10.0.0.80", 80, c + 2 + (uint)request.Length, s + 2 + (uint)response.Length, 0x10),
        };
        return frames.Select((f, i) => new TestPacket(LinkTypes.Ethernet, start + (i * 1_000_000L), (uint)f.Length, f)).ToList();
    }

    private static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, uint seq, uint ack, byte flags, byte[]? payload = null) =>
        Frames.TcpSegment(source, sourcePort, destination, destinationPort, seq, ack, flags, payload);

    private static int Port(TestPacket packet)
    {
        PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
        return !decoded.HasPorts ? -1 : decoded.SourcePort == 80 ? decoded.DestinationPort : decoded.DestinationPort == 80 ? decoded.SourcePort : -1;
    }

    private static (int Packets, string Digest) Digest(IEnumerable<TestPacket> packets) => CaptureFiles.Digest(packets);

    private static List<JsonNode> LedgerEntries(string store) =>
        File.ReadAllLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();

    private static CliResult Run(params string[] args)
    {
        var result = Cli.Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
