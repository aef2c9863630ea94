using System.Buffers.Binary;
using Recorder.Core.Indexing;
using Recorder.Core.Query;
using Recorder.Index.Format;
using Recorder.Index.Rocks;
using Recorder.Index.Storage;

namespace Recorder.Index.Search;

/// <summary>
/// Finds the candidate positions of a query with host, port or protocol conditions.
/// </summary>
/// <remarks>
/// Each condition kind is a set of key ranges in its posting column family (a CIDR block is one
/// range of <c>hosts</c>). Kinds are read most selective first; each later kind is read only in the
/// segments the earlier ones left, and not at all once few flows remain, because every candidate flow
/// is checked against the whole query anyway (<see cref="PacketQuery.MatchesFlow"/>, its time span).
/// The work therefore follows the postings that match, never the number of segments or flows stored.
/// </remarks>
internal sealed class CandidateSearch(ReadScope scope)
{
    private int _postingKeys;
    private int _seeks;
    private int _flowRecords;
    private int _segments;

    /// <summary>Candidate flows below which further condition kinds are checked on the flow records instead of read.</summary>
    internal const int CheckOnRecordsBelow = 256;

    /// <summary>Host conditions covering at most this many addresses are read before ports and protocols.</summary>
    private static readonly UInt128 NarrowHostWidth = 65_536;

    private readonly IndexDatabase _db = scope.Database;

    /// <summary>What the last <see cref="Find"/> read: the evidence that its cost follows the answer.</summary>
    public SearchStatistics Statistics => new(_postingKeys, _seeks, _flowRecords, _segments);

    public List<SegmentCandidates> Find(PacketQuery query, long[] segments)
    {
        Dictionary<long, List<int>>? current = null;
        foreach (var condition in Plan(query))
        {
            if (current is not null && CountFlows(current) < CheckOnRecordsBelow)
            {
                break;
            }

            var scanSegments = current is null ? segments : [.. current.Keys.Order()];
            var found = new Dictionary<long, List<int>>();
            foreach (var (low, high) in condition.Ranges)
            {
                ScanPostings(condition.Family, low, high, scanSegments, found);
            }

            foreach (var list in found.Values)
            {
                SortDistinct(list);
            }

            current = current is null ? found : Intersect(current, found);
            if (current.Count == 0)
            {
                return [];
            }
        }

        var results = new List<SegmentCandidates>();
        foreach (var segmentId in (current ?? []).Keys.Order())
        {
            var candidates = ReadFlows(query, segmentId, current![segmentId]);
            if (candidates is not null)
            {
                results.Add(candidates);
            }
        }

        return results;
    }

    private List<Condition> Plan(PacketQuery query)
    {
        var conditions = new List<Condition>();
        Condition? wideHosts = null;
        if (query.Hosts.Count > 0)
        {
            var ranges = MergeRanges(query.Hosts.Select(h => (h.First, h.Last)));
            var width = UInt128.Zero;
            foreach (var (first, last) in ranges)
            {
                // last - first + 1 addresses, saturating at the threshold (a /0 would overflow).
                var span = last - first;
                width = span >= NarrowHostWidth || width + span + 1 >= NarrowHostWidth ? NarrowHostWidth : width + span + 1;
            }

            var hosts = new Condition(_db.Hosts, ranges.Select(r => (IndexLayout.AddressValue(r.First), IndexLayout.AddressValue(r.Last))).ToList());
            if (width < NarrowHostWidth)
            {
                conditions.Add(hosts);
            }
            else
            {
                wideHosts = hosts;
            }
        }

        if (query.Ports.Count > 0)
        {
            conditions.Add(new Condition(_db.Ports,
                query.Ports.Distinct().Order().Select(p => (IndexLayout.PortValue(p), IndexLayout.PortValue(p))).ToList()));
        }

        if (query.Protocols.Count > 0)
        {
            conditions.Add(new Condition(_db.Protocols,
                query.Protocols.Distinct().Order().Select(p => (new[] { p }, new[] { p })).ToList()));
        }

        if (wideHosts is not null)
        {
            conditions.Add(wideHosts);
        }

        return conditions;
    }

    /// <summary>
    /// Reads the postings whose value lies in <c>[low, high]</c> and whose segment is one of
    /// <paramref name="segments"/> (ascending). Keys are <c>value ‖ segment</c>; when a key's segment
    /// is not wanted the iterator jumps to the next wanted segment of the same value, or to the next
    /// value, so unwanted segments cost one seek per value at most.
    /// </summary>
    private void ScanPostings(RocksColumnFamily family, byte[] low, byte[] high, long[] segments, Dictionary<long, List<int>> found)
    {
        if (segments.Length == 0)
        {
            return;
        }

        var valueLength = low.Length;
        var lower = IndexLayout.PostingKey(low, segments[0]);
        // high ‖ last segment ‖ 0x00 sorts just after the last wanted key: an exclusive bound.
        var upper = new byte[valueLength + IndexLayout.SegmentKeyLength + 1];
        IndexLayout.PostingKey(high, segments[^1]).CopyTo(upper, 0);
        using var iterator = scope.Iterator(family, lower, upper, totalOrder: true);
        var target = (byte[])lower.Clone();
        iterator.Seek(target);
        _seeks++;
        while (iterator.Valid)
        {
            var key = iterator.Key;
            if (key.Length != valueLength + IndexLayout.SegmentKeyLength)
            {
                throw new IndexCorruptException(FamilyName(family), key, $"posting key of {key.Length} bytes, {valueLength + 8} expected");
            }

            var segmentId = BinaryPrimitives.ReadInt64BigEndian(key[valueLength..]);
            var index = Array.BinarySearch(segments, segmentId);
            if (index >= 0)
            {
                _postingKeys++;
                if (!found.TryGetValue(segmentId, out var list))
                {
                    list = [];
                    found.Add(segmentId, list);
                }

                try
                {
                    OrdinalList.Decode(iterator.Value, list);
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new IndexCorruptException(FamilyName(family), key, e.Message, e);
                }

                iterator.Next();
                continue;
            }

            var next = ~index;
            key[..valueLength].CopyTo(target);
            if (next < segments.Length)
            {
                BinaryPrimitives.WriteInt64BigEndian(target.AsSpan(valueLength), segments[next]);
            }
            else
            {
                if (!Increment(target.AsSpan(0, valueLength)))
                {
                    break;
                }

                BinaryPrimitives.WriteInt64BigEndian(target.AsSpan(valueLength), segments[0]);
            }

            iterator.Seek(target);
            _seeks++;
        }
    }

    private SegmentCandidates? ReadFlows(PacketQuery query, long segmentId, List<int> ordinals)
    {
        var record = scope.Segment(segmentId)
            ?? throw new IndexCorruptException(IndexLayout.Catalog, IndexLayout.SegmentKey(segmentId),
                "postings name this segment but the catalog has no entry for it");
        _segments++;
        var firstNanoseconds = record.Segment.FirstNanoseconds;
        var windowed = query.From is not null || query.To is not null;
        var chunks = windowed ? scope.Chunks(segmentId) : [];
        var lists = new List<long[]>();
        var lower = IndexLayout.FlowKey(segmentId, 0);
        using var iterator = scope.Iterator(_db.Flows, lower, ReadScope.SegmentUpperBound(segmentId), totalOrder: false);
        var previous = -2;
        foreach (var ordinal in ordinals)
        {
            var key = IndexLayout.FlowKey(segmentId, ordinal);
            if (ordinal == previous + 1 && iterator.Valid)
            {
                iterator.Next();
            }
            else
            {
                iterator.Seek(key);
            }

            previous = ordinal;
            if (!iterator.Valid || !iterator.Key.SequenceEqual(key))
            {
                throw new IndexCorruptException(IndexLayout.Flows, key, "a posting names this flow but it has no record");
            }

            var value = iterator.Value;
            _flowRecords++;
            var header = ReadScope.DecodeFlow(key, value, firstNanoseconds);
            if (!query.MatchesFlow(header.Key) || !query.Overlaps(header.FirstNanoseconds, header.LastNanoseconds))
            {
                continue;
            }

            var positions = scope.DecodePositions(segmentId, ordinal, header, value);
            if (chunks.Length > 0)
            {
                positions = InWindowChunks(query, chunks, positions);
            }

            if (positions.Length > 0)
            {
                lists.Add(positions);
            }
        }

        if (lists.Count == 0)
        {
            return null;
        }

        var merged = Merge(lists);
        return new SegmentCandidates(segmentId, merged, merged.Length);
    }

    /// <summary>Drops positions that lie in a time chunk entirely outside the query's window.</summary>
    private static long[] InWindowChunks(PacketQuery query, TimeChunk[] chunks, long[] positions)
    {
        var kept = new List<long>(positions.Length);
        var c = 0;
        foreach (var position in positions)
        {
            while (c < chunks.Length - 1 && chunks[c + 1].Offset <= position)
            {
                c++;
            }

            var chunk = chunks[c];
            var inside = position >= chunk.Offset && position < chunk.EndOffset;
            if (!inside || query.Overlaps(chunk.MinNanoseconds, chunk.MaxNanoseconds))
            {
                kept.Add(position);
            }
        }

        return kept.Count == positions.Length ? positions : [.. kept];
    }

    /// <summary>Merges ascending lists into one ascending list without repeats.</summary>
    internal static long[] Merge(List<long[]> lists)
    {
        if (lists.Count == 1)
        {
            return Distinct(lists[0]);
        }

        var total = 0;
        foreach (var list in lists)
        {
            total = checked(total + list.Length);
        }

        var result = new long[total];
        var count = 0;
        var heads = new int[lists.Count];
        var queue = new PriorityQueue<int, long>(lists.Count);
        for (var i = 0; i < lists.Count; i++)
        {
            queue.Enqueue(i, lists[i][0]);
        }

        while (queue.TryDequeue(out var i, out var value))
        {
            if (count == 0 || result[count - 1] != value)
            {
                result[count++] = value;
            }

            if (++heads[i] < lists[i].Length)
            {
                queue.Enqueue(i, lists[i][heads[i]]);
            }
        }

        return count == result.Length ? result : result.AsSpan(0, count).ToArray();
    }

    private static long[] Distinct(long[] ascending)
    {
        var count = 0;
        for (var i = 0; i < ascending.Length; i++)
        {
            if (i == 0 || ascending[i] != ascending[i - 1])
            {
                count++;
            }
        }

        if (count == ascending.Length)
        {
            return ascending;
        }

        var result = new long[count];
        var n = 0;
        for (var i = 0; i < ascending.Length; i++)
        {
            if (i == 0 || ascending[i] != ascending[i - 1])
            {
                result[n++] = ascending[i];
            }
        }

        return result;
    }

    private static List<(UInt128 First, UInt128 Last)> MergeRanges(IEnumerable<(UInt128 First, UInt128 Last)> ranges)
    {
        var merged = new List<(UInt128 First, UInt128 Last)>();
        foreach (var (first, last) in ranges.OrderBy(r => r.First))
        {
            if (merged.Count > 0 && (merged[^1].Last == UInt128.MaxValue || first <= merged[^1].Last + 1))
            {
                if (last > merged[^1].Last)
                {
                    merged[^1] = (merged[^1].First, last);
                }
            }
            else
            {
                merged.Add((first, last));
            }
        }

        return merged;
    }

    private static Dictionary<long, List<int>> Intersect(Dictionary<long, List<int>> a, Dictionary<long, List<int>> b)
    {
        var result = new Dictionary<long, List<int>>();
        foreach (var (segmentId, left) in a)
        {
            if (!b.TryGetValue(segmentId, out var right))
            {
                continue;
            }

            var both = new List<int>(Math.Min(left.Count, right.Count));
            int i = 0, j = 0;
            while (i < left.Count && j < right.Count)
            {
                if (left[i] < right[j])
                {
                    i++;
                }
                else if (left[i] > right[j])
                {
                    j++;
                }
                else
                {
                    both.Add(left[i]);
                    i++;
                    j++;
                }
            }

            if (both.Count > 0)
            {
                result.Add(segmentId, both);
            }
        }

        return result;
    }

    private static void SortDistinct(List<int> list)
    {
        list.Sort();
        var n = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (i == 0 || list[i] != list[n - 1])
            {
                list[n++] = list[i];
            }
        }

        list.RemoveRange(n, list.Count - n);
    }

    private static long CountFlows(Dictionary<long, List<int>> sets)
    {
        long count = 0;
        foreach (var list in sets.Values)
        {
            count += list.Count;
        }

        return count;
    }

    /// <summary>Adds one to a big-endian number; false when it was all 0xFF.</summary>
    private static bool Increment(Span<byte> value)
    {
        for (var i = value.Length - 1; i >= 0; i--)
        {
            unchecked
            {
                value[i]++;
            }

            if (value[i] != 0)
            {
                return true;
            }
        }

        return false;
    }

    private string FamilyName(RocksColumnFamily family) =>
        family == _db.Hosts ? IndexLayout.Hosts : family == _db.Ports ? IndexLayout.Ports : IndexLayout.Protocols;

    private sealed record Condition(RocksColumnFamily Family, List<(byte[] Low, byte[] High)> Ranges);
}

/// <summary>Work done by one candidate search.</summary>
/// <param name="PostingKeys">Posting keys read (one per value and segment).</param>
/// <param name="Seeks">Iterator seeks in the posting column families.</param>
/// <param name="FlowRecords">Flow records read and checked against the query.</param>
/// <param name="Segments">Segments whose flows were read.</param>
internal readonly record struct SearchStatistics(int PostingKeys, int Seeks, int FlowRecords, int Segments);
