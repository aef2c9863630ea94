using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Time;

namespace Recorder.Api.Queries;

/// <summary>
/// What a finished result holds, at a glance: top talkers (each packet counts for its source and its
/// destination), ports (source and destination), protocols, and packets over time in at most
/// <see cref="MaxBuckets"/> buckets from the first packet to the last. Computed from the result file
/// itself, in one read.
/// </summary>
internal static class PacketSummary
{
    /// <summary>The most rows of each top list.</summary>
    public const int Top = 10;

    /// <summary>The most buckets of the packets-over-time series (the bucket width grows in whole seconds to fit).</summary>
    public const int MaxBuckets = 300;

    /// <summary>The summary of the capture file at <paramref name="path"/>, whose recorded SHA-256 is <paramref name="sha256"/>.</summary>
    public static JsonObject Compute(string path, string sha256)
    {
        var talkers = new Dictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
        var ports = new Dictionary<(string Proto, int Port), long>();
        var protocols = new Dictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
        var seconds = new Dictionary<long, long>();
        long packets = 0, bytes = 0, first = long.MaxValue, last = long.MinValue;
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                packets++;
                long length = packet.OriginalLength;
                bytes += length;
                var at = packet.TimestampNanoseconds;
                first = Math.Min(first, at);
                last = Math.Max(last, at);
                var second = Timestamp.FromSeconds(0, at).Seconds;
                seconds[second] = seconds.GetValueOrDefault(second) + 1;
                if (!PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded) || decoded.Kind is not (NetworkKind.IPv4 or NetworkKind.IPv6))
                {
                    Add(protocols, "other", length);
                    continue;
                }

                var v4 = decoded.Kind == NetworkKind.IPv4;
                Add(talkers, IpAddress128.Format(decoded.Source, v4), length);
                Add(talkers, IpAddress128.Format(decoded.Destination, v4), length);
                var proto = ProtocolName(decoded.Protocol);
                Add(protocols, proto, length);
                if (decoded.HasPorts)
                {
                    ports[(proto, decoded.SourcePort)] = ports.GetValueOrDefault((proto, decoded.SourcePort)) + 1;
                    if (decoded.DestinationPort != decoded.SourcePort)
                    {
                        ports[(proto, decoded.DestinationPort)] = ports.GetValueOrDefault((proto, decoded.DestinationPort)) + 1;
                    }
                }
            }
        }

        return new JsonObject
        {
            ["resultSha256"] = sha256,
            ["packets"] = packets,
            ["bytes"] = bytes,
            ["first"] = packets == 0 ? null : Timestamp.FromSeconds(0, first).ToString(),
            ["last"] = packets == 0 ? null : Timestamp.FromSeconds(0, last).ToString(),
            ["topTalkers"] = new JsonArray(talkers.OrderByDescending(t => t.Value.Packets).ThenBy(t => t.Key, StringComparer.Ordinal).Take(Top)
                .Select(t => (JsonNode)new JsonObject { ["address"] = t.Key, ["packets"] = t.Value.Packets, ["bytes"] = t.Value.Bytes }).ToArray()),
            ["ports"] = new JsonArray(ports.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Port).Take(Top)
                .Select(p => (JsonNode)new JsonObject { ["port"] = p.Key.Port, ["proto"] = p.Key.Proto, ["packets"] = p.Value }).ToArray()),
            ["protocols"] = new JsonArray(protocols.OrderByDescending(p => p.Value.Packets).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (JsonNode)new JsonObject { ["proto"] = p.Key, ["packets"] = p.Value.Packets, ["bytes"] = p.Value.Bytes }).ToArray()),
            ["perSecond"] = packets == 0 ? null : Series(seconds, Timestamp.FromSeconds(0, first).Seconds, Timestamp.FromSeconds(0, last).Seconds),
        };
    }

    private static JsonObject Series(Dictionary<long, long> seconds, long firstSecond, long lastSecond)
    {
        var span = lastSecond - firstSecond + 1;
        var width = (span + MaxBuckets - 1) / MaxBuckets;
        var counts = new long[(span + width - 1) / width];
        foreach (var (second, count) in seconds)
        {
            counts[(second - firstSecond) / width] += count;
        }

        return new JsonObject
        {
            ["start"] = Timestamp.FromSeconds(firstSecond).ToString(),
            ["bucketSeconds"] = width,
            ["packets"] = new JsonArray(counts.Select(c => (JsonNode)c).ToArray()),
        };
    }

    private static void Add(Dictionary<string, (long Packets, long Bytes)> counts, string key, long bytes)
    {
        var (packets, total) = counts.GetValueOrDefault(key);
        counts[key] = (packets + 1, total + bytes);
    }

    private static string ProtocolName(byte protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "icmp6",
        132 => "sctp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };
}
