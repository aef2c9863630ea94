using System.Text.Json.Nodes;
using Recorder.Core.Json;

namespace Recorder.Application.Packaging;

/// <summary>
/// What verification takes from a package's <c>manifest.json</c>, read with the kind of every field
/// checked. A package comes from outside (that is the point of verifying it), so a field of the
/// wrong kind is a finding naming the field, never an exception from a cast. Unlike
/// <see cref="PackageManifest.Parse"/> it reads only the fields verification compares, and a wrong
/// format or version is left to the verifier to report as a finding; a test reads the manifest
/// golden file with both and checks that they agree.
/// </summary>
/// <param name="Format">The <c>format</c> field, when it is a string.</param>
/// <param name="Version">The <c>version</c> field, when it is an integer.</param>
/// <param name="PackageId">The <c>packageId</c> field, when it is a string.</param>
/// <param name="StoreKeyFingerprint">The <c>store.publicKeyFingerprint</c> field, when it is a string.</param>
/// <param name="Evidence">The <c>evidence</c> files, each with the fields it is compared on.</param>
/// <param name="Segments">The <c>segments</c> the evidence came from.</param>
internal sealed record ManifestFacts(
    string? Format,
    long? Version,
    string? PackageId,
    string? StoreKeyFingerprint,
    IReadOnlyList<ManifestEvidence> Evidence,
    IReadOnlyList<ManifestSegment> Segments)
{
    /// <summary>The transferred <c>files</c> (none when the member is absent).</summary>
    public IReadOnlyList<ManifestFile> Files { get; init; } = [];

    /// <summary>Reads <paramref name="utf8"/>; throws <see cref="FormatException"/> naming the field that is missing or of the wrong kind.</summary>
    public static ManifestFacts Read(ReadOnlySpan<byte> utf8)
    {
        var root = StrictJson.Parse(utf8) as JsonObject ?? throw new FormatException("the manifest is not a JSON object");
        var evidence = Items(root, "evidence").Select((item, i) => new ManifestEvidence(
            RequiredText(item, "file", $"evidence[{i}]"), RequiredText(item, "queryId", $"evidence[{i}]"),
            RequiredText(item, "sha256", $"evidence[{i}]"), item)).ToList();
        var segments = Items(root, "segments").Select((item, i) => new ManifestSegment(
            RequiredInteger(item, "id", $"segments[{i}]"), RequiredText(item, "manifestSha256", $"segments[{i}]"))).ToList();
        var files = Items(root, "files").Select((item, i) => new ManifestFile(
            RequiredText(item, "file", $"files[{i}]"), RequiredText(item, "sidecar", $"files[{i}]"), RequiredText(item, "extractionId", $"files[{i}]"),
            RequiredText(item, "sha256", $"files[{i}]"), RequiredText(item, "sidecarSha256", $"files[{i}]"), item)).ToList();
        return new ManifestFacts(StrictJson.Text(root["format"]), StrictJson.Integer(root["version"]), StrictJson.Text(root["packageId"]),
            StrictJson.Text((root["store"] as JsonObject)?["publicKeyFingerprint"]), evidence, segments)
        {
            Files = files,
        };
    }

    private static IEnumerable<JsonObject> Items(JsonObject root, string name) => root[name] switch
    {
        null => [],
        JsonArray array => array.Select((item, i) => item as JsonObject ?? throw new FormatException($"{name}[{i}] is not an object")),
        _ => throw new FormatException($"{name} is not an array"),
    };

    private static string RequiredText(JsonObject item, string name, string where) =>
        StrictJson.Text(item[name]) ?? throw new FormatException($"{where}.{name} is missing or not a string");

    private static long RequiredInteger(JsonObject item, string name, string where) =>
        StrictJson.Integer(item[name]) ?? throw new FormatException($"{where}.{name} is missing or not an integer");
}

/// <summary>One evidence file the manifest lists.</summary>
/// <param name="File">Its path inside the package.</param>
/// <param name="QueryId">The query that extracted it.</param>
/// <param name="Sha256">Its SHA-256 as the manifest states it.</param>
/// <param name="Fields">The whole entry, for the values compared as written (sizes, counts, times, other hashes).</param>
internal sealed record ManifestEvidence(string File, string QueryId, string Sha256, JsonObject Fields);

/// <summary>One segment the manifest lists.</summary>
/// <param name="Id">The segment id.</param>
/// <param name="ManifestSha256">The SHA-256 of the segment's manifest as sealed.</param>
internal sealed record ManifestSegment(long Id, string ManifestSha256);

/// <summary>One transferred file the manifest lists.</summary>
/// <param name="File">Its path inside the package.</param>
/// <param name="Sidecar">Its sidecar's path inside the package.</param>
/// <param name="ExtractionId">The extraction that wrote it.</param>
/// <param name="Sha256">Its SHA-256 as the manifest states it.</param>
/// <param name="SidecarSha256">Its sidecar's SHA-256 as the manifest states it.</param>
/// <param name="Fields">The whole entry, for the values compared as written (size, other hashes).</param>
internal sealed record ManifestFile(string File, string Sidecar, string ExtractionId, string Sha256, string SidecarSha256, JsonObject Fields);
