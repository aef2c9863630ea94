using System.Text.Json.Nodes;
using Recorder.Application.Packaging;
using Recorder.Core.Time;

namespace Recorder.Cli.Tests.Packaging;

/// <summary>
/// The package manifest is a signed format (docs/evidence-package.md, version 1): its exact bytes
/// are signed (manifest.sig) and hashed into the ledger (package.built). The bytes the writer
/// produces for a fixed manifest are pinned, so that no change to the writer alters what is signed
/// without a new format version; parsing them gives the same manifest back, and the verifier's
/// reader takes the same facts from them.
/// </summary>
public sealed class PackageManifestGoldenTests
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Packaging", "Golden", "package-manifest-v1.json");

    private static string Hex(string pair) => string.Concat(Enumerable.Repeat(pair, 32));

    // Covers every kind of value the format has: a complete and a partial query (a segment left
    // out), an evidence file with packets and an empty one (null timestamps), a segment whose
    // manifest names no origin kind (null), and user text that needs escaping.
    private static PackageManifest Fixed() => new()
    {
        PackageId = "3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8",
        ReportId = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
        CreatedAt = Timestamp.FromSeconds(1_730_800_000, 123_456_789),
        CreatedBy = new ManifestActor("os-user", "analyst", "forensics-1"),
        Case = new ManifestCase("Case \"Smith\\Jones\" 'Zoë' – №7", "Network evidence for case 7"),
        Queries =
        [
            new ManifestQuery("0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9", new JsonObject { ["hosts"] = new JsonArray("10.0.0.1"), ["ports"] = new JsonArray(443) },
                "host 10.0.0.1 and port 443", "analyst@forensics-1", "warrant 2026-17", Timestamp.FromSeconds(1_730_799_400),
                Timestamp.FromSeconds(1_730_799_460, 5), 12, 15, false, []),
            new ManifestQuery("1b2c3d4e-5f60-4172-8384-a5b6c7d8e9fa", new JsonObject { ["protocols"] = new JsonArray("udp") },
                "udp", "legal@forensics-2", "warrant 2026-17", Timestamp.FromSeconds(1_730_799_500),
                Timestamp.FromSeconds(1_730_799_560), 16, 19, true, [new LeftOutSegment(8, "SHA-256 does not match the seal")]),
        ],
        Evidence =
        [
            new ManifestEvidenceFile("evidence/query-0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9.pcap", "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9", 4_096, 31,
                Timestamp.FromSeconds(1_730_799_000, 1), Timestamp.FromSeconds(1_730_799_300, 999_999_999), [1], Hex("ab"), "0123456789abcdef0123456789abcdef01234567",
                "0123456789abcdef0123456789abcdef"),
            new ManifestEvidenceFile("evidence/query-1b2c3d4e-5f60-4172-8384-a5b6c7d8e9fa.pcapng", "1b2c3d4e-5f60-4172-8384-a5b6c7d8e9fa", 32, 0,
                null, null, [], Hex("cd"), "89abcdef0123456789abcdef0123456789abcdef", "89abcdef0123456789abcdef01234567"),
        ],
        Segments =
        [
            new ManifestSourceSegment(7, Timestamp.FromSeconds(1_730_798_000), Timestamp.FromSeconds(1_730_799_350, 42), 1_234, Hex("01"), Hex("02"), "capture", true, Hex("01")),
            new ManifestSourceSegment(9, Timestamp.FromSeconds(1_730_799_360), Timestamp.FromSeconds(1_730_799_600), 56, Hex("03"), Hex("04"), null, true, Hex("03")),
        ],
        Tool = new ManifestTool("Recorder", "0.1.0", "0123456789abcdef0123456789abcdef01234567"),
        Store = new ManifestStore("6f1c2b7e-0d4a-4e59-9a1b-3c5d7e9f1a2b", "Ed25519", Hex("ef")),
    };

    [Fact]
    public void ToCanonicalBytes_OfAFixedManifest_AreTheGoldenFileByteForByte()
    {
        var golden = File.ReadAllBytes(GoldenPath);

        Assert.Equal(golden, Fixed().ToCanonicalBytes());
    }

    [Fact]
    public void Parse_TheGoldenFile_GivesTheSameBytesBack()
    {
        var golden = File.ReadAllBytes(GoldenPath);

        var parsed = PackageManifest.Parse(golden);

        Assert.Equal(golden, parsed.ToCanonicalBytes());
        Assert.True(parsed.Partial);
        Assert.Null(parsed.Evidence[1].FirstTimestamp);
        Assert.Null(parsed.Segments[1].Origin);
        Assert.Equal("SHA-256 does not match the seal", Assert.Single(parsed.Queries[1].SegmentsLeftOut).Reason);
        Assert.Equal(Fixed().Case, parsed.Case);
    }

    [Fact]
    public void VerifierReader_OfTheGoldenFile_TakesTheWrittenFacts()
    {
        var facts = ManifestFacts.Read(File.ReadAllBytes(GoldenPath));
        var written = Fixed();

        Assert.Equal((PackageBuilder.FormatName, (long?)PackageBuilder.FormatVersion), (facts.Format, facts.Version));
        Assert.Equal(written.PackageId, facts.PackageId);
        Assert.Equal(written.Store.PublicKeyFingerprint, facts.StoreKeyFingerprint);
        Assert.Equal(written.Evidence.Select(e => (e.File, e.QueryId, e.Sha256)), facts.Evidence.Select(e => (e.File, e.QueryId, e.Sha256)));
        Assert.Equal(written.Segments.Select(s => (s.Id, s.ManifestSha256)), facts.Segments.Select(s => (s.Id, s.ManifestSha256)));
    }

    [Fact]
    public void Manifest_WithTransferredFiles_RoundTrips_AndWithoutThemHasNoFilesMember()
    {
        var withFiles = Fixed() with
        {
            Files =
            [
                new ManifestTransferredFile("files/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/" + Hex("aa") + "-report.pdf", "files/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/" + Hex("aa") + ".json",
                    "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", 20_000, "pdf", "http", "download", 7, 3, Timestamp.FromSeconds(1_730_799_700), 21, Hex("aa"),
                    "0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef", Hex("bb")),
            ],
        };
        var bytes = withFiles.ToCanonicalBytes();

        var parsed = PackageManifest.Parse(bytes);
        var facts = ManifestFacts.Read(bytes);

        Assert.Equal(bytes, parsed.ToCanonicalBytes());
        Assert.Equal(withFiles.Files, parsed.Files);
        Assert.Equal((withFiles.Files[0].File, withFiles.Files[0].Sidecar, withFiles.Files[0].SidecarSha256), (facts.Files[0].File, facts.Files[0].Sidecar, facts.Files[0].SidecarSha256));
        Assert.DoesNotContain("\"files\"", System.Text.Encoding.UTF8.GetString(Fixed().ToCanonicalBytes()), StringComparison.Ordinal);
        Assert.Empty(ManifestFacts.Read(Fixed().ToCanonicalBytes()).Files);
        var empty = System.Text.Encoding.UTF8.GetString(Fixed().ToCanonicalBytes()).Replace("\"format\"", "\"files\":[],\"format\"", StringComparison.Ordinal);
        Assert.Contains("manifest.files", Assert.Throws<FormatException>(() => PackageManifest.Parse(System.Text.Encoding.UTF8.GetBytes(empty))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"packageId\":\"3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8\"", "\"packageId\":7", "manifest.packageId")]
    [InlineData("\"firstTimestamp\":null", "\"firstTimestamp\":\"yesterday\"", "manifest.evidence[1].firstTimestamp")]
    [InlineData(",\"origin\":null", "", "manifest.segments[1].origin")]
    [InlineData("\"partial\":true,\"queries\"", "\"partial\":false,\"queries\"", "manifest.partial")]
    [InlineData("\"version\":1", "\"version\":2", "version 1")]
    public void Parse_AManifestWithAFieldWrong_NamesTheField(string field, string replacement, string named)
    {
        var text = File.ReadAllText(GoldenPath);
        Assert.Contains(field, text, StringComparison.Ordinal);

        var error = Assert.Throws<FormatException>(() => PackageManifest.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal))));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
