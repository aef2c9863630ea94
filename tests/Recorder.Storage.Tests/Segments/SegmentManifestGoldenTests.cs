using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Time;
using Recorder.Storage.Segments;

namespace Recorder.Storage.Tests.Segments;

/// <summary>
/// The segment manifest is a signed on-disk format (docs/segment-manifest.md, version 1): the exact
/// bytes the writer produces for a fixed manifest are pinned, so that no change to the writer alters
/// what is signed and hashed without a new format version.
/// </summary>
public sealed class SegmentManifestGoldenTests
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Segments", "Golden", "manifest-v1.json");

    private static SegmentManifest Fixed() => new()
    {
        StoreId = "6f1c2b7e-0d4a-4e59-9a1b-3c5d7e9f1a2b",
        SegmentId = 7,
        File = "000000000007.pcapng",
        FileFormat = CaptureFileFormat.Pcapng,
        Bytes = 1_048_576,
        Sha256 = string.Concat(Enumerable.Repeat("ab", 32)),
        Packets = 1234,
        PacketBytes = 987_654,
        OriginalBytes = 1_000_000,
        LinkType = 1,
        Interfaces = [new CaptureInterface(1, 262_144, 9, 0, "eth0", "uplink \u2013 \"core\" \\ tap")],
        FirstTimestamp = Timestamp.FromSeconds(1_730_799_000, 1),
        LastTimestamp = Timestamp.FromSeconds(1_730_799_300, 123_456_789),
        PreviousManifestSha256 = string.Concat(Enumerable.Repeat("cd", 32)),
        SealedAt = Timestamp.FromSeconds(1_730_799_301, 500_000_000),
        SealReason = "size",
        Origin = new JsonObject
        {
            ["kind"] = "capture",
            ["captureId"] = "0b8e1f3a-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
            ["interface"] = "eth0",
            ["filter"] = null,
            ["snapLength"] = 262_144,
            ["linkType"] = 1,
            ["host"] = "sensor-1",
        },
        Recorder = "Recorder 0.1.0",
    };

    [Fact]
    public void ToCanonicalBytes_OfAFixedManifest_AreTheGoldenFileByteForByte()
    {
        var golden = File.ReadAllBytes(GoldenPath);

        Assert.Equal(golden, Fixed().ToCanonicalBytes());
    }

    [Fact]
    public void Parse_TheGoldenFile_GivesTheFixedManifestBack()
    {
        var parsed = SegmentManifest.Parse(File.ReadAllBytes(GoldenPath));

        Assert.Equal(Fixed().ToCanonicalBytes(), parsed.ToCanonicalBytes());
        Assert.Equal(7, parsed.SegmentId);
        Assert.Equal(CaptureFileFormat.Pcapng, parsed.FileFormat);
        Assert.Equal("uplink \u2013 \"core\" \\ tap", parsed.Interfaces[0].Description);
    }

    [Fact]
    public void Parse_AManifestWithAMemberNameGivenTwice_IsAFormatExceptionNamingIt()
    {
        var golden = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(GoldenPath));
        var doubled = golden.Replace("\"packets\":1234,", "\"packets\":1234,\"packets\":1,", StringComparison.Ordinal);

        var fault = Assert.Throws<FormatException>(() => SegmentManifest.Parse(System.Text.Encoding.UTF8.GetBytes(doubled)));

        Assert.Contains("packets", fault.Message, StringComparison.Ordinal);
        Assert.Contains("more than once", fault.Message, StringComparison.Ordinal);
    }
}
