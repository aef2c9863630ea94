using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Storage.Store;

namespace Recorder.Storage.Segments;

/// <summary>
/// Who owes the ledger entry of a seal, and where its note goes: the writer's session directory
/// (locked for the writer's life, so recovery can tell an owner that died from one still working),
/// and the custody event to record once the segment is sealed and indexed.
/// </summary>
/// <param name="Directory">The writer's session directory.</param>
/// <param name="Describe">The event recording the sealed segment.</param>
public sealed record SealEntry(string Directory, Func<SealedSegment, CustodyEvent> Describe);

/// <summary>
/// The note of a ledger entry owed for a sealed segment (<c>NNNNNNNNNNNN.seal-entry.json</c> in the
/// writer's session directory). It is written before the manifest, the seal's commit point, and
/// removed once the entry is durable: a manifest whose note still exists has not been recorded yet,
/// or was recorded by a writer that died before removing the note. Format in docs/store-layout.md.
/// </summary>
public static class SealEntryNote
{
    /// <summary>The suffix of note files.</summary>
    public const string Suffix = ".seal-entry.json";

    /// <summary>The note of segment <paramref name="segmentId"/> in <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, long segmentId) =>
        Path.Combine(directory, StoreLayout.SegmentName(segmentId) + Suffix);

    /// <summary>Every note in <paramref name="directory"/>, by segment id.</summary>
    public static IReadOnlyList<string> List(string directory) =>
        System.IO.Directory.Exists(directory)
            ? System.IO.Directory.EnumerateFiles(directory, "*" + Suffix).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The canonical JSON of a note.</summary>
    public static byte[] Serialize(long segmentId, string manifestSha256, CustodyEvent custodyEvent)
    {
        ArgumentNullException.ThrowIfNull(custodyEvent);
        var hashes = new JsonObject();
        foreach (var (name, value) in custodyEvent.Hashes)
        {
            hashes[name] = value;
        }

        return CanonicalJson.Serialize(new JsonObject
        {
            ["format"] = "recorder.seal-entry",
            ["formatVersion"] = 1,
            ["segmentId"] = segmentId,
            ["manifestSha256"] = manifestSha256,
            ["event"] = new JsonObject
            {
                ["action"] = custodyEvent.Action,
                ["subjects"] = custodyEvent.Subjects.DeepClone(),
                ["hashes"] = hashes,
                ["details"] = custodyEvent.Details.DeepClone(),
            },
        });
    }

    /// <summary>Reads a note back.</summary>
    /// <exception cref="StoreException">The note is not one this Recorder wrote.</exception>
    public static PendingSealEntry Read(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllBytes(path))!.AsObject();
            var custodyEvent = json["event"]!.AsObject();
            var hashes = custodyEvent["hashes"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            return new PendingSealEntry(path, json["segmentId"]!.GetValue<long>(), json["manifestSha256"]!.GetValue<string>(),
                new CustodyEvent(custodyEvent["action"]!.GetValue<string>(), custodyEvent["subjects"]!.DeepClone().AsObject(), hashes,
                    custodyEvent["details"]!.DeepClone().AsObject()));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new StoreException($"{path}: not a seal-entry note: {e.Message}", e);
        }
    }

    /// <summary>
    /// Records the note's event and removes the note: the last step of a seal. A crash between the
    /// two leaves a note whose entry exists; recovery looks for it before recording (see
    /// <see cref="Recovery.SealEntrySettlement"/>).
    /// </summary>
    internal static void Settle(EvidenceStore store, string path)
    {
        var note = Read(path);
        store.Record(note.Event);
        store.SealFaults?.Reached(SealStep.EntryRecorded, note.SegmentId);
        Remove(path);
        store.SealFaults?.Reached(SealStep.EntryNoteRemoved, note.SegmentId);
    }

    /// <summary>Removes a note durably (its directory entry is flushed).</summary>
    internal static void Remove(string path)
    {
        File.Delete(path);
        DurableFile.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }
}

/// <summary>A note read back: the segment, its manifest hash, and the event owed.</summary>
/// <param name="Path">The note file.</param>
/// <param name="SegmentId">The sealed segment.</param>
/// <param name="ManifestSha256">The manifest it was sealed with.</param>
/// <param name="Event">The custody event to record.</param>
public sealed record PendingSealEntry(string Path, long SegmentId, string ManifestSha256, CustodyEvent Event);
