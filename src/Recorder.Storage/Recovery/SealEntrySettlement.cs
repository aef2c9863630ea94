using System.Text.Json.Nodes;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Recovery;

/// <summary>What recovery did with one seal-entry note an abandoned writer left.</summary>
/// <param name="SessionId">The abandoned session.</param>
/// <param name="SegmentId">The segment the note was written for.</param>
/// <param name="Outcome">
/// <c>recorded</c> (the entry was owed and recovery wrote it, marked <c>recovered: true</c>),
/// <c>already-recorded</c> (the writer recorded it and died before removing the note) or
/// <c>not-sealed</c> (the seal never reached its commit point and was rolled back; the note owed nothing).
/// </param>
public sealed record SettledEntry(string SessionId, long SegmentId, string Outcome);

/// <summary>
/// Pays the ledger entries an abandoned writer owed: for each seal-entry note in its session
/// directory, the segment.sealed (or recovery) entry is recorded once, marked as written by
/// recovery, unless the ledger already holds it. Runs under the session's lock after every seal
/// the writer began has been completed (<see cref="SegmentSealer.CompletePendingSeal"/>).
/// </summary>
internal sealed class SealEntrySettlement(EvidenceStore store)
{
    private readonly Dictionary<string, HashSet<(long, string)>> _recorded = [];

    public List<SettledEntry> SettleAbandoned(string sessionDirectory)
    {
        var sessionId = Path.GetFileName(sessionDirectory);
        var settled = new List<SettledEntry>();
        var notes = SealEntryNote.List(sessionDirectory);
        if (notes.Count > 0)
        {
            // As the writer would have: index before recording. The dead writer's segments are
            // sealed and missing from the index; an update catches up every such segment.
            store.UpdateIndex([]);
        }

        foreach (var path in notes)
        {
            var note = SealEntryNote.Read(path);
            var outcome = Settle(note, sessionId);
            SealEntryNote.Remove(path);
            store.SealFaults?.Reached(SealStep.EntryNoteRemoved, note.SegmentId);
            settled.Add(new SettledEntry(sessionId, note.SegmentId, outcome));
        }

        return settled;
    }

    private string Settle(PendingSealEntry note, string sessionId)
    {
        var segment = store.TryLoadSegment(note.SegmentId);
        if (segment is null || segment.ManifestSha256 != note.ManifestSha256)
        {
            // The manifest (the commit point) was never written: the seal's intent was dropped and
            // its data left where recovery seals it again. Nothing is sealed, nothing is owed.
            return "not-sealed";
        }

        if (Recorded(note.Event.Action).Contains((note.SegmentId, note.ManifestSha256)))
        {
            return "already-recorded";
        }

        var details = note.Event.Details.DeepClone().AsObject();
        details["recovered"] = true;
        details["recoveredFromSession"] = sessionId;
        store.Record(note.Event with { Details = details });
        store.SealFaults?.Reached(SealStep.EntryRecorded, note.SegmentId);
        return "recorded";
    }

    /// <summary>(segment id, manifest hash) of every entry of <paramref name="action"/>, read once per recovery run.</summary>
    private HashSet<(long, string)> Recorded(string action)
    {
        if (!_recorded.TryGetValue(action, out var set))
        {
            set = [];
            foreach (var recorded in store.Journal?.Recorded(action) ?? [])
            {
                if (recorded.Subjects["segmentId"] is JsonValue id && id.TryGetValue<long>(out var segmentId)
                    && recorded.Hashes.TryGetValue("manifest", out var manifest))
                {
                    set.Add((segmentId, manifest));
                }
            }

            _recorded[action] = set;
        }

        return set;
    }
}
