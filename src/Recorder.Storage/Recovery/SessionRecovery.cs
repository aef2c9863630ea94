using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Indexing;
using Recorder.Core.Store;
using Recorder.Storage.Recording;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Recovery;

/// <summary>What recovery did with one abandoned segment file.</summary>
/// <param name="SessionId">The abandoned session.</param>
/// <param name="File">The open segment file.</param>
/// <param name="Packets">Complete packets recovered and sealed.</param>
/// <param name="CutOffset">Where the incomplete tail began (null when the file ended cleanly).</param>
/// <param name="CutBytes">Bytes cut off.</param>
/// <param name="CutSha256">SHA-256 of the cut bytes (kept under <c>recovered/</c>).</param>
/// <param name="SegmentId">The segment it was sealed as (null when it held no packet).</param>
public sealed record RecoveredFile(string SessionId, string File, long Packets, long? CutOffset, long CutBytes, string? CutSha256, long? SegmentId);

/// <summary>The outcome of a recovery run.</summary>
/// <param name="Files">Every file recovered.</param>
/// <param name="SkippedLiveSessions">Sessions left alone because their writer is still running.</param>
public sealed record RecoveryReport(IReadOnlyList<RecoveredFile> Files, int SkippedLiveSessions)
{
    /// <summary>Ledger entries abandoned writers owed for segments they had sealed, and what became of each.</summary>
    public IReadOnlyList<SettledEntry> SettledEntries { get; init; } = [];

    /// <summary>True when nothing needed recovering.</summary>
    public bool Empty => Files.Count == 0 && SettledEntries.Count == 0;
}

/// <summary>
/// Seals what a crashed writer left behind. A session whose lock is free has no living writer: each
/// of its open segment files is cut after its last complete packet block, the cut tail is kept and
/// hashed, and the rest is sealed (reason <c>recovered</c>), indexed and ledgered. Sessions whose
/// writer still runs are never touched.
/// </summary>
public sealed class SessionRecovery
{
    private readonly EvidenceStore _store;

    /// <summary>Creates the recovery for a store.</summary>
    public SessionRecovery(EvidenceStore store) => _store = store;

    /// <summary>Recovers every abandoned session.</summary>
    public RecoveryReport Run()
    {
        var layout = _store.Layout;
        Directory.CreateDirectory(layout.LocksDirectory);
        using var recoveryLock = FileLock.Acquire(layout.RecoveryLockFile, _store.Options.LockTimeout);
        var recovered = new List<RecoveredFile>();
        var settled = new List<SettledEntry>();
        var settlement = new SealEntrySettlement(_store);
        var live = 0;

        // A seal interrupted half-way may still name a file in an abandoned session: finish it
        // first, and remove the temporary files a crash or a full disk left in segments/.
        _store.Sealer.CompletePendingSeal();
        _store.Sealer.RemoveLeftovers();
        var sessions = Directory.Exists(layout.OpenDirectory) ? Directory.EnumerateDirectories(layout.OpenDirectory).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var sessionDirectory in sessions)
        {
            using var sessionLock = ProbeAbandoned(sessionDirectory, out var finishing);
            if (sessionLock is null)
            {
                live += finishing ? 0 : 1;
                continue;
            }

            // The writer is dead, so every seal it began is on disk: complete it (which writes its
            // note) before the notes are read, then pay what the writer owed the ledger.
            _store.Sealer.CompletePendingSeal();
            var paid = settlement.SettleAbandoned(sessionDirectory);
            var files = RecoverSession(sessionDirectory);
            if (paid.Count == 0 && files.All(f => f.SegmentId is null))
            {
                // Neither step above updated the index: a writer whose index update failed left
                // its session for this. An update catches up every sealed segment the index lacks.
                _store.UpdateIndex([]);
            }

            settled.AddRange(paid);
            recovered.AddRange(files);
            sessionLock.Dispose();
            Directory.Delete(sessionDirectory, recursive: true);
        }

        return new RecoveryReport(recovered, live) { SettledEntries = settled };
    }

    /// <summary>
    /// Takes the lock of a session whose writer is gone; null when the writer lives, or when the
    /// directory is being removed by its owner (<paramref name="finishing"/>), which deletes the lock
    /// file last, after every other file (see RecordingSession.Close).
    /// </summary>
    private static FileLock? ProbeAbandoned(string sessionDirectory, out bool finishing)
    {
        var lockPath = Path.Combine(sessionDirectory, RecordingSession.LockFileName);
        var taken = FileLock.TryAcquireExisting(lockPath, out finishing);
        if (taken is null && finishing && SealEntryNote.List(sessionDirectory).Count > 0)
        {
            // Notes but no lock file: a seal was completed for a writer whose directory was already
            // gone (its notes are never removed before its lock file), so nobody owns it any more.
            finishing = false;
            taken = FileLock.TryAcquire(lockPath);
        }

        return taken;
    }

    private List<RecoveredFile> RecoverSession(string directory)
    {
        var sessionId = Path.GetFileName(directory);
        var description = ReadJson(Path.Combine(directory, RecordingSession.SessionFileName));
        var baseOrigin = description?["origin"]?.AsObject() ?? new JsonObject { ["kind"] = "unknown" };
        var results = new List<RecoveredFile>();
        var batch = new List<(SealedSegment, SegmentIndexData)>();
        var files = Directory.EnumerateFiles(directory, "*.pcapng").Concat(Directory.EnumerateFiles(directory, "*.pcap"));
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var format = file.EndsWith(".pcap", StringComparison.Ordinal) ? CaptureFileFormat.Pcap : CaptureFileFormat.Pcapng;
            var (complete, total) = format == CaptureFileFormat.Pcap ? CompletePcapLength(file) : CompleteLength(file);
            long? cutOffset = complete < total ? complete : null;
            string? cutSha = null;
            if (cutOffset is not null)
            {
                cutSha = KeepTail(sessionId, file, complete, total);
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite);
                RandomAccess.SetLength(handle, complete);
                RandomAccess.FlushToDisk(handle);
            }

            if (complete == 0 || !HasPackets(file))
            {
                results.Add(new RecoveredFile(sessionId, file, 0, cutOffset, total - complete, cutSha, null));
                continue;
            }

            var data = EvidenceStore.DeriveIndex(file, out var scan);
            var origin = baseOrigin.DeepClone().AsObject();
            var sourceNote = ReadJson(Path.ChangeExtension(file, ".source.json"));
            if (sourceNote is not null)
            {
                origin["source"] = new JsonObject
                {
                    ["name"] = sourceNote["source"]?.DeepClone(),
                    ["path"] = sourceNote["path"]?.DeepClone(),
                    ["note"] = "the import was interrupted before the file had been read whole; its hash was never computed",
                };
                origin["sourceFirstPacket"] = sourceNote["firstPacket"]?.DeepClone();
                origin["sourcePackets"] = scan.Packets;
            }

            origin["recovery"] = new JsonObject
            {
                ["sessionId"] = sessionId,
                ["file"] = Path.GetFileName(file),
                ["cutOffset"] = cutOffset,
                ["cutBytes"] = total - complete,
                ["cutSha256"] = cutSha,
            };
            var finished = new FinishedSegment(file, complete, Sha256(file), scan.Packets, scan.PacketBytes, scan.OriginalBytes,
                scan.Interfaces[0].LinkType, scan.Interfaces, scan.FirstNanoseconds, scan.LastNanoseconds, data, format);
            var pending = new RecoveredFile(sessionId, file, scan.Packets, cutOffset, total - complete, cutSha, null);

            // The entry is owed through a note in this session directory, like any writer's: a
            // crash of this recovery leaves it for the next one to pay, never a segment unrecorded.
            var sealedSegment = _store.Sealer.Seal(finished, "recovered", origin,
                new SealEntry(directory, s => RecoveredEvent(pending with { SegmentId = s.Id }, baseOrigin, s)));
            batch.Add((sealedSegment, data));
            results.Add(pending with { SegmentId = sealedSegment.Id });
        }

        if (batch.Count > 0)
        {
            _store.UpdateIndex(batch);
        }

        foreach (var result in results)
        {
            if (result.SegmentId is { } segmentId)
            {
                _store.SealFaults?.Reached(SealStep.Indexed, segmentId);
                SealEntryNote.Settle(_store, SealEntryNote.PathFor(directory, segmentId));
            }
            else
            {
                _store.Record(RecoveredEvent(result, baseOrigin, null));
            }
        }

        return results;
    }

    private static CustodyEvent RecoveredEvent(RecoveredFile result, JsonObject baseOrigin, SealedSegment? sealedSegment)
    {
        var hashes = new Dictionary<string, string>();
        if (result.CutSha256 is not null)
        {
            hashes["cutTail"] = result.CutSha256;
        }

        if (sealedSegment is not null)
        {
            hashes["manifest"] = sealedSegment.ManifestSha256;
            hashes["segment"] = sealedSegment.Manifest.Sha256;
        }

        return new CustodyEvent(LedgerActions.SegmentRecovered,
            new JsonObject { ["sessionId"] = result.SessionId, ["segmentId"] = result.SegmentId },
            hashes,
            new JsonObject
            {
                ["origin"] = baseOrigin.DeepClone(),
                ["file"] = Path.GetFileName(result.File),
                ["packetsRecovered"] = result.Packets,
                ["cutOffset"] = result.CutOffset,
                ["cutBytes"] = result.CutBytes,
            });
    }

    /// <summary>The length of the longest prefix made of whole, well-formed pcapng blocks.</summary>
    internal static (long Complete, long Total) CompleteLength(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var total = RandomAccess.GetLength(handle);
        var offset = 0L;
        Span<byte> header = stackalloc byte[8];
        var trailer = new byte[4];
        while (offset + 12 <= total)
        {
            if (RandomAccess.Read(handle, header, offset) < 8)
            {
                break;
            }

            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var expected = offset == 0 ? 0x0A0D0D0Au : type;
            if (type != expected || (offset > 0 && type is not (1 or 6)) || length < 12 || length % 4 != 0 || offset + length > total)
            {
                break;
            }

            if (RandomAccess.Read(handle, trailer, offset + length - 4) < 4 || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != length)
            {
                break;
            }

            offset += length;
        }

        return (offset, total);
    }

    /// <summary>The length of the longest prefix of a classic pcap file made of its header and whole records.</summary>
    internal static (long Complete, long Total) CompletePcapLength(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var total = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[24];
        if (total < 24 || RandomAccess.Read(handle, header, 0) < 24)
        {
            return (0, total);
        }

        var bigEndian = BinaryPrimitives.ReadUInt32LittleEndian(header) is 0xD4C3B2A1 or 0x4D3CB2A1;
        var offset = 24L;
        Span<byte> record = stackalloc byte[16];
        while (offset + 16 <= total && RandomAccess.Read(handle, record, offset) == 16)
        {
            var captured = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(record[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
            if (captured > CaptureFileReader.MaxRecordLength || offset + 16 + captured > total)
            {
                break;
            }

            offset += 16 + captured;
        }

        return (offset, total);
    }

    private static bool HasPackets(string path)
    {
        try
        {
            using var reader = new SegmentReader(path);
            return reader.DataStart < reader.Length;
        }
        catch (SegmentCorruptException)
        {
            // The header itself was cut: no packet block can follow it.
            return false;
        }
    }

    private string KeepTail(string sessionId, string file, long from, long to)
    {
        var directory = Path.Combine(_store.Layout.Root, "recovered");
        Directory.CreateDirectory(directory);
        var tail = new byte[to - from];
        using (var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read))
        {
            RandomAccess.Read(handle, tail, from);
        }

        var sha = Hex.Lower(SHA256.HashData(tail));
        DurableFile.WriteAllBytes(Path.Combine(directory, $"{sessionId}-{Path.GetFileNameWithoutExtension(file)}-{sha[..16]}.tail"), tail);
        return sha;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Hex.Lower(SHA256.HashData(stream));
    }

    private static JsonObject? ReadJson(string path)
    {
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllBytes(path))?.AsObject() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
