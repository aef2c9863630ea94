using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Json;
using Recorder.Core.Packets;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Signing;
using Recorder.Storage.Segments;

namespace Recorder.Storage.Store;

/// <summary>
/// A store directory: its identity (<c>store.json</c>), its Ed25519 key, sealed segments, the open
/// segments of writing sessions, the index and the ledger (see docs/store-layout.md). Any number of
/// processes may open the same store; writers coordinate through lock files.
/// </summary>
public sealed class EvidenceStore : IDisposable
{
    /// <summary>The store format version this code reads and writes.</summary>
    public const int FormatVersion = 1;

    private readonly StoreServices _services;
    private ICustodyJournal? _journal;

    private EvidenceStore(StoreLayout layout, string storeId, Ed25519Key key, StoreServices services)
    {
        Layout = layout;
        StoreId = storeId;
        Key = key;
        _services = services;
        Sealer = new SegmentSealer(layout, storeId, key, services.Clock, services.Options, services.SealFaults);
    }

    /// <summary>Where everything is.</summary>
    public StoreLayout Layout { get; }

    /// <summary>The store's unique id.</summary>
    public string StoreId { get; }

    /// <summary>The store's signing key (public only when the private key is not readable).</summary>
    public Ed25519Key Key { get; }

    /// <summary>Tunables.</summary>
    public StoreOptions Options => _services.Options;

    /// <summary>The clock.</summary>
    public TimeProvider Clock => _services.Clock;

    /// <summary>Seals finished segments.</summary>
    public SegmentSealer Sealer { get; }

    /// <summary>The custody journal; every store has one (see <see cref="StoreServices.JournalFactory"/>).</summary>
    public ICustodyJournal Journal => _journal ?? throw new InvalidOperationException("the store's journal is used before the store is open");

    /// <summary>The fault-injection seam of the seal protocol (null outside tests).</summary>
    internal ISealFaults? SealFaults => _services.SealFaults;

    /// <summary>True when a store exists at <paramref name="root"/>.</summary>
    public static bool Exists(string root) => File.Exists(new StoreLayout(root).StoreFile);

    /// <summary>Opens the store at <paramref name="root"/>, creating it (with a new key) when absent.</summary>
    public static EvidenceStore OpenOrCreate(string root, StoreServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Options.Validate();
        var layout = new StoreLayout(root);
        Directory.CreateDirectory(layout.Root);
        Directory.CreateDirectory(layout.LocksDirectory);
        bool created;
        using (FileLock.Acquire(Path.Combine(layout.LocksDirectory, "create.lock"), services.Options.LockTimeout))
        {
            created = !File.Exists(layout.StoreFile);
            if (created)
            {
                CreateFiles(layout, services);
            }
        }

        var store = Open(root, services);
        if (created)
        {
            store.Record(LedgerActions.StoreCreated, new JsonObject { ["storeId"] = store.StoreId },
                new Dictionary<string, string>(), new JsonObject
                {
                    ["formatVersion"] = FormatVersion,
                    ["path"] = layout.Root,
                });
            store.Record(LedgerActions.KeyCreated, new JsonObject { ["keyFingerprint"] = store.Key.Fingerprint },
                new Dictionary<string, string> { ["publicKey"] = store.Key.Fingerprint },
                new JsonObject
                {
                    ["algorithm"] = store.Key.Algorithm,
                    ["publicKeyFile"] = layout.Relative(layout.SigningPublicKeyFile),
                    ["privateKeyMode"] = "0600",
                });
        }

        return store;
    }

    /// <summary>Opens an existing store; throws <see cref="StoreException"/> when there is none.</summary>
    public static EvidenceStore Open(string root, StoreServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.JournalFactory is null)
        {
            // `required` stops callers that compile against it; this stops a null passed anyway.
            throw new ArgumentException("a store is opened only with a custody journal (StoreServices.JournalFactory)", nameof(services));
        }

        services.Options.Validate();
        var layout = new StoreLayout(root);
        if (!File.Exists(layout.StoreFile))
        {
            throw new StoreException($"{layout.Root}: no Recorder store here (no store.json); import or capture into it first");
        }

        JsonObject info;
        try
        {
            info = JsonNode.Parse(File.ReadAllBytes(layout.StoreFile))!.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new StoreException($"{layout.StoreFile}: not valid JSON", e);
        }

        var version = info["formatVersion"]?.GetValue<int>() ?? 0;
        if (version != FormatVersion)
        {
            throw new StoreException($"{layout.StoreFile}: store format version {version}, this Recorder reads version {FormatVersion}");
        }

        var storeId = info["storeId"]?.GetValue<string>() ?? throw new StoreException($"{layout.StoreFile}: storeId missing");
        Ed25519Key key;
        try
        {
            key = File.Exists(layout.SigningKeyFile) && CanRead(layout.SigningKeyFile)
                ? Ed25519Key.Load(layout.SigningKeyFile)
                : Ed25519Key.Load(layout.SigningPublicKeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new StoreException($"{layout.KeysDirectory}: cannot load the store key: {e.Message}", e);
        }

        var store = new EvidenceStore(layout, storeId, key, services);
        store._journal = services.JournalFactory(store)
            ?? throw new ArgumentException("StoreServices.JournalFactory returned no journal", nameof(services));
        return store;
    }

    /// <summary>
    /// Durably records a custody event in the store's journal and returns its sequence number. There
    /// is no way to skip this: a journal that cannot record throws, and the action it covers fails.
    /// </summary>
    public long Record(string action, JsonObject subjects, IReadOnlyDictionary<string, string> hashes, JsonObject details,
        string? caseId = null, string? reason = null) =>
        Journal.Record(new CustodyEvent(action, subjects, hashes, details, caseId, reason));

    /// <summary>Records <paramref name="custodyEvent"/> when a journal is attached; returns its sequence number or -1.</summary>
    public long Record(CustodyEvent custodyEvent) => _journal?.Record(custodyEvent) ?? -1;

    /// <summary>Records the sealing of <paramref name="segment"/>, naming the import or capture it came from.</summary>
    public long RecordSealed(SealedSegment segment, string originKey, string originId) =>
        Record(SealedEvent(segment, new JsonObject { [originKey] = originId }));

    /// <summary>
    /// The <c>segment.sealed</c> event of <paramref name="segment"/>; <paramref name="origin"/> holds
    /// the subjects naming the import or capture it came from (<c>importId</c>, <c>captureId</c>).
    /// </summary>
    public CustodyEvent SealedEvent(SealedSegment segment, JsonObject origin)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(origin);
        var subjects = new JsonObject { ["segmentId"] = segment.Id };
        foreach (var (name, value) in origin)
        {
            subjects[name] = value?.DeepClone();
        }

        return new CustodyEvent(LedgerActions.SegmentSealed,
            subjects,
            new Dictionary<string, string> { ["manifest"] = segment.ManifestSha256, ["segment"] = segment.Manifest.Sha256 },
            new JsonObject
            {
                ["reason"] = segment.Manifest.SealReason,
                ["packets"] = segment.Manifest.Packets,
                ["bytes"] = segment.Manifest.Bytes,
                ["linkType"] = segment.Manifest.LinkType,
                ["firstTimestamp"] = segment.Manifest.FirstTimestamp.ToString(),
                ["lastTimestamp"] = segment.Manifest.LastTimestamp.ToString(),
                ["path"] = Layout.Relative(segment.Path),
            });
    }

    /// <summary>Every sealed segment, by id (manifests read from disk, not verified).</summary>
    public IReadOnlyList<SealedSegment> ListSegments()
    {
        var result = new List<SealedSegment>();
        foreach (var id in SegmentCatalog.ListManifestIds(Layout))
        {
            var segment = TryLoadSegment(id);
            if (segment is not null)
            {
                result.Add(segment);
            }
        }

        return result;
    }

    /// <summary>Loads a sealed segment's manifest; null when it is missing or unreadable.</summary>
    public SealedSegment? TryLoadSegment(long id) => SegmentCatalog.Load(Layout, id).Segment;

    /// <summary>Opens the index for reading (null when none has been written yet).</summary>
    public IPacketIndex? OpenIndexReader() => _services.IndexProvider.OpenReader(Layout.IndexDirectory);

    /// <summary>
    /// Adds sealed segments to the index, and first catches up with any sealed segment the index
    /// lacks (a crash between sealing and indexing), rebuilding those from their files.
    /// </summary>
    public IndexUpdate UpdateIndex(IReadOnlyList<(SealedSegment Segment, SegmentIndexData Data)> sealedSegments)
    {
        ArgumentNullException.ThrowIfNull(sealedSegments);
        var data = sealedSegments.ToDictionary(s => s.Segment.Id, s => s.Data);
        return UpdateIndex(sealedSegments.Select(s => s.Segment).ToList(), segment => data[segment.Id]);
    }

    /// <summary>
    /// Adds sealed segments to the index, asking <paramref name="indexData"/> for each one's index
    /// data only when that segment is written, in order, so a caller that keeps no reference holds
    /// one segment's index data at a time, however many segments there are; data in a file
    /// (<see cref="SegmentIndexFile"/>) is streamed from it to the index, and disposed (the file
    /// deleted) once written. First catches up with any sealed segment the index lacks.
    /// </summary>
    public IndexUpdate UpdateIndex(IReadOnlyList<SealedSegment> sealedSegments, Func<SealedSegment, ISegmentIndexSource> indexData)
    {
        ArgumentNullException.ThrowIfNull(sealedSegments);
        ArgumentNullException.ThrowIfNull(indexData);
        Directory.CreateDirectory(Layout.LocksDirectory);
        using var indexLock = FileLock.Acquire(Layout.IndexLockFile, Options.LockTimeout);
        using var writer = _services.IndexProvider.OpenWriter(Layout.IndexDirectory);
        var provided = sealedSegments.Select(s => s.Id).ToHashSet();
        var indexed = writer.Segments().ToDictionary(s => s.SegmentId, s => s.ManifestSha256);
        var caughtUp = new List<long>();
        foreach (var segment in ListSegments())
        {
            if (provided.Contains(segment.Id)
                || (indexed.TryGetValue(segment.Id, out var sha) && sha == segment.ManifestSha256))
            {
                continue;
            }

            writer.Add(Catalog(segment), DeriveIndex(segment));
            caughtUp.Add(segment.Id);
        }

        foreach (var segment in sealedSegments)
        {
            var source = indexData(segment);
            try
            {
                writer.Add(Catalog(segment), source);
            }
            finally
            {
                (source as IDisposable)?.Dispose();
            }

            // Each segment's entries leave memory before the next one's come: without a flush here
            // RocksDB's memory tables held every segment an import indexes until the end, so the
            // import's memory grew with the size of the capture.
            writer.Flush();
        }

        writer.Flush();
        return new IndexUpdate(sealedSegments.Select(s => s.Id).ToList(), caughtUp);
    }

    /// <summary>Rebuilds the whole index from the segments alone.</summary>
    public IndexUpdate RebuildIndex()
    {
        Directory.CreateDirectory(Layout.LocksDirectory);
        using var indexLock = FileLock.Acquire(Layout.IndexLockFile, Options.LockTimeout);
        var rebuilt = new List<long>();
        var temporary = Layout.IndexDirectory + ".rebuild";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        using (var writer = _services.IndexProvider.OpenWriter(temporary))
        {
            foreach (var segment in ListSegments())
            {
                writer.Add(Catalog(segment), DeriveIndex(segment));
                rebuilt.Add(segment.Id);
            }

            writer.Flush();
        }

        // Swap the new index in; readers holding the old one keep their open files.
        var old = Layout.IndexDirectory + ".old";
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }

        if (Directory.Exists(Layout.IndexDirectory))
        {
            Directory.Move(Layout.IndexDirectory, old);
        }

        Directory.Move(temporary, Layout.IndexDirectory);
        DurableFile.SyncDirectory(Layout.Root);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }

        return new IndexUpdate(rebuilt, []);
    }

    /// <summary>The catalog record of a sealed segment.</summary>
    public static IndexedSegment Catalog(SealedSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return new IndexedSegment(segment.Id, segment.Manifest.FirstTimestamp.UnixNanoseconds,
            segment.Manifest.LastTimestamp.UnixNanoseconds, segment.Manifest.Packets, segment.Manifest.Bytes, segment.ManifestSha256);
    }

    /// <summary>Derives a segment's index data from its file alone.</summary>
    public static SegmentIndexData DeriveIndex(SealedSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return DeriveIndex(segment.Path, out _);
    }

    /// <summary>Derives the index data of a segment file, and counts its packets.</summary>
    public static SegmentIndexData DeriveIndex(string segmentPath, out SegmentScan scan)
    {
        var builder = new SegmentIndexBuilder();
        using var reader = new SegmentReader(segmentPath);
        var offset = reader.DataStart;
        long packets = 0, packetBytes = 0, originalBytes = 0;
        long first = long.MaxValue, last = long.MinValue;
        while (offset < reader.Length)
        {
            var packet = reader.ReadAt(offset);
            PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
            builder.Add(decoded.ToFlowKey(), packet.Offset, packet.EndOffset, packet.Nanoseconds, packet.Data.Length);
            packets++;
            packetBytes += packet.Data.Length;
            originalBytes += packet.OriginalLength;
            first = Math.Min(first, packet.Nanoseconds);
            last = Math.Max(last, packet.Nanoseconds);
            offset = packet.EndOffset;
        }

        scan = new SegmentScan(packets, packetBytes, originalBytes, first, last, reader.Interfaces.ToList());
        return builder.Build();
    }

    /// <inheritdoc />
    public void Dispose() => (_journal as IDisposable)?.Dispose();

    private static void CreateFiles(StoreLayout layout, StoreServices services)
    {
        Directory.CreateDirectory(layout.KeysDirectory);
        Directory.CreateDirectory(layout.SegmentsDirectory);
        Directory.CreateDirectory(layout.OpenDirectory);
        var key = Ed25519Key.Generate();
        DurableFile.WriteAllText(layout.SigningKeyFile, key.PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DurableFile.WriteAllText(layout.SigningPublicKeyFile, key.PublicKeyPem());
        var info = new JsonObject
        {
            ["format"] = "recorder.store",
            ["formatVersion"] = FormatVersion,
            ["storeId"] = Guid.NewGuid().ToString(),
            ["createdAt"] = Timestamp.Now(services.Clock).ToString(),
            ["signingKey"] = new JsonObject
            {
                ["algorithm"] = key.Algorithm,
                ["fingerprint"] = key.Fingerprint,
                ["publicKeyFile"] = layout.Relative(layout.SigningPublicKeyFile),
            },
        };
        DurableFile.WriteAllBytes(layout.StoreFile, CanonicalJson.Serialize(info));
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>Segments added to the index, and segments it had missed and caught up with.</summary>
/// <param name="Added">Ids added as asked.</param>
/// <param name="CaughtUp">Ids the index lacked, rebuilt from their files.</param>
public sealed record IndexUpdate(IReadOnlyList<long> Added, IReadOnlyList<long> CaughtUp);

/// <summary>What a full read of a segment file found.</summary>
/// <param name="Packets">Packets.</param>
/// <param name="PacketBytes">Sum of captured lengths.</param>
/// <param name="OriginalBytes">Sum of original lengths.</param>
/// <param name="FirstNanoseconds">Earliest timestamp.</param>
/// <param name="LastNanoseconds">Latest timestamp.</param>
/// <param name="Interfaces">The interfaces described.</param>
public sealed record SegmentScan(long Packets, long PacketBytes, long OriginalBytes, long FirstNanoseconds, long LastNanoseconds,
    IReadOnlyList<CaptureInterface> Interfaces);
