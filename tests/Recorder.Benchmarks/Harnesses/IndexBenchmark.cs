using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Index;
using Recorder.Index.Search;

namespace Recorder.Benchmarks.Harnesses;

/// <summary>How <see cref="IndexBenchmark.Run"/> cuts and indexes the capture.</summary>
public sealed record IndexBenchmarkSettings
{
    /// <summary>Segments are sealed before they would exceed this many bytes (the store's default: 256 MiB).</summary>
    public long SegmentBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Index options (compression).</summary>
    public RocksIndexOptions Index { get; init; } = RocksIndexOptions.Default;

    /// <summary>Runs per timed lookup; the median is reported.</summary>
    public int Repetitions { get; init; } = 7;
}

/// <summary>One timed lookup.</summary>
/// <param name="Name">The truth file's name for it.</param>
/// <param name="Query">The query, described.</param>
/// <param name="ExpectedPackets">Packets that truly match (from the truth file).</param>
/// <param name="Candidates">Candidate positions the index returned (never fewer than expected).</param>
/// <param name="FlowRecordsRead">Flow records the search read.</param>
/// <param name="PostingKeysRead">Posting keys the search read.</param>
/// <param name="Median">Median time of <see cref="IPacketIndex.FindCandidates"/> over all segments.</param>
/// <param name="Fastest">Fastest run.</param>
public sealed record LookupFigure(string Name, string Query, long ExpectedPackets, long Candidates, int FlowRecordsRead, int PostingKeysRead, TimeSpan Median, TimeSpan Fastest);

/// <summary>The figures of one benchmark run.</summary>
public sealed record IndexBenchmarkResult
{
    /// <summary>The capture.</summary>
    public required string Capture { get; init; }

    /// <summary>Settings used.</summary>
    public required IndexBenchmarkSettings Settings { get; init; }

    /// <summary>Packets read.</summary>
    public required long Packets { get; init; }

    /// <summary>Flows over all segments (a flow spanning segments counts once per segment).</summary>
    public required long Flows { get; init; }

    /// <summary>Segments sealed.</summary>
    public required int Segments { get; init; }

    /// <summary>Bytes the pcapng segments would occupy.</summary>
    public required long SegmentBytes { get; init; }

    /// <summary>Index directory size after the last writer closed.</summary>
    public required long IndexBytes { get; init; }

    /// <summary>Index directory size after a full manual compaction (the steady state).</summary>
    public required long IndexBytesCompacted { get; init; }

    /// <summary>Table-file bytes per column family after the compaction.</summary>
    public required IReadOnlyDictionary<string, long> ColumnFamilyBytes { get; init; }

    /// <summary>Reading the capture and building every segment's index data (no RocksDB).</summary>
    public required TimeSpan DeriveTime { get; init; }

    /// <summary>All <see cref="IPacketIndexWriter.Add"/> calls together.</summary>
    public required TimeSpan AddTime { get; init; }

    /// <summary>Opening the writer, once per segment as the store does: median.</summary>
    public required TimeSpan WriterOpenMedian { get; init; }

    /// <summary>Opening the writer: slowest.</summary>
    public required TimeSpan WriterOpenMax { get; init; }

    /// <summary>Closing the writer (flush included): median.</summary>
    public required TimeSpan WriterCloseMedian { get; init; }

    /// <summary>Opening a reader on the finished index: median.</summary>
    public required TimeSpan ReaderOpenMedian { get; init; }

    /// <summary>Reading every flow of every segment back (<see cref="IPacketIndex.Read"/>): what a query costs that cannot use the postings.</summary>
    public required TimeSpan FullIndexScan { get; init; }

    /// <summary>Timed lookups: the truth file's needles and its queries the index can narrow.</summary>
    public required IReadOnlyList<LookupFigure> Lookups { get; init; }

    /// <summary>Index bytes per segment byte, after the writer closed.</summary>
    public double IndexRatio => SegmentBytes == 0 ? 0 : (double)IndexBytes / SegmentBytes;

    /// <summary>Index bytes per segment byte, compacted.</summary>
    public double IndexRatioCompacted => SegmentBytes == 0 ? 0 : (double)IndexBytesCompacted / SegmentBytes;

    /// <summary>The figures as text lines.</summary>
    public IEnumerable<string> Lines()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"capture {Capture}: {Packets} packets, {Flows} flows in {Segments} segments of at most {Settings.SegmentBytes} bytes, {SegmentBytes} segment bytes");
        yield return string.Create(c, $"index ({Settings.Index.Compression}): {IndexBytes} bytes = {IndexRatio:P3} of segment bytes; compacted {IndexBytesCompacted} bytes = {IndexRatioCompacted:P3}");
        yield return "column families (table files, compacted): " + string.Join(", ", ColumnFamilyBytes.Select(p => string.Create(c, $"{p.Key} {p.Value}")));
        yield return string.Create(c, $"derive {DeriveTime.TotalSeconds:0.00} s, add {AddTime.TotalSeconds:0.00} s; writer open median {WriterOpenMedian.TotalMilliseconds:0.0} ms (max {WriterOpenMax.TotalMilliseconds:0.0} ms), close median {WriterCloseMedian.TotalMilliseconds:0.0} ms; reader open median {ReaderOpenMedian.TotalMilliseconds:0.0} ms");
        yield return string.Create(c, $"full index scan (every flow of every segment): {FullIndexScan.TotalMilliseconds:0.0} ms");
        foreach (var l in Lookups)
        {
            yield return string.Create(c, $"{l.Name,-26} {l.Query,-44} expected {l.ExpectedPackets,8} candidates {l.Candidates,8}  median {l.Median.TotalMilliseconds,9:0.000} ms (min {l.Fastest.TotalMilliseconds:0.000}), {l.FlowRecordsRead} flow records, {l.PostingKeysRead} posting keys");
        }
    }
}

/// <summary>
/// Measures the index on a capture: cuts it into pcapng segments as the store would (block offsets
/// computed with <see cref="PcapngBlocks.EnhancedPacketSize"/>, nothing written but the index),
/// indexes them with a writer opened per segment, and times lookups from the capture's
/// <c>*.truth.json</c> (written by ../shared/corpus/gen/make-large.sh) when it is there.
/// </summary>
public static class IndexBenchmark
{
    /// <summary>Runs the measurement; <paramref name="workDirectory"/> receives the index (deleted first if present).</summary>
    public static IndexBenchmarkResult Run(string capturePath, string workDirectory, IndexBenchmarkSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(capturePath);
        ArgumentException.ThrowIfNullOrEmpty(workDirectory);
        settings ??= new IndexBenchmarkSettings();
        var indexPath = Path.Combine(workDirectory, "index");
        if (Directory.Exists(indexPath))
        {
            Directory.Delete(indexPath, recursive: true);
        }

        Directory.CreateDirectory(workDirectory);
        var opens = new List<TimeSpan>();
        var closes = new List<TimeSpan>();
        var derive = new Stopwatch();
        var add = new Stopwatch();
        long packets = 0;
        long flows = 0;
        long segmentBytes = 0;
        var segmentIds = new HashSet<long>();

        void Seal(SegmentInProgress segment)
        {
            derive.Start();
            var (indexed, data) = segment.Finish(segmentIds.Count + 1);
            derive.Stop();
            var open = Stopwatch.StartNew();
            var writer = RocksPacketIndex.OpenWriter(indexPath, settings.Index);
            opens.Add(open.Elapsed);
            add.Start();
            writer.Add(indexed, data);
            add.Stop();
            var close = Stopwatch.StartNew();
            writer.Dispose();
            closes.Add(close.Elapsed);
            segmentIds.Add(indexed.SegmentId);
            flows += data.Flows.Count;
            segmentBytes += indexed.FileBytes;
        }

        derive.Start();
        using (var reader = CaptureFileReader.Open(capturePath))
        {
            var segment = new SegmentInProgress();
            while (reader.TryRead(out var packet))
            {
                var size = PcapngBlocks.EnhancedPacketSize(packet.Data.Length);
                if (segment.Packets > 0 && segment.Offset + size > settings.SegmentBytes)
                {
                    derive.Stop();
                    Seal(segment);
                    derive.Start();
                    segment = new SegmentInProgress();
                }

                segment.Add(packet);
                packets++;
            }

            derive.Stop();
            if (segment.Packets > 0)
            {
                Seal(segment);
            }
        }

        long indexBytes;
        TimeSpan readerOpen;
        TimeSpan fullScan;
        List<LookupFigure> lookups;
        using (var writer = RocksPacketIndex.OpenWriter(indexPath, settings.Index))
        {
            indexBytes = writer.SizeOnDisk();
        }

        using (var writer = RocksPacketIndex.OpenWriter(indexPath, settings.Index))
        {
            writer.CompactAll();
        }

        var readerOpens = new List<TimeSpan>();
        for (var i = 0; i < settings.Repetitions; i++)
        {
            var open = Stopwatch.StartNew();
            using var probe = RocksPacketIndex.OpenReader(indexPath);
            readerOpens.Add(open.Elapsed);
        }

        readerOpen = Median(readerOpens);
        long compacted;
        IReadOnlyDictionary<string, long> families;
        using (var index = RocksPacketIndex.OpenReader(indexPath))
        {
            compacted = index.SizeOnDisk();
            families = index.ColumnFamilySizes();
            var scan = Stopwatch.StartNew();
            foreach (var id in segmentIds)
            {
                _ = index.Read(id);
            }

            fullScan = scan.Elapsed;
            lookups = TimeLookups(index, capturePath, segmentIds, settings.Repetitions);
        }

        return new IndexBenchmarkResult
        {
            Capture = capturePath,
            Settings = settings,
            Packets = packets,
            Flows = flows,
            Segments = segmentIds.Count,
            SegmentBytes = segmentBytes,
            IndexBytes = indexBytes,
            IndexBytesCompacted = compacted,
            ColumnFamilyBytes = families,
            DeriveTime = derive.Elapsed,
            AddTime = add.Elapsed,
            WriterOpenMedian = Median(opens),
            WriterOpenMax = opens.Count == 0 ? TimeSpan.Zero : opens.Max(),
            WriterCloseMedian = Median(closes),
            ReaderOpenMedian = readerOpen,
            FullIndexScan = fullScan,
            Lookups = lookups,
        };
    }

    private static List<LookupFigure> TimeLookups(RocksPacketIndex index, string capturePath, HashSet<long> segmentIds, int repetitions)
    {
        var figures = new List<LookupFigure>();
        var truthPath = Path.ChangeExtension(capturePath, null) + ".truth.json";
        if (!File.Exists(truthPath))
        {
            return figures;
        }

        using var truth = JsonDocument.Parse(File.ReadAllBytes(truthPath));
        var cases = new List<(string Name, PacketQuery Query, long Expected)>();
        foreach (var needle in truth.RootElement.GetProperty("needles").EnumerateArray())
        {
            if (TryTranslate(needle.GetProperty("bpf_simple").GetString() ?? string.Empty, out var query))
            {
                cases.Add((needle.GetProperty("name").GetString()!, query, needle.GetProperty("packets").GetInt64()));
            }
        }

        foreach (var entry in truth.RootElement.GetProperty("queries").EnumerateArray())
        {
            if (TryTranslate(entry.GetProperty("bpf").GetString() ?? string.Empty, out var query) && query.HasFlowConditions)
            {
                if (entry.TryGetProperty("start_epoch", out var start) && start.ValueKind == JsonValueKind.Number)
                {
                    query = query with
                    {
                        From = Timestamp.FromSeconds(start.GetInt64()),
                        To = Timestamp.FromSeconds(entry.GetProperty("end_epoch").GetInt64()),
                    };
                }

                cases.Add((entry.GetProperty("name").GetString()!, query, entry.GetProperty("packets").GetInt64()));
            }
        }

        foreach (var (name, query, expected) in cases)
        {
            var times = new List<TimeSpan>();
            long candidates = 0;
            SearchStatistics statistics = default;
            for (var i = 0; i < repetitions; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                var result = index.FindCandidates(query, segmentIds, out statistics);
                times.Add(stopwatch.Elapsed);
                candidates = result.Sum(r => (long)r.Positions.Count);
            }

            figures.Add(new LookupFigure(name, query.Describe(), expected, candidates, statistics.FlowRecords, statistics.PostingKeys, Median(times), times.Min()));
        }

        return figures;
    }

    /// <summary>Translates the BPF forms the truth file uses: <c>host A</c>, <c>port N</c>, <c>tcp|udp|icmp|icmp6</c>, joined by <c>and</c>.</summary>
    internal static bool TryTranslate(string bpf, out PacketQuery query)
    {
        query = new PacketQuery();
        var words = bpf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "and":
                    break;
                case "host" when i + 1 < words.Length && IPAddress.TryParse(words[i + 1], out var address):
                    var value = IpAddress128.From(address);
                    var v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
                    query = query with { Hosts = [.. query.Hosts, new IpNetwork(value, value, v4, v4 ? 32 : 128)] };
                    i++;
                    break;
                case "port" when i + 1 < words.Length && ushort.TryParse(words[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port):
                    query = query with { Ports = [.. query.Ports, port] };
                    i++;
                    break;
                case "tcp" or "udp" or "icmp" or "icmp6":
                    var protocol = words[i] switch { "tcp" => Protocols.Tcp, "udp" => Protocols.Udp, "icmp" => Protocols.Icmp, _ => Protocols.Icmp6 };
                    query = query with { Protocols = [.. query.Protocols, protocol] };
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static TimeSpan Median(List<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>A segment being cut: its block offsets as a pcapng writer would lay them out.</summary>
    private sealed class SegmentInProgress
    {
        private readonly SegmentIndexBuilder _builder = new();
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly HashSet<int> _interfaces = [];
        private long _first = long.MaxValue;
        private long _last = long.MinValue;

        public long Offset { get; private set; } = PcapngBlocks.SectionHeader("Recorder").Length;

        public long Packets { get; private set; }

        public void Add(in CapturedPacket packet)
        {
            if (_interfaces.Add(packet.InterfaceIndex))
            {
                Offset += PcapngBlocks.InterfaceDescription(packet.Interface with { TimestampResolution = TimestampResolution.Nanoseconds }, CaptureFileReader.MaxRecordLength).Length;
            }

            var key = PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded) ? decoded.ToFlowKey() : FlowKey.Other;
            var size = PcapngBlocks.EnhancedPacketSize(packet.Data.Length);
            _builder.Add(key, Offset, Offset + size, packet.TimestampNanoseconds, packet.Data.Length);
            _hash.AppendData(packet.Data);
            _first = Math.Min(_first, packet.TimestampNanoseconds);
            _last = Math.Max(_last, packet.TimestampNanoseconds);
            Offset += size;
            Packets++;
        }

        /// <summary>
        /// The catalog entry and index data. There is no manifest here: the SHA-256 of the packet
        /// data stands in for the manifest hash (same size, same cost).
        /// </summary>
        public (IndexedSegment Segment, SegmentIndexData Data) Finish(long segmentId)
        {
            var data = _builder.Build();
            var hash = Convert.ToHexStringLower(_hash.GetHashAndReset());
            _hash.Dispose();
            return (new IndexedSegment(segmentId, _first, _last, Packets, Offset, hash), data);
        }
    }
}
