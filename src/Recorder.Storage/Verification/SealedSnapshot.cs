using Recorder.Storage.Recording;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Verification;

/// <summary>
/// What verification checks, fixed at its start: the sealed segments, the files in <c>segments/</c>
/// belonging to none, and the segments whose seal a living writer has not settled yet (their index
/// entry and ledger entry are on their way, see <see cref="SealEntryNote"/>). Taken under the seal
/// lock, so no seal is half-way while it is listed: a verification beside an import checks the
/// segments sealed when it started and never reports a seal in progress as a problem.
/// </summary>
/// <param name="SegmentIds">Sealed segments, ascending.</param>
/// <param name="StrayFiles">Files in <c>segments/</c> of no sealed segment.</param>
/// <param name="InFlight">Sealed segments whose living writer still owes their index and ledger entries.</param>
/// <param name="Locked">False when the seal lock could not be taken (a read-only store): then no writer can be at work either.</param>
internal sealed record SealedSnapshot(IReadOnlyList<long> SegmentIds, IReadOnlyList<string> StrayFiles, IReadOnlySet<long> InFlight, bool Locked)
{
    public static SealedSnapshot Take(EvidenceStore store)
    {
        var layout = store.Layout;
        using var sealLock = TryLock(layout.SealLockFile, store.Options.LockTimeout);
        return new SealedSnapshot(SegmentCatalog.ListManifestIds(layout), SegmentCatalog.ListStrayFiles(layout), InFlightSeals(layout),
            sealLock is not null);
    }

    /// <summary>Takes a store lock, or returns null when it was never made or cannot be taken (a read-only store).</summary>
    public static FileLock? TryLock(string path, TimeSpan timeout)
    {
        if (!File.Exists(path))
        {
            // No seal ever ran in this store (the lock file is made by the first), or it is not a
            // store this process may write to: nothing to wait for.
            return null;
        }

        var taken = FileLock.TryAcquire(path);
        if (taken is not null || !CanWrite(path))
        {
            return taken;
        }

        return FileLock.Acquire(path, timeout);
    }

    private static bool CanWrite(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static HashSet<long> InFlightSeals(StoreLayout layout)
    {
        var inFlight = new HashSet<long>();
        if (!Directory.Exists(layout.OpenDirectory))
        {
            return inFlight;
        }

        foreach (var session in Directory.EnumerateDirectories(layout.OpenDirectory))
        {
            var notes = SealEntryNote.List(session);
            if (notes.Count == 0)
            {
                continue;
            }

            // A writer that died owes its entries too, but that is a finding until recovery pays them.
            using var probe = FileLock.TryAcquireExisting(Path.Combine(session, RecordingSession.LockFileName), out var missing);
            if (probe is not null || missing)
            {
                continue;
            }

            foreach (var note in notes)
            {
                if (StoreLayout.TryParseSegmentName(Path.GetFileName(note)[..Math.Min(12, Path.GetFileName(note).Length)], out var id))
                {
                    inFlight.Add(id);
                }
            }
        }

        return inFlight;
    }
}
