namespace Recorder.Api.Traffic;

/// <summary>Packets known to lie between two times (a time chunk of the index, or a whole segment).</summary>
/// <param name="FirstNanoseconds">The earliest packet's time.</param>
/// <param name="LastNanoseconds">The latest packet's time.</param>
/// <param name="Packets">How many packets.</param>
public readonly record struct TrafficSpan(long FirstNanoseconds, long LastNanoseconds, long Packets);

/// <summary>
/// Packets per bucket of time from spans whose packets' individual times are not read: each span's
/// packets are spread evenly over its time range (a chunk of the index covers one megabyte of a
/// segment, usually well under a minute of traffic, so per-minute figures are close). Whole packets
/// are apportioned, so the buckets of a window that holds a span whole add up to its packets exactly.
/// </summary>
public static class TrafficHistogram
{
    /// <summary>Packets in each of the buckets of <paramref name="bucketNanoseconds"/> from <paramref name="fromNanoseconds"/> up to <paramref name="toNanoseconds"/> (exclusive).</summary>
    public static long[] Count(IEnumerable<TrafficSpan> spans, long fromNanoseconds, long toNanoseconds, long bucketNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucketNanoseconds, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(toNanoseconds, fromNanoseconds);
        var buckets = new long[(int)((toNanoseconds - fromNanoseconds + bucketNanoseconds - 1) / bucketNanoseconds)];
        foreach (var span in spans)
        {
            if (span.Packets <= 0 || span.LastNanoseconds < fromNanoseconds || span.FirstNanoseconds >= toNanoseconds)
            {
                continue;
            }

            // The span as a half-open range [first, last + 1) of nanoseconds; packets are placed in
            // proportion to how much of it each bucket covers, rounding cumulatively so none is lost.
            var first = span.FirstNanoseconds;
            var length = (double)(span.LastNanoseconds - first + 1);
            var placed = first < fromNanoseconds ? Share(span.Packets, fromNanoseconds - first, length) : 0L;
            var index = first < fromNanoseconds ? 0 : (int)((first - fromNanoseconds) / bucketNanoseconds);
            for (; index < buckets.Length; index++)
            {
                var bucketEnd = fromNanoseconds + ((index + 1) * bucketNanoseconds);
                var upTo = Share(span.Packets, Math.Min(bucketEnd, span.LastNanoseconds + 1) - first, length);
                buckets[index] += upTo - placed;
                placed = upTo;
                if (bucketEnd > span.LastNanoseconds)
                {
                    break;
                }
            }
        }

        return buckets;
    }

    private static long Share(long packets, long covered, double length) =>
        (long)Math.Round(packets * (covered / length), MidpointRounding.AwayFromZero);
}
