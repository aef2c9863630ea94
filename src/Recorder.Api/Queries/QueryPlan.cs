using Recorder.Core.Formats;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Storage.Query;

namespace Recorder.Api.Queries;

/// <summary>The result file an attempt writes, chosen from its snapshot of the store before any packet is read.</summary>
/// <param name="Format">Classic nanosecond pcap, or pcapng.</param>
/// <param name="LinkType">The one link type of a pcap result (-1 for pcapng, which names it per interface).</param>
internal sealed record QueryPlan(CaptureFileFormat Format, int LinkType)
{
    /// <summary><c>pcap</c> or <c>pcapng</c>, as the record and the ledger name it.</summary>
    public string FormatName => Format == CaptureFileFormat.Pcap ? "pcap" : "pcapng";

    /// <summary>The result's file name in the query's directory.</summary>
    public string ResultFile => "result." + FormatName;

    /// <summary>
    /// Classic nanosecond pcap when every candidate segment has one link type and fits its 32-bit
    /// seconds; pcapng otherwise, and always pcapng when <paramref name="carriesSecrets"/> (stored key
    /// logs hold secrets the result may carry). The format is fixed before the first packet, because
    /// followers read the result as it grows and their bytes must equal the final file: the command
    /// line's switch to pcapng at the first secret would rewrite what they already have.
    /// </summary>
    public static QueryPlan For(StoreSnapshot snapshot, bool carriesSecrets = false)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (carriesSecrets)
        {
            return new QueryPlan(CaptureFileFormat.Pcapng, -1);
        }

        var linkTypes = snapshot.Sealed.Select(s => s.Manifest.LinkType).Concat(snapshot.Open.Select(o => o.LinkType)).Distinct().ToList();
        var fits = snapshot.Sealed.All(s => s.Manifest.FirstTimestamp.UnixNanoseconds >= 0
            && s.Manifest.LastTimestamp.UnixNanoseconds / Timestamp.NanosPerSecond <= uint.MaxValue);
        return linkTypes.Count <= 1 && fits
            ? new QueryPlan(CaptureFileFormat.Pcap, linkTypes.Count == 1 ? linkTypes[0] : 1)
            : new QueryPlan(CaptureFileFormat.Pcapng, -1);
    }
}

/// <summary>
/// How far a running query has got: the time of the latest packet written within the span of
/// capture time the query can cover (its window, cut to what the snapshot holds; up to now when a
/// capture is still writing).
/// </summary>
internal sealed class ProgressGauge
{
    private readonly long _low;
    private readonly long _high;

    /// <summary>The span <paramref name="query"/> can cover in <paramref name="snapshot"/>, as of <paramref name="clock"/>'s now.</summary>
    public ProgressGauge(StoreSnapshot snapshot, PacketQuery query, TimeProvider clock)
    {
        var now = Timestamp.Now(clock).UnixNanoseconds;
        _low = snapshot.Sealed.Count > 0 ? snapshot.Sealed.Min(s => s.Manifest.FirstTimestamp.UnixNanoseconds) : now;
        _high = snapshot.Sealed.Count > 0 ? snapshot.Sealed.Max(s => s.Manifest.LastTimestamp.UnixNanoseconds) : now;
        if (snapshot.Open.Count > 0)
        {
            _high = Math.Max(_high, now);
        }

        if (query.From is { } from && from.UnixNanoseconds > _low)
        {
            _low = from.UnixNanoseconds;
        }

        if (query.To is { } to && to.UnixNanoseconds < _high)
        {
            _high = to.UnixNanoseconds;
        }
    }

    /// <summary>The progress of <paramref name="writer"/> (nothing yet while it is being opened) with <paramref name="chunks"/> chunks written.</summary>
    public QueryProgress Measure(ChunkedResultWriter? writer, int chunks)
    {
        if (writer is null)
        {
            return new QueryProgress();
        }

        var latest = writer.LatestNanoseconds;
        var fraction = latest is not { } at || _high <= _low ? 0 : Math.Clamp((double)(at - _low) / (_high - _low), 0, 1);
        return new QueryProgress
        {
            Packets = writer.Packets,
            Bytes = writer.Bytes,
            Chunks = chunks,
            Fraction = Math.Round(fraction, 4),
            LatestTimestamp = latest is { } value ? new Timestamp(value).ToString() : null,
        };
    }
}
