using System.Collections.Concurrent;
using System.Security.Cryptography;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Indexing;
using Recorder.Core.Json;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Verification;

/// <summary>
/// Re-checks a store from its files: every manifest (canonical, signed by the store key, chained to
/// its predecessor, ids without gaps), every segment file (size, SHA-256, and a full parse agreeing
/// with the manifest), and the index against what the segments say it must hold. Reports every
/// problem, not the first. It checks the segments sealed when it starts (<see cref="SealedSnapshot"/>):
/// a writer at work beside it is never reported as a problem.
/// </summary>
public sealed class StoreVerifier
{
    private readonly EvidenceStore _store;

    /// <summary>Creates a verifier for <paramref name="store"/>.</summary>
    public StoreVerifier(EvidenceStore store) => _store = store;

    /// <summary>Runs every check.</summary>
    public VerificationReport Verify(CancellationToken cancellationToken = default)
    {
        var layout = _store.Layout;
        var findings = new ConcurrentBag<Finding>();
        var snapshot = SealedSnapshot.Take(_store);
        var ids = snapshot.SegmentIds;
        var manifests = new Dictionary<long, (SegmentManifest? Manifest, byte[] Bytes)>();
        foreach (var id in ids)
        {
            manifests[id] = CheckManifest(id, findings);
        }

        CheckChain(ids, manifests, findings);
        foreach (var stray in snapshot.StrayFiles)
        {
            findings.Add(new Finding(layout.Relative(stray), "stray file", "only sealed segments' files in segments/", "a file belonging to no sealed segment"));
        }

        IPacketIndex? index = null;
        Dictionary<long, IndexedSegment> catalog = [];
        try
        {
            // Under the index lock: a writer creating the index (or swapping a rebuilt one in) is
            // never seen half-way; the reader then keeps the state it opened.
            using (SealedSnapshot.TryLock(layout.IndexLockFile, _store.Options.LockTimeout))
            {
                index = _store.OpenIndexReader();
                catalog = index?.Segments().ToDictionary(s => s.SegmentId) ?? [];
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            findings.Add(new Finding("index", "readable", "an index this Recorder can read", $"{e.GetType().Name}: {e.Message} (run recorder index rebuild)"));
            index?.Dispose();
            index = null;
        }

        // Segments a living writer has sealed and not yet indexed may be the store's first ones.
        var settled = ids.Count(id => !snapshot.InFlight.Contains(id));
        if (index is null && !findings.Any(f => f.Subject == "index") && settled > 0)
        {
            findings.Add(new Finding("index", "presence", $"an index of the {settled} sealed segment(s)",
                $"no index at {layout.Relative(layout.IndexDirectory)} (run recorder index rebuild)"));
        }

        using var indexScope = index;
        long packets = 0, bytes = 0;
        var indexChecked = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        var lockObject = new object();
        Parallel.ForEach(ids, options, id =>
        {
            var (manifest, manifestBytes) = manifests[id];
            if (manifest is null)
            {
                return;
            }

            var (scanned, data, hashed) = CheckSegmentFile(id, manifest, findings);
            var checkedIndex = index is not null && CheckIndex(id, manifestBytes, manifest, data, catalog, index, snapshot.InFlight, findings);
            lock (lockObject)
            {
                packets += scanned;
                bytes += hashed;
                indexChecked += checkedIndex ? 1 : 0;
            }
        });

        // A segment sealed after the snapshot may be indexed already: only a manifest missing now counts.
        foreach (var entry in catalog.Values.Where(e => !manifests.ContainsKey(e.SegmentId) && !File.Exists(layout.ManifestFile(e.SegmentId))))
        {
            findings.Add(new Finding($"index", "catalog", "entries only for sealed segments",
                $"an entry for segment {entry.SegmentId}, which has no manifest") { SegmentId = entry.SegmentId });
        }

        return new VerificationReport
        {
            Findings = findings.OrderBy(f => f.SegmentId ?? long.MaxValue).ThenBy(f => f.Subject, StringComparer.Ordinal)
                .ThenBy(f => f.Check, StringComparer.Ordinal).ToList(),
            SegmentsChecked = ids.Count,
            PacketsChecked = packets,
            BytesHashed = bytes,
            IndexEntriesChecked = indexChecked,
            SegmentIds = ids,
            InFlightSegmentIds = snapshot.InFlight,
            Notes = new System.Text.Json.Nodes.JsonObject
            {
                ["segmentsBeingRecorded"] = snapshot.InFlight.Count,
                ["snapshotUnderSealLock"] = snapshot.Locked,
            },
        };
    }

    private (SegmentManifest?, byte[]) CheckManifest(long id, ConcurrentBag<Finding> findings)
    {
        var layout = _store.Layout;
        var subject = $"segment {id}";
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(layout.ManifestFile(id));
        }
        catch (IOException e)
        {
            findings.Add(new Finding(subject, "manifest readable", layout.Relative(layout.ManifestFile(id)), e.Message) { SegmentId = id });
            return (null, []);
        }

        if (!File.Exists(layout.SignatureFile(id)))
        {
            findings.Add(new Finding(subject, "signature", "a 64-byte Ed25519 signature file", "no signature file") { SegmentId = id });
        }
        else
        {
            var signature = File.ReadAllBytes(layout.SignatureFile(id));
            if (!_store.Key.Verify(bytes, signature))
            {
                findings.Add(new Finding(subject, "signature",
                    $"a valid Ed25519 signature over the manifest by key {_store.Key.Fingerprint[..16]}…",
                    signature.Length == 64 ? "a signature that does not verify" : $"{signature.Length} bytes") { SegmentId = id });
            }
        }

        if (!CanonicalJson.IsCanonical(bytes))
        {
            findings.Add(new Finding(subject, "manifest encoding", "RFC 8785 canonical JSON", "non-canonical bytes") { SegmentId = id });
        }

        SegmentManifest manifest;
        try
        {
            manifest = SegmentManifest.Parse(bytes);
        }
        catch (FormatException e)
        {
            findings.Add(new Finding(subject, "manifest", "a valid version-1 segment manifest", e.Message) { SegmentId = id });
            return (null, bytes);
        }

        if (manifest.SegmentId != id)
        {
            findings.Add(new Finding(subject, "manifest segmentId", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                manifest.SegmentId.ToString(System.Globalization.CultureInfo.InvariantCulture)) { SegmentId = id });
        }

        if (manifest.StoreId != _store.StoreId)
        {
            findings.Add(new Finding(subject, "manifest storeId", _store.StoreId, manifest.StoreId) { SegmentId = id });
        }

        if (manifest.File != Path.GetFileName(layout.SegmentFile(id, manifest.FileFormat)))
        {
            findings.Add(new Finding(subject, "manifest file", Path.GetFileName(layout.SegmentFile(id, manifest.FileFormat)), manifest.File) { SegmentId = id });
        }

        // A file under the segment's name in the format its manifest does not name is no part of it:
        // a query or a tool opening the wrong one would read unsealed bytes.
        var other = layout.SegmentFile(id, manifest.FileFormat == CaptureFileFormat.Pcap ? CaptureFileFormat.Pcapng : CaptureFileFormat.Pcap);
        if (File.Exists(other))
        {
            findings.Add(new Finding(layout.Relative(other), "stray file", "only sealed segments' files in segments/",
                $"a {Path.GetExtension(other)} file beside segment {id}, whose manifest names {manifest.File}") { SegmentId = id });
        }

        return (manifest, bytes);
    }

    private static void CheckChain(IReadOnlyList<long> ids, Dictionary<long, (SegmentManifest? Manifest, byte[] Bytes)> manifests, ConcurrentBag<Finding> findings)
    {
        var last = ids.Count == 0 ? 0 : ids[^1];
        for (var id = 1L; id <= last; id++)
        {
            if (!manifests.TryGetValue(id, out var current))
            {
                findings.Add(new Finding($"segment {id}", "presence", "a sealed segment (ids run 1.." + last + " without gaps)", "no manifest") { SegmentId = id });
                continue;
            }

            if (current.Manifest is null)
            {
                continue;
            }

            var expected = id == 1
                ? SegmentManifest.GenesisHash
                : manifests.TryGetValue(id - 1, out var previous) && previous.Bytes.Length > 0
                    ? Hex.Lower(SHA256.HashData(previous.Bytes))
                    : null;
            if (expected is not null && current.Manifest.PreviousManifestSha256 != expected)
            {
                findings.Add(new Finding($"segment {id}", "chain", $"previousManifestSha256 {expected}",
                    current.Manifest.PreviousManifestSha256) { SegmentId = id });
            }
        }
    }

    private (long Packets, SegmentIndexData? Data, long Hashed) CheckSegmentFile(long id, SegmentManifest manifest, ConcurrentBag<Finding> findings)
    {
        var layout = _store.Layout;
        var path = layout.SegmentFile(id, manifest.FileFormat);
        var subject = $"segment {id}";
        if (!File.Exists(path))
        {
            findings.Add(new Finding(subject, "segment file", layout.Relative(path), "missing") { SegmentId = id });
            return (0, null, 0);
        }

        // The re-hash (one core's SHA-256) and the re-index (parsing) each read the whole file: side
        // by side they take the longer of the two, and the second read of each block is a cache hit.
        var hashing = Task.Run(() =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            return (Length: stream.Length, Sha: Hex.Lower(SHA256.HashData(stream)));
        });
        try
        {
            return DeriveAndCompare(id, manifest, path, subject, findings);
        }
        finally
        {
            var (length, sha) = hashing.GetAwaiter().GetResult();
            if (length != manifest.Bytes)
            {
                findings.Add(new Finding(subject, "size", $"{manifest.Bytes} bytes", $"{length} bytes") { SegmentId = id });
            }

            if (sha != manifest.Sha256)
            {
                findings.Add(new Finding(subject, "sha256", manifest.Sha256, sha) { SegmentId = id });
            }
        }
    }

    private static (long Packets, SegmentIndexData? Data, long Hashed) DeriveAndCompare(long id, SegmentManifest manifest, string path, string subject,
        ConcurrentBag<Finding> findings)
    {
        var length = new FileInfo(path).Length;
        try
        {
            var data = EvidenceStore.DeriveIndex(path, out var scan);
            Compare(subject, id, "packets", manifest.Packets, scan.Packets, findings);
            Compare(subject, id, "packetBytes", manifest.PacketBytes, scan.PacketBytes, findings);
            Compare(subject, id, "originalBytes", manifest.OriginalBytes, scan.OriginalBytes, findings);
            if (scan.Packets > 0)
            {
                Compare(subject, id, "firstTimestamp", manifest.FirstTimestamp.UnixNanoseconds, scan.FirstNanoseconds, findings);
                Compare(subject, id, "lastTimestamp", manifest.LastTimestamp.UnixNanoseconds, scan.LastNanoseconds, findings);
            }

            var linkTypes = scan.Interfaces.Select(i => i.LinkType).Distinct().ToList();
            if (linkTypes.Count != 1 || linkTypes[0] != manifest.LinkType)
            {
                findings.Add(new Finding(subject, "linkType", manifest.LinkType.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(",", linkTypes)) { SegmentId = id });
            }

            return (scan.Packets, data, length);
        }
        catch (SegmentCorruptException e)
        {
            findings.Add(new Finding(subject, "format", "a well-formed segment (pcapng)", $"offset {e.Offset}: {e.Reason}") { SegmentId = id });
            return (0, null, length);
        }
    }

    private static bool CheckIndex(long id, byte[] manifestBytes, SegmentManifest manifest, SegmentIndexData? derived,
        Dictionary<long, IndexedSegment> catalog, IPacketIndex? index, IReadOnlySet<long> inFlight, ConcurrentBag<Finding> findings)
    {
        var subject = $"segment {id}";
        if (!catalog.TryGetValue(id, out var entry))
        {
            if (inFlight.Contains(id))
            {
                // Its writer indexes it before it settles the seal; it is not late yet.
                return false;
            }

            findings.Add(new Finding(subject, "index", "an index entry for every sealed segment", "not indexed") { SegmentId = id });
            return false;
        }

        var manifestSha = Hex.Lower(SHA256.HashData(manifestBytes));
        if (entry.ManifestSha256 != manifestSha)
        {
            findings.Add(new Finding(subject, "index catalog", $"manifest {manifestSha}", $"manifest {entry.ManifestSha256}") { SegmentId = id });
        }

        if (entry.Packets != manifest.Packets || entry.FirstNanoseconds != manifest.FirstTimestamp.UnixNanoseconds
            || entry.LastNanoseconds != manifest.LastTimestamp.UnixNanoseconds)
        {
            findings.Add(new Finding(subject, "index catalog", $"{manifest.Packets} packets {manifest.FirstTimestamp}..{manifest.LastTimestamp}",
                $"{entry.Packets} packets {new Core.Time.Timestamp(entry.FirstNanoseconds)}..{new Core.Time.Timestamp(entry.LastNanoseconds)}") { SegmentId = id });
        }

        if (derived is not null)
        {
            var stored = index!.Read(id);
            if (stored is null)
            {
                findings.Add(new Finding(subject, "index entries", "flows and time chunks", "none") { SegmentId = id });
            }
            else
            {
                foreach (var difference in derived.Differences(stored))
                {
                    findings.Add(new Finding(subject, "index entries", "entries equal to those derived from the segment file", difference) { SegmentId = id });
                }
            }
        }

        return true;
    }

    private static void Compare(string subject, long id, string check, long expected, long found, ConcurrentBag<Finding> findings)
    {
        if (expected != found)
        {
            findings.Add(new Finding(subject, check, expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
                found.ToString(System.Globalization.CultureInfo.InvariantCulture)) { SegmentId = id });
        }
    }
}
