using CsCheck;
using Recorder.Core.Query;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Query;

/// <summary>
/// A query reads only segments that are as they were sealed, and names every segment it had to
/// leave out: its answer is never silently partial.
/// </summary>
public sealed class SegmentAdmissionTests : IDisposable
{
    private readonly TestStore _store = new(new StoreOptions { SegmentMaxBytes = 64 * 1024 });
    private readonly List<TestPacket> _packets = Traffic.Mixed(1500, seed: 3);
    private readonly PacketQuery _everything = QueryParser.Parse(new QueryText()).Query!;

    public SegmentAdmissionTests() => _store.Import(_store.WriteCapture("in.pcap", _packets));

    private IReadOnlyList<SealedSegment> Segments => _store.Store.ListSegments();

    [Fact]
    public void Query_UntouchedStore_IsCompleteAndLeavesNothingOut()
    {
        var (output, run) = _store.Query(_everything);

        Assert.True(Segments.Count >= 3);
        Assert.False(run.Partial);
        Assert.Empty(run.SegmentsLeftOut);
        Assert.Equal(_packets.Count, output.Packets);
        Assert.False(run.ToJson()["partial"]!.GetValue<bool>());
    }

    [Fact]
    public void Query_WhenAManifestIsOverwrittenWithGarbage_LeavesThatSegmentOutByName()
    {
        var damaged = Segments[1];
        File.WriteAllText(damaged.ManifestPath, "garbage");

        var (output, run) = _store.Query(_everything);

        Assert.True(run.Partial);
        var leftOut = Assert.Single(run.SegmentsLeftOut);
        Assert.Equal(damaged.Id, leftOut.SegmentId);
        Assert.Contains("damaged", leftOut.Reason, StringComparison.Ordinal);
        Assert.Equal(_packets.Count - damaged.Manifest.Packets, output.Packets);
        var json = run.ToJson();
        Assert.True(json["partial"]!.GetValue<bool>());
        Assert.Equal(damaged.Id, json["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        Assert.Equal(leftOut.Reason, json["segmentsLeftOut"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void Query_WhenAManifestIsDeleted_LeavesThatSegmentOutEvenOutsideItsWindow()
    {
        // Without its manifest the segment's time range is unknown: a query for any window may miss its packets.
        var segments = Segments;
        var missing = segments[0];
        File.Delete(missing.ManifestPath);
        var lastOnly = QueryParser.Parse(new QueryText { From = segments[^1].Manifest.FirstTimestamp.ToString() }).Query!;

        var run = _store.Query(lastOnly).Run;

        var leftOut = Assert.Single(run.SegmentsLeftOut);
        Assert.Equal(missing.Id, leftOut.SegmentId);
        Assert.Contains("missing", leftOut.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_WhenAManifestIsEditedButStillValidJson_LeavesThatSegmentOutForItsSignature()
    {
        // Moving a segment's claimed time range out of the window would otherwise hide its packets.
        var edited = Segments[1];
        var text = File.ReadAllText(edited.ManifestPath).Replace("\"sealReason\":\"size\"", "\"sealReason\":\"sizE\"", StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(edited.ManifestPath), text);
        File.WriteAllText(edited.ManifestPath, text);

        var run = _store.Query(_everything).Run;

        var leftOut = Assert.Single(run.SegmentsLeftOut);
        Assert.Equal(edited.Id, leftOut.SegmentId);
        Assert.Contains("signature", leftOut.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_WhenASegmentIsReplacedByAnotherSignedOne_LeavesItsSuccessorOutForTheChain()
    {
        // Someone holding the store key re-seals segment 2 with other content: both manifests verify,
        // but segment 3 was sealed after a different segment 2, and says so.
        var segments = Segments;
        var replaced = segments[1];
        var forged = replaced.Manifest with { SealReason = "forged" };
        var bytes = forged.ToCanonicalBytes();
        File.WriteAllBytes(replaced.ManifestPath, bytes);
        File.WriteAllBytes(replaced.SignaturePath, _store.Store.Key.Sign(bytes));

        var run = _store.Query(_everything).Run;

        var leftOut = Assert.Single(run.SegmentsLeftOut);
        Assert.Equal(segments[2].Id, leftOut.SegmentId);
        Assert.Contains("chain broken", leftOut.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deleted", "missing")]
    [InlineData("truncated", "sealed at")]
    public void Query_WhenASegmentFileIsGoneOrCut_LeavesItOutInsteadOfFailingHalfWay(string damage, string reason)
    {
        var segment = Segments[1];
        if (damage == "deleted")
        {
            File.Delete(segment.Path);
        }
        else
        {
            using var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write);
            file.SetLength(segment.Manifest.Bytes - 100);
        }

        var (output, run) = _store.Query(_everything);

        var leftOut = Assert.Single(run.SegmentsLeftOut);
        Assert.Equal(segment.Id, leftOut.SegmentId);
        Assert.Contains(reason, leftOut.Reason, StringComparison.Ordinal);
        Assert.Equal(_packets.Count - segment.Manifest.Packets, output.Packets);
    }

    [Fact]
    public void Query_AnySingleByteChangedInAnyManifestOrSignature_IsEitherCompleteOrNamedPartial()
    {
        var segments = Segments;
        var complete = _store.Query(_everything).Output.Sha256;
        Gen.Int[0, segments.Count - 1].Select(Gen.Bool, Gen.Double[0, 1], Gen.Byte[1, 255]).Sample(pick =>
        {
            var segment = segments[pick.Item1];
            var path = pick.Item2 ? segment.ManifestPath : segment.SignaturePath;
            var original = File.ReadAllBytes(path);
            var changed = original.ToArray();
            changed[(int)(pick.Item3 * (changed.Length - 1))] ^= pick.Item4;
            File.WriteAllBytes(path, changed);
            try
            {
                var (output, run) = _store.Query(_everything);

                // Never silently partial: an answer not marked partial is the complete one; a partial one
                // names the changed segment (a changed signature the chain vouches for changes nothing).
                if (run.Partial)
                {
                    Assert.Contains(run.SegmentsLeftOut, s => s.SegmentId == segment.Id);
                }
                else
                {
                    Assert.Equal(complete, output.Sha256);
                    Assert.True(!pick.Item2 && segment.Id != segments[^1].Id, "only a vouched-for signature may change unnoticed");
                }
            }
            finally
            {
                File.WriteAllBytes(path, original);
            }
        }, iter: 80, threads: 1);
    }

    [Fact]
    public void Open_WithoutACustodyJournal_IsRefused()
    {
        var services = new StoreServices { IndexProvider = new Index.RocksPacketIndexProvider(), JournalFactory = null! };

        var error = Assert.Throws<ArgumentException>(() => EvidenceStore.Open(_store.Store.Layout.Root, services));

        Assert.Contains("journal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_AlwaysReachesTheJournal()
    {
        var before = _store.Journal.Events.Count;

        var seq = _store.Store.Record("test.recorded", [], new Dictionary<string, string>(), []);

        Assert.Equal(before + 1, seq);
        Assert.Equal("test.recorded", _store.Journal.Events[^1].Action);
        Assert.Contains(_store.Journal.Events, e => e.Action == "segment.sealed");
    }

    public void Dispose() => _store.Dispose();
}
