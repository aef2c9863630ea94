using System.Text.Json.Nodes;
using Recorder.Application.Packaging;

namespace Recorder.Api.Queries;

/// <summary>
/// What a finished result holds, at a glance: top talkers (each packet counts for its source and its
/// destination), ports (source and destination), protocols, and packets over time in round buckets
/// from the first packet to the last. Counted in one read of the result file by the same
/// <see cref="TrafficCounter"/> that writes a package report's traffic section, so the page and the
/// report never count differently.
/// </summary>
internal static class PacketSummary
{
    /// <summary>The most rows of each top list.</summary>
    public const int Top = 10;

    /// <summary>The summary of the capture file at <paramref name="path"/>, whose recorded SHA-256 is <paramref name="sha256"/>.</summary>
    public static JsonObject Compute(string path, string sha256)
    {
        var counter = new TrafficCounter();
        counter.Add(path);
        var traffic = counter.Summary(Top);
        var series = traffic.Series;
        return new JsonObject
        {
            ["resultSha256"] = sha256,
            ["packets"] = traffic.Packets,
            ["bytes"] = traffic.Bytes,
            ["first"] = traffic.First?.ToString(),
            ["last"] = traffic.Last?.ToString(),
            ["topTalkers"] = new JsonArray(traffic.Hosts.Take(Top)
                .Select(t => (JsonNode)new JsonObject { ["address"] = t.Address, ["packets"] = t.Packets, ["bytes"] = t.Bytes }).ToArray()),
            ["ports"] = new JsonArray(traffic.Ports.Take(Top)
                .Select(p => (JsonNode)new JsonObject { ["port"] = p.Port, ["proto"] = p.Transport, ["packets"] = p.Packets }).ToArray()),
            ["protocols"] = new JsonArray(traffic.Protocols
                .Select(p => (JsonNode)new JsonObject { ["proto"] = p.Protocol, ["packets"] = p.Packets, ["bytes"] = p.Bytes }).ToArray()),
            ["perSecond"] = traffic.Packets == 0 ? null : new JsonObject
            {
                ["start"] = series.Start.ToString(),
                ["bucketSeconds"] = series.BucketNanoseconds / 1_000_000_000L,
                ["packets"] = new JsonArray(series.Buckets.Select(b => (JsonNode)b.Packets).ToArray()),
            },
        };
    }
}
