using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Recording;
using Recorder.Storage.Segments;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Storage.Import;

/// <summary>Options of an import.</summary>
public sealed record ImportOptions
{
    /// <summary>Keep the complete records of a file whose last record is cut off (and record the cut).</summary>
    public bool AcceptTruncated { get; init; }

    /// <summary>
    /// Import an input whose SHA-256 the store (or this import) already holds; without it such an
    /// input refuses the whole import. Each duplicate let through is listed in <c>import.completed</c>.
    /// </summary>
    public bool AllowDuplicate { get; init; }

    /// <summary>
    /// Build each sealed segment's session metadata on a background worker and wait for it before
    /// returning (default). Off: segments get none until <c>recorder sessions index</c>.
    /// </summary>
    public bool BuildSessions { get; init; } = true;
}

/// <summary>What an import did with one input file.</summary>
/// <param name="Source">Name, path, size, hash, format and any accepted truncation.</param>
/// <param name="Packets">Packets stored.</param>
/// <param name="PacketBytes">Captured bytes stored.</param>
/// <param name="LinkTypes">Link types seen.</param>
/// <param name="Interfaces">Interfaces described by the file.</param>
/// <param name="SkippedBlocks">Non-packet pcapng blocks not stored, by block type.</param>
/// <param name="PacketsWithOptions">Packets whose pcapng options were not carried over.</param>
public sealed record ImportedFile(
    SourceInfo Source,
    long Packets,
    long PacketBytes,
    IReadOnlyList<int> LinkTypes,
    int Interfaces,
    IReadOnlyDictionary<uint, long> SkippedBlocks,
    long PacketsWithOptions);

/// <summary>The outcome of an import.</summary>
/// <param name="ImportId">The import's id (named by its segments and ledger entries).</param>
/// <param name="Files">Per input file.</param>
/// <param name="Segments">Segments sealed.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ImportResult(string ImportId, IReadOnlyList<ImportedFile> Files, IReadOnlyList<SealedSegment> Segments, TimeSpan Elapsed)
{
    /// <summary>How long each phase took: reading (with hashing, copying and index building), sealing and indexing, ledgering.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Phases { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>Session metadata built per segment after sealing (empty when <see cref="ImportOptions.BuildSessions"/> is off).</summary>
    public IReadOnlyList<SessionIndexOutcome> Sessions { get; init; } = [];

    /// <summary>Index updates that failed (the segments are sealed regardless).</summary>
    public IReadOnlyList<string> IndexProblems { get; init; } = [];

    /// <summary>Packets stored.</summary>
    public long Packets => Files.Sum(f => f.Packets);

    /// <summary>Bytes of input read.</summary>
    public long InputBytes => Files.Sum(f => f.Source.Bytes ?? 0);
}

/// <summary>Progress of an import: bytes of the current file read so far.</summary>
/// <param name="File">The file being read.</param>
/// <param name="BytesRead">Bytes consumed.</param>
/// <param name="TotalBytes">The file's size.</param>
public readonly record struct ImportProgress(string File, long BytesRead, long TotalBytes);

/// <summary>
/// Imports pcap and pcapng files into sealed segments, all or nothing: every file of one call is
/// read and validated completely before anything is sealed, so a malformed file (or any failure)
/// leaves no segment, index entry or open file behind. Each file's SHA-256 is computed on a second
/// thread over exactly the bytes parsed; segments are written and hashed on a third.
/// </summary>
public sealed class CaptureImporter
{
    private readonly EvidenceStore _store;

    /// <summary>Creates an importer for <paramref name="store"/>.</summary>
    public CaptureImporter(EvidenceStore store) => _store = store;

    /// <summary>Imports <paramref name="files"/>; throws <see cref="CaptureFormatException"/> for a malformed file.</summary>
    public ImportResult Import(IReadOnlyList<string> files, ImportOptions options, IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        var stopwatch = Stopwatch.StartNew();
        var startedAt = Timestamp.Now(_store.Clock);
        var importId = Guid.NewGuid().ToString();
        var origin = new JsonObject { ["kind"] = "import", ["importId"] = importId };
        var session = RecordingSession.Start(_store, SealMode.OnCommit, origin);
        var imported = new List<ImportedFile>();

        // Session metadata is built from each segment once it is sealed, on the worker's own thread.
        using var sessions = options.BuildSessions ? new SessionIndexer(_store) : null;
        if (sessions is not null)
        {
            session.Sealed += sessions.Enqueue;
        }

        try
        {
            var duplicates = new DuplicateInputs(_store);
            foreach (var file in files)
            {
                var one = ImportFile(session, file, options, progress, cancellationToken);
                imported.Add(one);
                duplicates.Check(file, one.Source.Sha256!, options.AllowDuplicate);
            }

            var read = stopwatch.Elapsed;
            var segments = session.Commit("end-of-input");
            var committed = stopwatch.Elapsed;
            var result = new ImportResult(importId, imported, segments, stopwatch.Elapsed) { IndexProblems = session.IndexProblems };
            RecordCompleted(result, duplicates.Allowed, startedAt);
            var recorded = stopwatch.Elapsed;
            var built = sessions?.Complete() ?? [];
            return result with
            {
                Elapsed = stopwatch.Elapsed,
                Sessions = built,
                Phases = new Dictionary<string, TimeSpan>
                {
                    ["readHashCopyAndIndexInMemory"] = read,
                    ["sealAndIndex"] = committed - read,
                    ["ledger"] = recorded - committed,
                    ["waitForSessions"] = stopwatch.Elapsed - recorded,
                },
            };
        }
        catch (Exception e)
        {
            session.Abort();
            RecordRefused(importId, files, imported, e, session);
            throw;
        }
    }

    /// <summary>
    /// The full path of the file an input names. A symbolic link is imported as the file it names, and
    /// the source records that file's path: FileInfo describes a link itself, whose length is that of
    /// the target's name, so a linked capture was read as a few bytes of garbage header.
    /// </summary>
    public static string ResolveInput(string file)
    {
        var path = Path.GetFullPath(file);
        return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
    }

    private ImportedFile ImportFile(RecordingSession session, string file, ImportOptions options, IProgress<ImportProgress>? progress,
        CancellationToken cancellationToken)
    {
        var path = ResolveInput(file);
        var before = new FileInfo(path);
        if (!before.Exists)
        {
            throw new FileNotFoundException($"{file}: no such file", file);
        }

        var length = before.Length;
        var source = new SourceInfo(file, path);
        session.BeginSource(source);
        if (_store.Options.ImportVerbatim && length <= _store.Options.SegmentMaxBytes && IsClassicPcap(path))
        {
            return ImportVerbatim(session, source, before, options, progress, cancellationToken);
        }

        using var stopHashing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hashing = Task.Run(() => HashPrefix(path, length, stopHashing.Token), stopHashing.Token);
        CaptureFileFormat format;
        TruncatedTail? truncation;
        IReadOnlyList<int> linkTypeList;
        int interfaces;
        Dictionary<uint, long> skipped;
        long withOptions;
        long packets = 0, bytes = 0;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            using var limited = new LengthLimitedStream(stream, length);
            using var reader = CaptureFileReader.Open(limited, file, options.AcceptTruncated);
            var linkTypes = new SortedSet<int>();
            var lastLinkType = -1;
            while (reader.TryRead(out var packet))
            {
                session.Append(packet);
                packets++;
                bytes += packet.Data.Length;
                if (packet.LinkType != lastLinkType)
                {
                    linkTypes.Add(packet.LinkType);
                    lastLinkType = packet.LinkType;
                }

                if ((packets & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new ImportProgress(file, reader.Position, length));
                }
            }

            format = reader.Format;
            truncation = reader.Truncation;
            linkTypeList = linkTypes.ToList();
            interfaces = reader.Interfaces.Count;
            skipped = new Dictionary<uint, long>(reader.SkippedBlocks);
            withOptions = reader.PacketsWithOptions;
        }
        catch
        {
            // Stop the hash of a file that is refused anyway, and let it finish before leaving.
            stopHashing.Cancel();
            try
            {
                hashing.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Cancelled as asked; the parse failure is what gets reported.
            }

            throw;
        }

        var sha = hashing.GetAwaiter().GetResult();
        var after = new FileInfo(path);
        if (after.Length < length || after.LastWriteTimeUtc != before.LastWriteTimeUtc)
        {
            throw new CaptureFormatException(file, length, "the file changed while it was being imported");
        }

        source.Bytes = length;
        source.Sha256 = sha;
        source.Format = format == CaptureFileFormat.Pcap ? "pcap" : "pcapng";
        source.Truncation = truncation;
        progress?.Report(new ImportProgress(file, length, length));
        return new ImportedFile(source, packets, bytes, linkTypeList, interfaces, skipped, withOptions);
    }

    /// <summary>
    /// Keeps a classic pcap file byte for byte as one segment: one read of the input feeds the parser
    /// (validation and index) and, on a second thread, the SHA-256 and the copy.
    /// </summary>
    private ImportedFile ImportVerbatim(RecordingSession session, SourceInfo source, FileInfo before, ImportOptions options,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var length = before.Length;
        var target = session.NewFile(".pcap", firstPacket: 1);
        using var builder = new SegmentIndexBuilder(SegmentWriter.IndexPath(target), _store.Options.IndexMemoryBytes);
        long packets = 0, bytes = 0, original = 0, first = long.MaxValue, last = long.MinValue;
        string sha;
        TruncatedTail? truncation;
        CaptureInterface captureInterface;
        using (var copy = new VerbatimCopyStream(source.Path, target, length))
        {
            try
            {
                using var reader = CaptureFileReader.Open(copy, source.Name, options.AcceptTruncated);
                while (reader.TryRead(out var packet))
                {
                    PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
                    builder.Add(decoded.ToFlowKey(), packet.FileOffset, packet.FileOffset + 16 + packet.Data.Length, packet.TimestampNanoseconds, packet.Data.Length);
                    packets++;
                    bytes += packet.Data.Length;
                    original += packet.OriginalLength;
                    first = Math.Min(first, packet.TimestampNanoseconds);
                    last = Math.Max(last, packet.TimestampNanoseconds);
                    if ((packets & 0xFFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        progress?.Report(new ImportProgress(source.Name, reader.Position, length));
                    }
                }

                truncation = reader.Truncation;
                captureInterface = reader.Interfaces[0];
                sha = copy.Complete();
            }
            catch
            {
                copy.Dispose();
                File.Delete(target);
                throw;
            }
        }

        var after = new FileInfo(source.Path);
        if (after.Length < length || after.LastWriteTimeUtc != before.LastWriteTimeUtc)
        {
            throw new CaptureFormatException(source.Name, length, "the file changed while it was being imported");
        }

        source.Bytes = length;
        source.Sha256 = sha;
        source.Format = "pcap";
        source.Truncation = truncation;
        var segmentLength = length;
        var segmentSha = sha;
        if (truncation is not null)
        {
            // Only complete records are kept: the copy loses the cut tail, so it has its own hash.
            using (var handle = File.OpenHandle(target, FileMode.Open, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(handle, truncation.Offset);
                RandomAccess.FlushToDisk(handle);
            }

            segmentLength = truncation.Offset;
            using var stream = File.OpenRead(target);
            segmentSha = Hex.Lower(SHA256.HashData(stream));
        }

        if (packets == 0)
        {
            File.Delete(target);
        }
        else
        {
            session.AddFinished(new FinishedSegment(target, segmentLength, segmentSha, packets, bytes, original, captureInterface.LinkType,
                [captureInterface], first, last, builder.Finish(), CaptureFileFormat.Pcap), "end-of-input");
        }

        progress?.Report(new ImportProgress(source.Name, length, length));
        return new ImportedFile(source, packets, bytes, packets == 0 ? [] : [captureInterface.LinkType], 1, new Dictionary<uint, long>(), 0);
    }

    private static bool IsClassicPcap(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
        {
            return false;
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(magic) is 0xA1B2C3D4 or 0xA1B23C4D or 0xD4C3B2A1 or 0x4D3CB2A1;
    }

    private static string HashPrefix(string path, long length, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4 * 1024 * 1024];
        var remaining = length;
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new IOException($"{path}: file shrank while being hashed");
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        return Hex.Lower(hash.GetHashAndReset());
    }

    private void RecordCompleted(ImportResult result, JsonArray allowedDuplicates, Timestamp startedAt)
    {
        // Each segment's segment.sealed entry was recorded by the session as part of its seal.
        var sources = new JsonArray();
        var hashes = new Dictionary<string, string>();
        foreach (var file in result.Files)
        {
            var json = file.Source.ToJson();
            json["packets"] = file.Packets;
            json["packetBytes"] = file.PacketBytes;
            json["linkTypes"] = new JsonArray(file.LinkTypes.Select(l => (JsonNode)l).ToArray());
            json["skippedBlocks"] = new JsonObject(file.SkippedBlocks.Select(p =>
                new KeyValuePair<string, JsonNode?>("0x" + p.Key.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), p.Value)));
            json["packetsWithOptionsNotKept"] = file.PacketsWithOptions;
            sources.Add((JsonNode)json);
            hashes[file.Source.Name] = file.Source.Sha256!;
        }

        _store.Record(LedgerActions.ImportCompleted,
            new JsonObject
            {
                ["importId"] = result.ImportId,
                ["segmentIds"] = new JsonArray(result.Segments.Select(s => (JsonNode)s.Id).ToArray()),
            },
            hashes,
            new JsonObject
            {
                ["sources"] = sources,
                ["packets"] = result.Packets,

                // The entry's own time is when the import completed; this is when it began.
                ["startedAt"] = startedAt.ToString(),
                ["allowedDuplicates"] = allowedDuplicates.Count == 0 ? null : allowedDuplicates,
            });
    }

    private void RecordRefused(string importId, IReadOnlyList<string> files, IReadOnlyList<ImportedFile> readBeforeFailure, Exception error,
        RecordingSession session)
    {
        _store.Record(LedgerActions.ImportRefused,
            new JsonObject
            {
                ["importId"] = importId,
                ["files"] = new JsonArray(files.Select(f => (JsonNode)f).ToArray()),
            },
            readBeforeFailure.Where(f => f.Source.Sha256 is not null).ToDictionary(f => f.Source.Name, f => f.Source.Sha256!),
            new JsonObject
            {
                ["error"] = error.Message,
                ["errorType"] = error.GetType().Name,
                ["storedNothing"] = !session.LeftForRecovery,

                // A failure while sealing: what was sealed stays (with its segment.sealed entries),
                // and recovery at the next opening of the store completes and records the rest.
                ["leftForRecovery"] = session.LeftForRecovery,
                ["segmentIdsSealed"] = new JsonArray(session.SealedSegments.Select(s => (JsonNode)s.Id).ToArray()),
            });
    }
}

/// <summary>Reads at most a fixed number of bytes from an inner stream: the size the file had when the import began.</summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var allowed = (int)Math.Min(buffer.Length, length - _position);
        if (allowed <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..allowed]);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
