using CsCheck;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;

namespace Recorder.Storage.Tests.Verification;

public sealed class TamperTests : IDisposable
{
    private readonly TestStore _store = new(new StoreOptions { SegmentMaxBytes = 64 * 1024 });

    public TamperTests() => _store.Import(_store.WriteCapture("in.pcap", Traffic.Mixed(1200)));

    [Fact]
    public void Verify_UntouchedStore_Passes()
    {
        var report = new StoreVerifier(_store.Store).Verify();

        Assert.True(report.Passed, string.Join("\n", report.Findings));
        Assert.True(report.SegmentsChecked >= 3);
        Assert.Equal(1200, report.PacketsChecked);
        Assert.Equal(report.SegmentsChecked, report.IndexEntriesChecked);
    }

    [Fact]
    public void Verify_AnySingleByteFlippedInASegment_NamesThatSegment()
    {
        var segments = _store.Store.ListSegments();
        Gen.Int[0, segments.Count - 1].Select(Gen.Double[0, 1]).Sample(pick =>
        {
            var segment = segments[pick.Item1];
            var offset = (long)(pick.Item2 * (segment.Manifest.Bytes - 1));
            Flip(segment.Path, offset);
            try
            {
                var report = new StoreVerifier(_store.Store).Verify();
                Assert.False(report.Passed);
                Assert.All(report.Findings, f => Assert.Equal(segment.Id, f.SegmentId));
                Assert.Contains(report.Findings, f => f.Check == "sha256" && f.Expected == segment.Manifest.Sha256);
            }
            finally
            {
                Flip(segment.Path, offset);
            }
        }, iter: 12, threads: 1);
    }

    [Fact]
    public void Causes_ByteFlippedInASegmentFile_AreOneCauseSayingTheFileWasChanged()
    {
        var segment = _store.Store.ListSegments()[1];
        Flip(segment.Path, segment.Manifest.Bytes / 2);

        var report = new StoreVerifier(_store.Store).Verify();

        var cause = Assert.Single(report.Causes);
        Assert.Equal("sha256", cause.Finding.Check);
        Assert.StartsWith($"segment {segment.Id}: its file was changed after sealing", cause.Explanation, StringComparison.Ordinal);
        Assert.Equal(report.Findings.Count - 1, cause.Consequences.Count);
        Assert.NotNull(report.ToJson()["causes"]?[0]?["consequences"]);
    }

    [Fact]
    public void Verify_AFileOfTheOtherFormatBesideASegment_IsAStrayFile()
    {
        var segment = _store.Store.ListSegments()[0];
        var other = Path.ChangeExtension(segment.Path, Path.GetExtension(segment.Path) == ".pcap" ? ".pcapng" : ".pcap");
        File.Copy(segment.Path, other);

        var report = new StoreVerifier(_store.Store).Verify();

        var finding = Assert.Single(report.Findings);
        Assert.Equal("stray file", finding.Check);
        Assert.Contains(Path.GetFileName(other), finding.Subject, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("manifest")]
    [InlineData("signature")]
    public void Verify_FlippedByteInManifestOrSignature_NamesThatSegment(string which)
    {
        var segment = _store.Store.ListSegments()[1];
        var path = which == "manifest" ? segment.ManifestPath : segment.SignaturePath;
        Flip(path, which == "manifest" ? 40 : 10);

        var report = new StoreVerifier(_store.Store).Verify();

        Assert.False(report.Passed);
        Assert.Contains(report.Findings, f => f.SegmentId == segment.Id && f.Check == "signature");
        Assert.DoesNotContain(report.Findings, f => f.SegmentId is { } id && id != segment.Id && id != segment.Id + 1);
    }

    [Fact]
    public void Verify_RemovedSegmentFile_AndAForgedReplacement_AreBothFound()
    {
        var segments = _store.Store.ListSegments();
        File.Delete(segments[0].Path);
        File.WriteAllBytes(segments[2].Path, File.ReadAllBytes(segments[1].Path));

        var report = new StoreVerifier(_store.Store).Verify();

        Assert.Contains(report.Findings, f => f.SegmentId == segments[0].Id && f.Check == "segment file" && f.Found == "missing");
        Assert.Contains(report.Findings, f => f.SegmentId == segments[2].Id && f.Check == "sha256");
    }

    [Fact]
    public void Verify_DeletedManifest_BreaksTheIdSequence_AndLeavesAStrayFile()
    {
        var segment = _store.Store.ListSegments()[1];
        File.Delete(segment.ManifestPath);

        var report = new StoreVerifier(_store.Store).Verify();

        Assert.Contains(report.Findings, f => f.SegmentId == segment.Id && f.Check == "presence");
        Assert.Contains(report.Findings, f => f.Check == "stray file" && f.Subject.EndsWith(".pcapng", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Check == "catalog" && f.SegmentId == segment.Id);
    }

    [Fact]
    public void Verify_IndexThatNoLongerMatchesItsSegments_IsReported()
    {
        var segment = _store.Store.ListSegments()[0];
        using (var writer = new Index.RocksPacketIndexProvider().OpenWriter(_store.Store.Layout.IndexDirectory))
        {
            writer.Remove(segment.Id);
            writer.Flush();
        }

        var report = new StoreVerifier(_store.Store).Verify();

        Assert.Contains(report.Findings, f => f.SegmentId == segment.Id && f.Check == "index" && f.Found == "not indexed");
        _store.Store.RebuildIndex();
        Assert.True(new StoreVerifier(_store.Store).Verify().Passed);
    }

    private static void Flip(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    public void Dispose() => _store.Dispose();
}
