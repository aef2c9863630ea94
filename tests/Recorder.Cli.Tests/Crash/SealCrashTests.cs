using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Core.Formats;
using Recorder.Storage.Import;
using Recorder.Storage.Recording;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Crash;

/// <summary>
/// A writer dies (the fault seam throws, then the writer is abandoned as a killed process leaves
/// it) after each durable step of the seal protocol; the next opening of the store must leave one
/// that verifies, with exactly one ledger entry per sealed segment and no packet lost.
/// </summary>
public sealed class SealCrashTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-seal-crash");

    private string StorePath => _directory.File("store");

    public static TheoryData<string> Steps() => FaultyStore.Steps();

    [Theory]
    [MemberData(nameof(Steps))]
    public void Import_DyingAfterEachSealStep_NextOpenCompletesTheSeal_VerifyPasses_AndEachSegmentHasOneEntry(string stepName)
    {
        var step = Enum.Parse<SealStep>(stepName);
        var (input, _) = Cli.Sample(_directory, packets: 2000, seed: 31);
        var crash = new CrashAt(step, occurrence: 2);
        using (var store = FaultyStore.Open(StorePath, crash))
        {
            Assert.Throws<SimulatedCrashException>(() => new CaptureImporter(store).Import([input], new ImportOptions()));
        }

        AssertRecoveredWhole(step, crash.CrashedSegment!.Value, CaptureFiles.Read(input));
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void LiveCapture_KilledAfterEachSealStep_NextOpenCompletesTheSeal_VerifyPasses_AndEachSegmentHasOneEntry(string stepName)
    {
        var step = Enum.Parse<SealStep>(stepName);
        var (input, _) = Cli.Sample(_directory, packets: 2000, seed: 32);
        var packets = CaptureFiles.Read(input);
        var crash = new CrashAt(step, occurrence: 2);
        using (var store = FaultyStore.Open(StorePath, crash))
        {
            var ethernet = new CaptureInterface(packets[0].LinkType, 262144, TimestampResolution.Nanoseconds, 0, "eth-test");
            var session = RecordingSession.Start(store, SealMode.Immediately, new JsonObject { ["kind"] = "capture", ["captureId"] = "crash-test" });
            Assert.Throws<SimulatedCrashException>(() =>
            {
                foreach (var packet in packets)
                {
                    session.Append(ethernet, 0, (ulong)packet.Nanoseconds, packet.Nanoseconds, packet.OriginalLength, packet.Data);
                }
            });

            // What a kill leaves: the open files flushed as far as they were, the locks released.
            session.FlushToOperatingSystem();
            session.Dispose();
        }

        var crashed = crash.CrashedSegment!.Value;
        using var opened = StoreAccess.Open(StorePath, create: false, FaultyStore.Options).Store;
        AssertVerifies(opened);
        var entries = FaultyStore.SealEntries(opened);
        var segments = opened.ListSegments();
        Assert.All(segments, s => Assert.True(entries.TryGetValue(s.Id, out var named) && named.Count == 1, $"segment {s.Id}: {named?.Count ?? 0} entries"));
        Assert.Equal(step < SealStep.EntryRecorded, entries[crashed][0].Details["recovered"]?.GetValue<bool>() == true);

        // Every packet appended up to the crash is stored, in order: the packet whose append
        // crashed had been written to a segment that recovery sealed.
        var stored = segments.SelectMany(s => CaptureFiles.Read(s.Path)).ToList();
        Assert.True(stored.Count >= 2, $"{stored.Count} packets stored");
        Assert.Equal(CaptureFiles.Digest(packets.Take(stored.Count)), CaptureFiles.Digest(stored));
    }

    private void AssertRecoveredWhole(SealStep step, long crashed, List<TestPacket> input)
    {
        var opened = StoreAccess.Open(StorePath, create: false, FaultyStore.Options);
        using var store = opened.Store;
        AssertVerifies(store);
        Assert.Empty(Directory.GetFileSystemEntries(store.Layout.OpenDirectory));
        var entries = FaultyStore.SealEntries(store);
        var segments = store.ListSegments();
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        foreach (var segment in segments)
        {
            Assert.True(entries.TryGetValue(segment.Id, out var named) && named.Count == 1,
                $"segment {segment.Id}: {named?.Count ?? 0} ledger entries naming it");
        }

        // Recovery wrote the entry the dead writer still owed, and said so; one the writer had
        // written before dying is not written twice.
        var crashedEntry = entries[crashed][0];
        Assert.Equal(step < SealStep.EntryRecorded, crashedEntry.Details["recovered"]?.GetValue<bool>() == true);
        Assert.Contains(opened.Recovery.SettledEntries, e => e.SegmentId == crashed || step == SealStep.EntryNoteRemoved);

        // No packet is lost: what was sealed before the crash and what recovery sealed after it is
        // the whole input, in order.
        var stored = segments.SelectMany(s => CaptureFiles.Read(s.Path)).ToList();
        Assert.Equal(CaptureFiles.Digest(input), CaptureFiles.Digest(stored));
    }

    private static void AssertVerifies(EvidenceStore store)
    {
        var report = StoreAudit.Verify(store, []);
        Assert.True(report.Passed, string.Join("\n", report.Findings));
        Assert.DoesNotContain(Directory.EnumerateFiles(store.Layout.Root, "*", SearchOption.AllDirectories),
            f => DurableFile.IsTemporary(Path.GetFileName(f)) || f.EndsWith(".seal-intent.json", StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();
}
