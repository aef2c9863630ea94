using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Core.Time;

namespace Recorder.Api.Traffic;

/// <summary>
/// What the store holds over time (<c>GET /api/traffic</c>): its sealed segments and packets per
/// bucket of time, from the segments' manifests and the index's time chunks. Metadata only: no
/// packet is read.
/// </summary>
public static class TrafficEndpoints
{
    /// <summary>The most buckets one answer holds.</summary>
    public const int MaxBuckets = 5000;

    private const long NanosPerSecond = 1_000_000_000;

    // Bucket widths chosen when none is asked for: the smallest giving at most 400 buckets.
    private static readonly long[] AutomaticSeconds = [1, 10, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400];

    /// <summary>Maps the endpoint.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/api/traffic", Traffic).RequirePermission(Permission.SegmentsRead).WithTags("Store")
            .Produces<Hosting.TrafficResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Packets per bucket of time and the sealed segments over a window (from, to: RFC 3339; bucket: seconds); metadata only, never packets");
    }

    private static IResult Traffic(HttpContext http, ServiceRuntime runtime, string? from, string? to, long? bucket)
    {
        var errors = new List<FieldError>();
        var fromTime = Time(from, "from", errors);
        var toTime = Time(to, "to", errors);
        if (bucket is < 1 or > 366L * 86400)
        {
            errors.Add(new FieldError("bucket", "seconds, 1 to 31622400"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var segments = runtime.Store.ListSegments();
        var index = runtime.Index.Current();
        var indexed = index?.Segments().Select(s => s.SegmentId).ToHashSet() ?? [];
        var start = fromTime?.UnixNanoseconds ?? (segments.Count > 0 ? segments.Min(s => s.Manifest.FirstTimestamp.UnixNanoseconds) : 0);
        var end = toTime?.UnixNanoseconds ?? (segments.Count > 0 ? segments.Max(s => s.Manifest.LastTimestamp.UnixNanoseconds) + 1 : 0);
        if (segments.Count == 0 && (fromTime is null || toTime is null))
        {
            return Results.Json(new JsonObject
            {
                ["from"] = null, ["to"] = null, ["bucketSeconds"] = null, ["packets"] = 0, ["buckets"] = new JsonArray(), ["segments"] = new JsonArray(),
            });
        }

        if (end <= start)
        {
            return Problems.InvalidField("to", "must be after from", http.Request.Path);
        }

        var width = bucket ?? AutomaticSeconds.FirstOrDefault(s => (end - start) / (s * NanosPerSecond) < 400, AutomaticSeconds[^1]);
        var bucketNanoseconds = width * NanosPerSecond;

        // Buckets start at a multiple of their width, so minutes start on the minute.
        start -= ((start % bucketNanoseconds) + bucketNanoseconds) % bucketNanoseconds;
        if ((end - start + bucketNanoseconds - 1) / bucketNanoseconds > MaxBuckets)
        {
            return Problems.InvalidField("bucket", $"the window holds more than {MaxBuckets} buckets of {width} s: choose a wider bucket or a shorter window", http.Request.Path);
        }

        var spans = new List<TrafficSpan>();
        var shown = new List<JsonNode>();
        foreach (var segment in segments)
        {
            var manifest = segment.Manifest;
            if (manifest.LastTimestamp.UnixNanoseconds < start || manifest.FirstTimestamp.UnixNanoseconds >= end)
            {
                continue;
            }

            var chunks = indexed.Contains(segment.Id) ? index!.Chunks(segment.Id) : [];
            if (chunks.Count > 0)
            {
                spans.AddRange(chunks.Select(c => new TrafficSpan(c.MinNanoseconds, c.MaxNanoseconds, c.Packets)));
            }
            else
            {
                spans.Add(new TrafficSpan(manifest.FirstTimestamp.UnixNanoseconds, manifest.LastTimestamp.UnixNanoseconds, manifest.Packets));
            }

            shown.Add(new JsonObject
            {
                ["id"] = segment.Id,
                ["firstTimestamp"] = manifest.FirstTimestamp.ToString(),
                ["lastTimestamp"] = manifest.LastTimestamp.ToString(),
                ["packets"] = manifest.Packets,
                ["bytes"] = manifest.Bytes,
                ["sealedAt"] = manifest.SealedAt.ToString(),
                ["manifestSha256"] = segment.ManifestSha256,
                ["source"] = chunks.Count > 0 ? "index" : "manifest",
            });
        }

        var counts = TrafficHistogram.Count(spans, start, end, bucketNanoseconds);
        return Results.Json(new JsonObject
        {
            ["from"] = new Timestamp(start).ToString(),
            ["to"] = new Timestamp(start + (counts.Length * bucketNanoseconds)).ToString(),
            ["bucketSeconds"] = width,
            ["packets"] = counts.Sum(),
            ["buckets"] = new JsonArray(counts.Select((n, i) => (JsonNode)new JsonObject
            {
                ["start"] = new Timestamp(start + (i * bucketNanoseconds)).ToString(),
                ["packets"] = n,
            }).ToArray()),
            ["segments"] = new JsonArray(shown.ToArray()),
        });
    }

    private static Timestamp? Time(string? text, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (TimestampParser.TryParse(text.Trim(), out var value, out var error))
        {
            return value;
        }

        errors.Add(new FieldError(field, error));
        return null;
    }
}
