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
/// Steps, each durable before the next: (1) a seal intent next to the final location records the
/// source file, manifest and signature; (2) the data file is renamed into place; (3) the signature,
/// then (4) the manifest are written: the manifest's existence is the commit point; (5) the intent
/// is removed and HEAD updated. Whoever next takes the seal lock finds a leftover intent at HEAD+1
/// and finishes it (docs/store-layout.md, "Sealing").
/// </remarks>
public sealed class SegmentSealer
{
    private readonly StoreLayout _layout;
    private readonly string _storeId;
    private readonly ISigner _signer;
    private readonly TimeProvider _clock;
    private readonly StoreOptions _options;

    /// <summary>Creates a sealer for one store.</summary>
    public SegmentSealer(StoreLayout layout, string storeId, ISigner signer, TimeProvider clock, StoreOptions options)
    {
        _layout = layout;
        _storeId = storeId;
        _signer = signer;
        _clock = clock;
        _options = options;
    }

    /// <summary>Seals <paramref name="segment"/> and returns it as stored.</summary>
    public SealedSegment Seal(FinishedSegment segment, string reason, JsonObject origin)
    {
        ArgumentNullException.ThrowIfNull(segment);
        using var sealLock = FileLock.Acquire(_layout.SealLockFile, _options.LockTimeout);
        var head = ReadHeadCompletingIntents();
        var id = head.SegmentId + 1;
        var manifest = new SegmentManifest
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
        var bytes = manifest.ToCanonicalBytes();
        var signature = _signer.Sign(bytes);
        Directory.CreateDirectory(_layout.SegmentDirectory(id));
        var intent = new JsonObject
        {
            ["segmentId"] = id,
            ["source"] = System.IO.Path.GetFullPath(segment.Path),
            ["manifest"] = Convert.ToBase64String(bytes),
            ["signature"] = Convert.ToBase64String(signature),
        };
        DurableFile.WriteAllBytes(IntentFile(id), CanonicalJson.Serialize(intent));
        return Complete(id, System.IO.Path.GetFullPath(segment.Path), bytes, signature);
    }

    /// <summary>Finishes a seal a crashed process left half-done, if any.</summary>
    public void CompletePendingSeal()
    {
        using var sealLock = FileLock.Acquire(_layout.SealLockFile, _options.LockTimeout);
        ReadHeadCompletingIntents();
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

                Complete(next, source, manifestBytes, signature);
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

    private SealedSegment Complete(long id, string source, byte[] manifestBytes, byte[] signature)
    {
        var destination = _layout.SegmentFile(id, SegmentManifest.Parse(manifestBytes).FileFormat);
        if (!File.Exists(destination))
        {
            DurableFile.MoveNoReplace(source, destination);
        }

        DurableFile.WriteAllBytes(_layout.SignatureFile(id), signature);
        DurableFile.WriteAllBytes(_layout.ManifestFile(id), manifestBytes);
        var sha = Hex.Lower(SHA256.HashData(manifestBytes));
        WriteHead(new SegmentHead(id, sha));
        File.Delete(IntentFile(id));
        return new SealedSegment(SegmentManifest.Parse(manifestBytes), manifestBytes, sha, destination,
            _layout.ManifestFile(id), _layout.SignatureFile(id));
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
