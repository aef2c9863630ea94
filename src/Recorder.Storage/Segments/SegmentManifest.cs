using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Time;

namespace Recorder.Storage.Segments;

/// <summary>
/// The sealed description of one segment (docs/segment-manifest.md, format version 1). Its exact
/// canonical JSON bytes are what the store key signs and what the next manifest chains to.
/// </summary>
public sealed record SegmentManifest
{
    /// <summary>The <c>format</c> field.</summary>
    public const string FormatName = "recorder.segment-manifest";

    /// <summary>The manifest format version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The chain value of the first segment: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>The store the segment belongs to.</summary>
    public required string StoreId { get; init; }

    /// <summary>The segment id (1, 2, 3, … in sealing order).</summary>
    public required long SegmentId { get; init; }

    /// <summary>The segment file's name, relative to the manifest's directory.</summary>
    public required string File { get; init; }

    /// <summary>Size of the segment file.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of the segment file, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Packets in the segment.</summary>
    public required long Packets { get; init; }

    /// <summary>Sum of the packets' captured lengths.</summary>
    public required long PacketBytes { get; init; }

    /// <summary>Sum of the packets' original (wire) lengths.</summary>
    public required long OriginalBytes { get; init; }

    /// <summary>The single link type of the segment's packets.</summary>
    public required int LinkType { get; init; }

    /// <summary>The interfaces described in the segment, in interface-id order.</summary>
    public required IReadOnlyList<CaptureInterface> Interfaces { get; init; }

    /// <summary>Earliest packet timestamp.</summary>
    public required Timestamp FirstTimestamp { get; init; }

    /// <summary>Latest packet timestamp.</summary>
    public required Timestamp LastTimestamp { get; init; }

    /// <summary>SHA-256 of the previous segment's manifest (64 zeros for the first).</summary>
    public required string PreviousManifestSha256 { get; init; }

    /// <summary>When the segment was sealed.</summary>
    public required Timestamp SealedAt { get; init; }

    /// <summary>Why it was sealed: size, age, end-of-input, end-of-capture, interface-change, recovered.</summary>
    public required string SealReason { get; init; }

    /// <summary>Where the packets came from (import or capture details).</summary>
    public required JsonObject Origin { get; init; }

    /// <summary>The software that sealed it.</summary>
    public required string Recorder { get; init; }

    /// <summary>The manifest format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The segment file's format.</summary>
    public CaptureFileFormat FileFormat { get; init; } = CaptureFileFormat.Pcapng;

    /// <summary>The exact bytes to write, sign and hash (RFC 8785 canonical JSON, no trailing newline).</summary>
    public byte[] ToCanonicalBytes()
    {
        var interfaces = new JsonArray();
        foreach (var i in Interfaces)
        {
            interfaces.Add((JsonNode)new JsonObject
            {
                ["linkType"] = i.LinkType,
                ["snapLength"] = i.SnapLength,
                ["timestampResolution"] = i.TimestampResolution,
                ["timestampOffsetSeconds"] = i.TimestampOffsetSeconds,
                ["name"] = i.Name,
                ["description"] = i.Description,
            });
        }

        var json = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = Version,
            ["storeId"] = StoreId,
            ["segmentId"] = SegmentId,
            ["file"] = File,
            ["fileFormat"] = FileFormat == CaptureFileFormat.Pcap ? "pcap" : "pcapng",
            ["bytes"] = Bytes,
            ["sha256"] = Sha256,
            ["packets"] = Packets,
            ["packetBytes"] = PacketBytes,
            ["originalBytes"] = OriginalBytes,
            ["linkType"] = LinkType,
            ["interfaces"] = interfaces,
            ["firstTimestamp"] = FirstTimestamp.ToString(),
            ["lastTimestamp"] = LastTimestamp.ToString(),
            ["previousManifestSha256"] = PreviousManifestSha256,
            ["sealedAt"] = SealedAt.ToString(),
            ["sealReason"] = SealReason,
            ["origin"] = Origin.DeepClone(),
            ["recorder"] = Recorder,
        };
        return CanonicalJson.Serialize(json);
    }

    /// <summary>SHA-256 of the canonical bytes, lower-case hex.</summary>
    public string Hash() => Hex.Lower(SHA256.HashData(ToCanonicalBytes()));

    /// <summary>Parses manifest bytes; throws <see cref="FormatException"/> saying which field is wrong.</summary>
    public static SegmentManifest Parse(ReadOnlySpan<byte> bytes)
    {
        // Read strictly: bytes that are not UTF-8 or a name given twice are a FormatException here,
        // not an exception from a member's first read in whoever holds the manifest.
        var json = StrictJson.Parse(bytes, "manifest") as JsonObject ?? throw new FormatException("manifest is not a JSON object");

        if (Field<string>(json, "format") != FormatName)
        {
            throw new FormatException($"format is not {FormatName}");
        }

        var version = Field<int>(json, "version");
        if (version != CurrentVersion)
        {
            throw new FormatException($"manifest version {version} is not supported (this Recorder reads version {CurrentVersion})");
        }

        var interfaces = new List<CaptureInterface>();
        foreach (var node in json["interfaces"]?.AsArray() ?? throw new FormatException("interfaces missing"))
        {
            var i = node!.AsObject();
            interfaces.Add(new CaptureInterface(
                Field<int>(i, "linkType"),
                Field<uint>(i, "snapLength"),
                Field<byte>(i, "timestampResolution"),
                Field<long>(i, "timestampOffsetSeconds"),
                i["name"]?.GetValue<string>(),
                i["description"]?.GetValue<string>()));
        }

        var fileFormat = Field<string>(json, "fileFormat") switch
        {
            "pcap" => CaptureFileFormat.Pcap,
            "pcapng" => CaptureFileFormat.Pcapng,
            var other => throw new FormatException($"fileFormat '{other}' is neither pcap nor pcapng"),
        };
        return new SegmentManifest
        {
            Version = version,
            FileFormat = fileFormat,
            StoreId = Field<string>(json, "storeId"),
            SegmentId = Field<long>(json, "segmentId"),
            File = Field<string>(json, "file"),
            Bytes = Field<long>(json, "bytes"),
            Sha256 = Field<string>(json, "sha256"),
            Packets = Field<long>(json, "packets"),
            PacketBytes = Field<long>(json, "packetBytes"),
            OriginalBytes = Field<long>(json, "originalBytes"),
            LinkType = Field<int>(json, "linkType"),
            Interfaces = interfaces,
            FirstTimestamp = ParseTime(json, "firstTimestamp"),
            LastTimestamp = ParseTime(json, "lastTimestamp"),
            PreviousManifestSha256 = Field<string>(json, "previousManifestSha256"),
            SealedAt = ParseTime(json, "sealedAt"),
            SealReason = Field<string>(json, "sealReason"),
            Origin = json["origin"]?.AsObject().DeepClone().AsObject() ?? throw new FormatException("origin missing"),
            Recorder = Field<string>(json, "recorder"),
        };
    }

    private static Timestamp ParseTime(JsonObject json, string name) =>
        TimestampParser.TryParse(Field<string>(json, name), out var value, out var error)
            ? value
            : throw new FormatException($"{name}: {error}");

    private static T Field<T>(JsonObject json, string name)
    {
        var node = json[name] ?? throw new FormatException($"field '{name}' is missing");
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new FormatException($"field '{name}' has the wrong type or value", e);
        }
    }
}
