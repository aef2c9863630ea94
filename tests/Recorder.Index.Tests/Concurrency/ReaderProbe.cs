using System.Diagnostics;
using System.Globalization;
using Recorder.Core.Query;

namespace Recorder.Index.Tests.Concurrency;

/// <summary>
/// The reader side of <see cref="CrossProcessTests"/>, run in its own process: opens readers in a
/// loop while the parent process adds segments, and checks every time that the reader sees every
/// segment committed before it opened, each exactly as added (segments are regenerated from their id).
/// </summary>
public static class ReaderProbe
{
    public const int SegmentPackets = 300;

    public static int Run(string indexPath, string committedFile, string stopFile, string progressFile)
    {
        var opened = 0;
        var refreshed = 0;
        var checkedSegments = 0;
        var counts = new HashSet<int>();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            while (!File.Exists(stopFile) && stopwatch.Elapsed < TimeSpan.FromMinutes(3))
            {
                var committed = ReadNumber(committedFile);
                using var reader = RocksPacketIndex.OpenReader(indexPath);
                opened++;
                var seen = CheckCatalog(reader, committed, $"reader {opened}");
                counts.Add(seen);
                checkedSegments += CheckSegment(reader, seen);
                checkedSegments += CheckSegment(reader, 1 + (opened % seen));

                var beforeRefresh = ReadNumber(committedFile);
                reader.Refresh();
                refreshed++;
                var afterRefresh = CheckCatalog(reader, beforeRefresh, $"reader {opened} after refresh");
                if (afterRefresh < seen)
                {
                    throw new InvalidOperationException($"reader {opened}: {afterRefresh} segments after refresh, {seen} before");
                }

                checkedSegments += CheckSegment(reader, afterRefresh);
                File.WriteAllText(progressFile + ".tmp", opened.ToString(CultureInfo.InvariantCulture));
                File.Move(progressFile + ".tmp", progressFile, overwrite: true);
            }

            Console.WriteLine($"readers={opened} refreshes={refreshed} segmentsChecked={checkedSegments} distinctCounts={counts.Count} maxSeen={counts.Max()}");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"FAIL after {opened} readers: {e}");
            return 1;
        }
    }

    private static int CheckCatalog(RocksPacketIndex reader, long committed, string who)
    {
        var segments = reader.Segments();
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].SegmentId != i + 1)
            {
                throw new InvalidOperationException($"{who}: catalog has a gap: position {i} holds segment {segments[i].SegmentId}");
            }
        }

        if (segments.Count < committed)
        {
            throw new InvalidOperationException($"{who}: sees {segments.Count} segments, {committed} were committed before it opened");
        }

        return segments.Count;
    }

    private static int CheckSegment(RocksPacketIndex reader, long segmentId)
    {
        var expected = Synthetic.ForId(segmentId, SegmentPackets);
        var read = reader.Read(segmentId) ?? throw new InvalidOperationException($"segment {segmentId} is in the catalog but Read returns nothing");
        var differences = expected.Data.Differences(read);
        if (differences.Count > 0)
        {
            throw new InvalidOperationException($"segment {segmentId} differs: {string.Join("; ", differences)}");
        }

        var query = new PacketQuery { Ports = [443] };
        var found = reader.FindCandidates(query, new HashSet<long> { segmentId }).SingleOrDefault()?.Positions ?? [];
        if (!found.SequenceEqual(expected.FlowLevelAnswer(query)))
        {
            throw new InvalidOperationException($"segment {segmentId}: port 443 candidates differ from what was added");
        }

        return 1;
    }

    private static long ReadNumber(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return long.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture);
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(1);
            }
        }
    }
}
