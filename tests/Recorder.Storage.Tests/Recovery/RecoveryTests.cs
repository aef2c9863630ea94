using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Query;
using Recorder.Storage.Recording;
using Recorder.Storage.Recovery;
using Recorder.Storage.Verification;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Recovery;

public class RecoveryTests
{
    private static readonly CaptureInterface Ethernet = new(1, 262144, TimestampResolution.Nanoseconds, 0, "eth-test");

    [Fact]
    public void Recover_AbandonedSessionWithATornTail_SealsTheCompletePackets_AndKeepsTheCutBytes()
    {
        using var store = new TestStore();
        var packets = Traffic.Mixed(100);
        var session = RecordingSession.Start(store.Store, SealMode.Immediately, new JsonObject { ["kind"] = "capture", ["captureId"] = "test" });
        foreach (var packet in packets)
        {
            session.Append(Ethernet, 0, (ulong)packet.Nanoseconds, packet.Nanoseconds, packet.OriginalLength, packet.Data);
        }

        session.FlushToOperatingSystem();
        session.Dispose(); // as if the process died: the lock goes, the files stay
        var file = Directory.GetFiles(session.Directory, "*.pcapng").Single();
        var length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(length - 10); // the last packet block is now incomplete
        }

        var report = new SessionRecovery(store.Store).Run();

        var recovered = Assert.Single(report.Files);
        Assert.Equal(99, recovered.Packets);
        Assert.Equal(length - 10 - recovered.CutOffset, recovered.CutBytes);
        Assert.NotNull(recovered.CutSha256);
        Assert.False(Directory.Exists(session.Directory));
        var segment = Assert.Single(store.Store.ListSegments());
        Assert.Equal("recovered", segment.Manifest.SealReason);
        Assert.Equal(recovered.CutOffset, segment.Manifest.Origin["recovery"]!["cutOffset"]!.GetValue<long>());
        Assert.Equal(CaptureFiles.Digest(packets.Take(99)), CaptureFiles.Digest(store.QueryPackets(PacketQuery.All)));
        Assert.Single(Directory.GetFiles(Path.Combine(store.Store.Layout.Root, "recovered")));
        Assert.True(new StoreVerifier(store.Store).Verify().Passed);
    }

    [Fact]
    public void Recover_LiveSession_IsLeftAlone()
    {
        using var store = new TestStore();
        using var session = RecordingSession.Start(store.Store, SealMode.Immediately, new JsonObject { ["kind"] = "capture" });
        session.Append(Ethernet, 0, 1, 1, 60, new byte[60]);
        session.FlushToOperatingSystem();

        var report = new SessionRecovery(store.Store).Run();

        Assert.Empty(report.Files);
        Assert.Equal(1, report.SkippedLiveSessions);
        Assert.True(Directory.Exists(session.Directory));
    }

    [Fact]
    public void Seal_InterruptedAfterTheIntent_IsCompletedByTheNextSeal_WithoutBreakingTheChain()
    {
        using var store = new TestStore();
        store.Import(store.WriteCapture("first.pcap", Traffic.Mixed(10)));
        var first = Assert.Single(store.Store.ListSegments());

        // Simulate a process that wrote its seal intent for segment 2 and died before moving the file.
        var session = RecordingSession.Start(store.Store, SealMode.OnCommit, new JsonObject { ["kind"] = "import" });
        foreach (var packet in Traffic.Mixed(5, seed: 3))
        {
            session.Append(Ethernet, 0, (ulong)packet.Nanoseconds, packet.Nanoseconds, packet.OriginalLength, packet.Data);
        }

        session.FlushToOperatingSystem();
        session.Dispose();
        var dataFile = Directory.GetFiles(session.Directory, "*.pcapng").Single();
        var manifest = new Recorder.Storage.Segments.SegmentManifest
        {
            StoreId = store.Store.StoreId, SegmentId = 2, File = "000000000002.pcapng", Bytes = new FileInfo(dataFile).Length,
            Sha256 = CaptureFiles.Sha256(dataFile), Packets = 5, PacketBytes = 0, OriginalBytes = 0, LinkType = 1, Interfaces = [Ethernet],
            FirstTimestamp = default, LastTimestamp = default, PreviousManifestSha256 = first.ManifestSha256, SealedAt = default,
            SealReason = "end-of-input", Origin = new JsonObject { ["kind"] = "import" }, Recorder = "test",
        };
        var bytes = manifest.ToCanonicalBytes();
        Directory.CreateDirectory(store.Store.Layout.SegmentDirectory(2));
        File.WriteAllBytes(Path.Combine(store.Store.Layout.SegmentDirectory(2), "000000000002.seal-intent.json"), Core.Json.CanonicalJson.Serialize(new JsonObject
        {
            ["segmentId"] = 2,
            ["source"] = dataFile,
            ["manifest"] = Convert.ToBase64String(bytes),
            ["signature"] = Convert.ToBase64String(store.Store.Key.Sign(bytes)),
        }));

        var third = store.Import(store.WriteCapture("third.pcap", Traffic.Mixed(7, seed: 4))).Segments.Single();

        Assert.Equal(3, third.Id);
        Assert.Equal(Core.Hashing.Hex.Lower(System.Security.Cryptography.SHA256.HashData(bytes)), third.Manifest.PreviousManifestSha256);
        Assert.True(File.Exists(store.Store.Layout.SegmentFile(2)));
        Assert.False(File.Exists(dataFile));
    }
}
