using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Time;
using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>
/// Reads evidence files once and counts what a report summarises: packets and bytes per host, port
/// and protocol, the time span, and a time series in round buckets (at most ~240 of them).
/// </summary>
public sealed class TrafficCounter
{
    private static readonly long[] BucketWidths =
    [
        1_000_000_000L, 5_000_000_000L, 10_000_000_000L, 30_000_000_000L, 60_000_000_000L, 300_000_000_000L,
        600_000_000_000L, 1_800_000_000_000L, 3_600_000_000_000L, 21_600_000_000_000L, 86_400_000_000_000L, 604_800_000_000_000L,
    ];

    private readonly Dictionary<(bool V4, UInt128 Address), (long Packets, long Bytes)> _hosts = [];
    private readonly Dictionary<(string Transport, int Port), (long Packets, long Bytes)> _ports = [];
    private readonly Dictionary<string, (long Packets, long Bytes)> _protocols = [];
    private readonly Dictionary<long, (long Packets, long Bytes)> _seconds = [];

    /// <summary>Packets counted.</summary>
    public long Packets { get; private set; }

    /// <summary>Their original bytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>The earliest packet's time (nanoseconds since the epoch).</summary>
    public long First { get; private set; } = long.MaxValue;

    /// <summary>The latest packet's time (nanoseconds since the epoch).</summary>
    public long Last { get; private set; } = long.MinValue;

    /// <summary>Counts one file; returns its packets, first/last time and link types.</summary>
    public (long Packets, long First, long Last, IReadOnlyList<int> LinkTypes) Add(string path)
    {
        using var reader = CaptureFileReader.Open(path);
        var linkTypes = new SortedSet<int>();
        long packets = 0, first = long.MaxValue, last = long.MinValue;
        while (reader.TryRead(out var packet))
        {
            packets++;
            linkTypes.Add(packet.LinkType);
            var length = (int)packet.OriginalLength;
            first = Math.Min(first, packet.TimestampNanoseconds);
            last = Math.Max(last, packet.TimestampNanoseconds);
            Count(packet.LinkType, packet.Data, packet.TimestampNanoseconds, length);
        }

        return (packets, first, last, linkTypes.ToList());
    }

    /// <summary>What was counted, hosts and ports ordered by packets (at least 50 of each kept).</summary>
    public TrafficSummary Summary(int top)
    {
        var hosts = _hosts.OrderByDescending(h => h.Value.Packets).ThenBy(h => h.Key.Address)
            .Select(h => new HostTraffic(IpAddress128.Format(h.Key.Address, h.Key.V4), h.Value.Packets, h.Value.Bytes)).ToList();
        var ports = _ports.OrderByDescending(p => p.Value.Packets).ThenBy(p => p.Key.Port)
            .Select(p => new PortTraffic(p.Key.Transport, p.Key.Port, p.Value.Packets, p.Value.Bytes)).ToList();
        var protocols = _protocols.OrderByDescending(p => p.Value.Packets)
            .Select(p => new ProtocolTraffic(p.Key, p.Value.Packets, p.Value.Bytes)).ToList();
        return new TrafficSummary
        {
            Packets = Packets,
            Bytes = Bytes,
            First = Packets == 0 ? null : new Timestamp(First),
            Last = Packets == 0 ? null : new Timestamp(Last),
            Hosts = hosts.Take(Math.Max(top * 5, 50)).ToList(),
            Ports = ports.Take(Math.Max(top * 5, 50)).ToList(),
            Protocols = protocols,
            Series = Series(),
        };
    }

    private TrafficSeries Series()
    {
        if (Packets == 0)
        {
            return new TrafficSeries(new Timestamp(0), BucketWidths[0], []);
        }

        var span = Last - First;
        var width = BucketWidths.FirstOrDefault(w => span / w < 240, BucketWidths[^1]);
        var start = First - (First % width);
        var buckets = new (long Packets, long Bytes)[(int)((Last - start) / width) + 1];
        foreach (var (second, counts) in _seconds)
        {
            var index = (int)(Math.Max(0, (second * 1_000_000_000L) - start) / width);
            buckets[index].Packets += counts.Packets;
            buckets[index].Bytes += counts.Bytes;
        }

        return new TrafficSeries(new Timestamp(start), width, buckets.Select(b => new TrafficBucket(b.Packets, b.Bytes)).ToList());
    }

    private void Count(int linkType, ReadOnlySpan<byte> data, long time, int length)
    {
        Packets++;
        Bytes += length;
        First = Math.Min(First, time);
        Last = Math.Max(Last, time);
        Add(_seconds, Math.DivRem(time, 1_000_000_000L, out var rem) - (rem < 0 ? 1 : 0), length);
        PacketDecoder.TryDecode(linkType, data, out var decoded);
        var protocol = decoded.Kind switch
        {
            NetworkKind.IPv4 or NetworkKind.IPv6 => Protocols.Name(decoded.Protocol) + (decoded.Kind == NetworkKind.IPv6 ? " (IPv6)" : string.Empty),
            NetworkKind.Arp => "arp",
            _ => "other (not IP)",
        };
        Add(_protocols, protocol, length);
        if (decoded.Kind != NetworkKind.Other)
        {
            var v4 = decoded.Kind is NetworkKind.IPv4 or NetworkKind.Arp;
            Add(_hosts, (v4, decoded.Source), length);
            if (decoded.Destination != decoded.Source)
            {
                Add(_hosts, (v4, decoded.Destination), length);
            }
        }

        if (decoded.HasPorts)
        {
            var transport = Protocols.Name(decoded.Protocol);
            Add(_ports, (transport, decoded.SourcePort), length);
            if (decoded.DestinationPort != decoded.SourcePort)
            {
                Add(_ports, (transport, decoded.DestinationPort), length);
            }
        }
    }

    private static void Add<TKey>(Dictionary<TKey, (long Packets, long Bytes)> map, TKey key, long bytes)
        where TKey : notnull
    {
        var current = map.GetValueOrDefault(key);
        map[key] = (current.Packets + 1, current.Bytes + bytes);
    }
}
