using CsCheck;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Storage.Query;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Query;

public sealed class QueryTests : IDisposable
{
    private readonly TestStore _store = new(new StoreOptions { SegmentMaxBytes = 96 * 1024 });
    private readonly List<TestPacket> _packets = Traffic.Mixed(3000, seed: 7);

    public QueryTests()
    {
        // Two imports so that segments of different imports overlap nothing and chain.
        _store.Import(_store.WriteCapture("a.pcap", _packets.Take(1800)));
        _store.Import(_store.WriteCapture("b.pcapng", _packets.Skip(1800), Core.Formats.CaptureFileFormat.Pcapng));
    }

    private static readonly string[] HostChoices = ["10.0.0.1", "10.0.0.2", "10.0.1.0/24", "10.0.0.0/16", "203.0.113.11", "192.168.5.9", "2001:db8::1", "2001:db8::/32", "10.99.0.1"];
    private static readonly string[] PortChoices = ["80", "443", "53", "1030", "9999"];
    private static readonly string[] ProtocolChoices = ["tcp", "udp", "icmp", "icmp6", "6"];

    [Fact]
    public void Query_AnyCombinationOfConditions_ReturnsExactlyTheBruteForceAnswer()
    {
        var windowGen = Gen.Int[0, 3000].Select(Gen.Int[1, 3000]).Select(w => (From: Math.Min(w.Item1, w.Item2), To: Math.Max(w.Item1, w.Item2) + 1));
        var gen = Gen.Select(
            Gen.Int[0, HostChoices.Length - 1].Array[0, 2],
            Gen.Int[0, PortChoices.Length - 1].Array[0, 2],
            Gen.Int[0, ProtocolChoices.Length - 1].Array[0, 1],
            windowGen.Array[0, 1]);
        gen.Sample(t =>
        {
            var text = new QueryText
            {
                Hosts = t.Item1.Select(i => HostChoices[i]).ToList(),
                Ports = t.Item2.Select(i => PortChoices[i]).ToList(),
                Protocols = t.Item3.Select(i => ProtocolChoices[i]).ToList(),
                From = t.Item4.Length == 0 ? null : new Timestamp(Traffic.Start + (t.Item4[0].From * 1_000_000L)).ToString(),
                To = t.Item4.Length == 0 ? null : new Timestamp(Traffic.Start + (t.Item4[0].To * 1_000_000L)).ToString(),
            };
            var query = QueryParser.Parse(text).Query!;

            var answer = _store.QueryPackets(query);

            var expected = _packets.Where(p => Matches(query, p)).ToList();
            Assert.Equal(CaptureFiles.Digest(expected), CaptureFiles.Digest(answer));
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void Query_WithoutTheIndex_GivesTheSameAnswerByReadingSegmentsInFull()
    {
        var query = QueryParser.Parse(new QueryText { Hosts = ["10.0.1.0/24"], Ports = ["443"] }).Query!;
        var withIndex = _store.Query(query);

        Directory.Delete(_store.Store.Layout.IndexDirectory, recursive: true);
        var withoutIndex = _store.Query(query);

        Assert.True(withIndex.Run.SegmentsFromIndex > 0);
        Assert.Equal(0, withoutIndex.Run.SegmentsFromIndex);
        Assert.Equal(withIndex.Run.SegmentsConsidered.Count, withoutIndex.Run.SegmentsScanned);
        Assert.Equal(withIndex.Output.Sha256, withoutIndex.Output.Sha256);
    }

    [Fact]
    public void Query_Needle_ReadsOnlyItsOwnPackets()
    {
        var query = QueryParser.Parse(new QueryText { Hosts = ["203.0.113.11"], Ports = ["443"] }).Query!;

        var (output, run) = _store.Query(query);

        Assert.True(output.Packets > 0);
        Assert.Equal(output.Packets, run.PacketsExamined);
    }

    [Fact]
    public void Query_Window_IsHalfOpen()
    {
        var at = _packets[100].Nanoseconds;
        var query = new PacketQuery { From = new Timestamp(at), To = new Timestamp(at + 1) };

        var answer = _store.QueryPackets(query);

        Assert.Single(answer);
        Assert.Equal(at, answer[0].Nanoseconds);
        Assert.Empty(_store.QueryPackets(new PacketQuery { From = new Timestamp(at + 1), To = new Timestamp(_packets[101].Nanoseconds) }));
    }

    [SkippableFact]
    public void Query_Bpf_SelectsWhatTcpdumpSelects()
    {
        var tcpdump = ExternalTools.Require("tcpdump", "tcpdump");
        Skip.IfNot(Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
        const string expression = "tcp[tcpflags] & tcp-push != 0 and greater 100 and not net 192.168.0.0/16";
        var all = _store.Query(PacketQuery.All).Output.Path;
        var reference = _store.File("reference.pcap");
        var (code, _, error) = ExternalTools.Run(tcpdump, ["--time-stamp-precision=nano", "-r", all, "-w", reference, expression]);
        Assert.True(code == 0, error);

        var answer = _store.QueryPackets(new PacketQuery { Bpf = expression, Hosts = QueryParser.Parse(new QueryText { Hosts = ["10.0.0.0/8"] }).Query!.Hosts });

        var expected = CaptureFiles.Read(reference).Where(p => Matches(QueryParser.Parse(new QueryText { Hosts = ["10.0.0.0/8"] }).Query!, p)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(CaptureFiles.Digest(expected), CaptureFiles.Digest(answer));
    }

    [Fact]
    public void Query_OutOfOrderTimestampsInOneSegment_KeepTheFileOrder()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(50);
        (packets[10], packets[11]) = (packets[11], packets[10]);
        store.Import(store.WriteCapture("unordered.pcap", packets));

        Assert.Equal(CaptureFiles.Digest(packets), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
    }

    [Fact]
    public void AKeptOpenIndexReader_AnswersFromTheIndex_ForSegmentsSealedAfterItOpened()
    {
        // A running service keeps one reader open and catches it up only when the store holds a
        // segment its view lacks: a later import must be answered through the index, not scanned.
        using var store = new TestStore(new StoreOptions { SegmentMaxBytes = 96 * 1024 });
        var first = Traffic.Mixed(1500, seed: 11);
        var second = Traffic.Mixed(1500, seed: 12).Select(p => p with { Nanoseconds = p.Nanoseconds + 3_600_000_000_000 }).ToList();
        store.Import(store.WriteCapture("first.pcap", first));
        using var index = store.Store.OpenIndexReader();
        var executor = new QueryExecutor(store.Store, null, index);
        var query = QueryParser.Parse(new QueryText { Hosts = ["10.0.1.0/24"], Ports = ["443"] }).Query!;
        RunAndCheck(first);

        store.Import(store.WriteCapture("second.pcap", second));
        RunAndCheck([.. first, .. second]);

        void RunAndCheck(List<TestPacket> all)
        {
            var path = store.File($"kept-{Guid.NewGuid():N}.pcap");
            QueryRun run;
            using (var output = new CaptureFileOutput(path, false, "tests"))
            {
                var segments = executor.Snapshot(query);
                run = executor.Execute(query, segments, output);
                output.Complete();
                Assert.Equal(segments.Segments.Count, run.SegmentsFromIndex);
            }

            Assert.Equal(0, run.SegmentsScanned);
            Assert.Null(run.IndexProblem);
            var expected = all.Where(p => Matches(query, p)).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(CaptureFiles.Digest(expected), CaptureFiles.Digest(CaptureFiles.Read(path)));
        }
    }

    private static bool Matches(PacketQuery query, TestPacket packet)
    {
        PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
        return query.InWindow(packet.Nanoseconds) && query.MatchesFlowConditions(decoded);
    }

    public void Dispose() => _store.Dispose();
}
