using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Store;

namespace Recorder.Storage.Segments;

/// <summary>
/// Turns finished segment files into sealed segments, one at a time across all processes (under the
/// store's seal lock): allocates the next id, chains the manifest to the previous one, signs it, and
/// moves everything into place so that a crash at any step is completed, never half-done.
/// </summary>
/// <remarks>
/// Steps, each durable before the next (<see cref="SealStep"/>): (1) a seal intent next to the final
/// location records the source file, manifest, signature and the ledger entry owed; (2) the data file
/// is renamed into place; (3) the signature and (4) the note of the ledger entry owed (in the
/// writer's session directory) are written; (5) the manifest is written: its existence is the commit
/// point; (6) the intent is removed and (7) HEAD updated. Whoever next takes the seal lock finds a
/// leftover intent at HEAD+1 and finishes it; the writer (or, when it died, recovery) then indexes
/// the segment, records the entry and removes the note (docs/store-layout.md, "Sealing").
/// </remarks>
public sealed class SegmentSealer
{
    private readonly StoreLayout _layout;
    private readonly string _storeId;
    private readonly ISigner _signer;
    private readonly TimeProvider _clock;
    private readonly StoreOptions _options;
    private readonly ISealFaults? _faults;

    /// <summary>Creates a sealer for one store.</summary>
    public SegmentSealer(StoreLayout layout, string storeId, ISigner signer, TimeProvider clock, StoreOptions options)
        : this(layout, storeId, signer, clock, options, null)
    {
    }

    internal SegmentSealer(StoreLayout layout, string storeId, ISigner signer, TimeProvider clock, StoreOptions options, ISealFaults? faults)
    {
        _layout = layout;
        _storeId = storeId;
        _signer = signer;
        _clock = clock;
        _options = options;
        _faults = faults;
    }

    /// <summary>
    /// Seals <paramref name="segment"/> and returns it as stored. The note of the ledger entry owed
    /// is left in <paramref name="entry"/>'s directory: the caller indexes the segment, then settles
    /// the note (<see cref="SealEntryNote"/>).
    /// </summary>
    public SealedSegment Seal(FinishedSegment segment, string reason, JsonObject origin, SealEntry entry)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(entry);
        using var sealLock = FileLock.Acquire(_layout.SealLockFile, _options.LockTimeout);
        var head = ReadHeadCompletingIntents();
        var id = head.SegmentId + 1;
        var bytes = NewManifest(segment, reason, origin, id, head).ToCanonicalBytes();
        var signature = _signer.Sign(bytes);
        var note = SealEntryNote.Serialize(id, Hex.Lower(SHA256.HashData(bytes)), entry.Describe(Describe(id, bytes)));
        Directory.CreateDirectory(_layout.SegmentDirectory(id));
        var entryDirectory = System.IO.Path.GetFullPath(entry.Directory);
        var intent = new JsonObject
        {
            ["segmentId"] = id,
            ["source"] = System.IO.Path.GetFullPath(segment.Path),
            ["manifest"] = Convert.ToBase64String(bytes),
            ["signature"] = Convert.ToBase64String(signature),
            ["entry"] = new JsonObject { ["directory"] = entryDirectory, ["note"] = Convert.ToBase64String(note) },
        };
        DurableFile.WriteAllBytes(IntentFile(id), CanonicalJson.Serialize(intent));
        _faults?.Reached(SealStep.IntentWritten, id);
        return Complete(id, System.IO.Path.GetFullPath(segment.Path), bytes, signature, (entryDirectory, note));
    }

    /// <summary>Finishes a seal a crashed process left half-done, if any.</summary>
    public void CompletePendingSeal()
    {
        using var sealLock = FileLock.Acquire(_layout.SealLockFile, _options.LockTimeout);
        ReadHeadCompletingIntents();
    }

    /// <summary>
    /// Removes what a crash or a full disk left in <c>segments/</c>: temporary files of interrupted
    /// writes, and intents of seals already complete.
    /// </summary>
    public void RemoveLeftovers()
    {
        using var sealLock = FileLock.Acquire(_layout.SealLockFile, _options.LockTimeout);
        RemoveLeftovers(ReadHeadCompletingIntents());
    }

    /// <summary>
    /// Reads HEAD under the seal lock (the caller holds it), finishing an interrupted seal at HEAD+1
    /// and catching up with any manifest written after HEAD. An empty store is at id 0.
    /// </summary>
    internal SegmentHead ReadHeadCompletingIntents()
    {
        var head = ReadHead();
        while (true)
        {
            var next = head.SegmentId + 1;
            if (File.Exists(IntentFile(next)))
            {
                var intent = JsonNode.Parse(File.ReadAllBytes(IntentFile(next)))!.AsObject();
                var manifestBytes = Convert.FromBase64String(intent["manifest"]!.GetValue<string>());
                var signature = Convert.FromBase64String(intent["signature"]!.GetValue<string>());
                var source = intent["source"]!.GetValue<string>();
                var format = SegmentManifest.Parse(manifestBytes).FileFormat;
                if (!File.Exists(_layout.SegmentFile(next, format)) && !File.Exists(source))
                {
                    // The data is gone (never moved and no longer where it was): nothing can be
                    // sealed. The intent is dropped; the id stays free for the next seal.
                    File.Delete(IntentFile(next));
                    break;
                }

                // Intents written before seal-entry notes existed owe no note.
                var entry = intent["entry"] is JsonObject owed
                    ? (owed["directory"]!.GetValue<string>(), Convert.FromBase64String(owed["note"]!.GetValue<string>()))
                    : ((string, byte[])?)null;
                Complete(next, source, manifestBytes, signature, entry);
                head = new SegmentHead(next, Hex.Lower(SHA256.HashData(manifestBytes)));
                continue;
            }

            if (File.Exists(_layout.ManifestFile(next)))
            {
                head = new SegmentHead(next, Hex.Lower(SHA256.HashData(File.ReadAllBytes(_layout.ManifestFile(next)))));
                WriteHead(head);
                continue;
            }

            break;
        }

        return head;
    }

    private SegmentManifest NewManifest(FinishedSegment segment, string reason, JsonObject origin, long id, SegmentHead head) => new()
    {
        StoreId = _storeId,
        SegmentId = id,
        File = System.IO.Path.GetFileName(_layout.SegmentFile(id, segment.Format)),
        FileFormat = segment.Format,
        Bytes = segment.Bytes,
        Sha256 = segment.Sha256,
        Packets = segment.Packets,
        PacketBytes = segment.PacketBytes,
        OriginalBytes = segment.OriginalBytes,
        LinkType = segment.LinkType,
        Interfaces = segment.Interfaces,
        FirstTimestamp = new Timestamp(segment.FirstNanoseconds),
        LastTimestamp = new Timestamp(segment.LastNanoseconds),
        PreviousManifestSha256 = head.ManifestSha256,
        SealedAt = Timestamp.Now(_clock),
        SealReason = reason,
        Origin = origin,
        Recorder = _options.Application,
    };

    private SealedSegment Complete(long id, string source, byte[] manifestBytes, byte[] signature, (string Directory, byte[] Note)? entry)
    {
        var sealedSegment = Describe(id, manifestBytes);
        if (!File.Exists(sealedSegment.Path))
        {
            DurableFile.MoveNoReplace(source, sealedSegment.Path);
        }

        _faults?.Reached(SealStep.DataMoved, id);
        DurableFile.WriteAllBytes(_layout.SignatureFile(id), signature);
        _faults?.Reached(SealStep.SignatureWritten, id);
        if (entry is { } owed)
        {
            // Before the commit point: a sealed segment always has its entry recorded or a note
            // saying it is owed. A directory gone meanwhile is made again; recovery takes a session
            // directory holding notes but no lock file for an abandoned one.
            Directory.CreateDirectory(owed.Directory);
            DurableFile.WriteAllBytes(SealEntryNote.PathFor(owed.Directory, id), owed.Note);
            _faults?.Reached(SealStep.EntryNoteWritten, id);
        }

        DurableFile.WriteAllBytes(_layout.ManifestFile(id), manifestBytes);
        _faults?.Reached(SealStep.ManifestWritten, id);

        // The intent goes before HEAD moves: HEAD names the last completed seal, so an intent at or
        // below it would never be looked at again (a stray file that verification reports forever).
        File.Delete(IntentFile(id));
        DurableFile.SyncDirectory(_layout.SegmentDirectory(id));
        _faults?.Reached(SealStep.IntentRemoved, id);
        WriteHead(new SegmentHead(id, sealedSegment.ManifestSha256));
        _faults?.Reached(SealStep.HeadWritten, id);
        return sealedSegment;
    }

    private SealedSegment Describe(long id, byte[] manifestBytes)
    {
        var manifest = SegmentManifest.Parse(manifestBytes);
        return new SealedSegment(manifest, manifestBytes, Hex.Lower(SHA256.HashData(manifestBytes)),
            _layout.SegmentFile(id, manifest.FileFormat), _layout.ManifestFile(id), _layout.SignatureFile(id));
    }

    /// <summary>
    /// Under the seal lock (every write into <c>segments/</c> happens under it): temporary files
    /// are what an interrupted or failed write left, and an intent of a segment whose manifest
    /// exists at or below HEAD was completed (stores sealed before the intent was removed first).
    /// </summary>
    private void RemoveLeftovers(SegmentHead head)
    {
        if (!Directory.Exists(_layout.SegmentsDirectory))
        {
            return;
        }

        var directories = Directory.EnumerateDirectories(_layout.SegmentsDirectory).Prepend(_layout.SegmentsDirectory);
        foreach (var directory in directories.ToList())
        {
            foreach (var file in Directory.EnumerateFiles(directory).ToList())
            {
                var name = System.IO.Path.GetFileName(file);
                var completedIntent = name.EndsWith(".seal-intent.json", StringComparison.Ordinal)
                    && StoreLayout.TryParseSegmentName(name[..^".seal-intent.json".Length], out var id)
                    && id <= head.SegmentId && File.Exists(_layout.ManifestFile(id));
                if (DurableFile.IsTemporary(name) || completedIntent)
                {
                    File.Delete(file);
                }
            }
        }
    }

    private SegmentHead ReadHead()
    {
        if (File.Exists(_layout.SegmentHeadFile))
        {
            try
            {
                var json = JsonNode.Parse(File.ReadAllBytes(_layout.SegmentHeadFile))!.AsObject();
                var head = new SegmentHead(json["segmentId"]!.GetValue<long>(), json["manifestSha256"]!.GetValue<string>());
                if (head.SegmentId == 0 || File.Exists(_layout.ManifestFile(head.SegmentId)))
                {
                    return head;
                }
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
            {
                // HEAD is only a hint; fall through and derive it from the manifests.
            }
        }

        return DeriveHead();
    }

    private SegmentHead DeriveHead()
    {
        var last = SegmentCatalog.ListManifestIds(_layout).DefaultIfEmpty(0).Max();
        return last == 0
            ? new SegmentHead(0, SegmentManifest.GenesisHash)
            : new SegmentHead(last, Hex.Lower(SHA256.HashData(File.ReadAllBytes(_layout.ManifestFile(last)))));
    }

    private void WriteHead(SegmentHead head)
    {
        Directory.CreateDirectory(_layout.SegmentsDirectory);
        DurableFile.WriteAllBytes(_layout.SegmentHeadFile, CanonicalJson.Serialize(new JsonObject
        {
            ["segmentId"] = head.SegmentId,
            ["manifestSha256"] = head.ManifestSha256,
        }));
    }

    private string IntentFile(long id) => _layout.SealIntentFile(id);
}

/// <summary>The last sealed segment: its id (0 for none) and manifest hash (64 zeros for none).</summary>
/// <param name="SegmentId">The id.</param>
/// <param name="ManifestSha256">The manifest's SHA-256.</param>
public sealed record SegmentHead(long SegmentId, string ManifestSha256);
