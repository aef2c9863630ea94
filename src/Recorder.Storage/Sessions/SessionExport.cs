using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Sessions;
using Recorder.Sessions.Export;
using Recorder.Sessions.Files;
using Recorder.Sessions.Search;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>What an export wrote.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">SHA-256 of its exact bytes.</param>
/// <param name="Counts">Records of each kind.</param>
/// <param name="Segments">Segments read.</param>
/// <param name="SegmentsWithoutMetadata">Segments read that had no metadata file: their records were built from the packets,
/// with ids <c>recorder query --session</c> can take only once <c>recorder sessions index</c> has built the file.</param>
/// <param name="Elapsed">Time taken.</param>
public sealed record SessionExportResult(string Path, long Bytes, string Sha256, EcsCounts Counts, IReadOnlyList<long> Segments,
    IReadOnlyList<long> SegmentsWithoutMetadata, TimeSpan Elapsed);

/// <summary>
/// Exports the sessions of a time window, with their DNS messages, HTTP transactions, TLS/QUIC
/// handshakes and transferred files, as ECS JSON lines (<see cref="EcsWriter"/>). Each sealed segment
/// overlapping the window is read and its sessions rebuilt exactly as its metadata file was (same
/// builder, same segment boundaries), so each record's <c>recorder.session</c> is the
/// <c>SEGMENT:ID</c> of the stored metadata; sessions whose first-to-last span overlaps the window are
/// written. The file is written under a temporary name and renamed when complete.
/// </summary>
public static class SessionExport
{
    /// <summary>Writes the window's records to <paramref name="outputPath"/> (which must not exist).</summary>
    public static SessionExportResult Run(EvidenceStore store, long? fromNanoseconds, long? toNanoseconds, string outputPath,
        SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(outputPath);
        options ??= new SessionOptions();
        var stopwatch = Stopwatch.StartNew();
        var counts = new EcsCounts();
        var segments = new List<long>();
        var withoutMetadata = new List<long>();
        var temporary = outputPath + ".partial-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new ArrayBufferWriter<byte>(1 << 16);
                foreach (var segment in store.ListSegments())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var manifest = segment.Manifest;
                    if (manifest.Packets == 0
                        || (fromNanoseconds is { } from && manifest.LastTimestamp.UnixNanoseconds < from)
                        || (toNanoseconds is { } to && manifest.FirstTimestamp.UnixNanoseconds >= to))
                    {
                        continue;
                    }

                    segments.Add(segment.Id);
                    if (!ExportSegment(store, segment, fromNanoseconds, toNanoseconds, options, buffer, file, counts, cancellationToken))
                    {
                        withoutMetadata.Add(segment.Id);
                    }
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, outputPath);
        }
        finally
        {
            File.Delete(temporary);
        }

        using var written = File.OpenRead(outputPath);
        var sha256 = Hex.Lower(SHA256.HashData(written));
        return new SessionExportResult(outputPath, written.Length, sha256, counts, segments, withoutMetadata, stopwatch.Elapsed);
    }

    /// <summary>Exports one segment's sessions in the window; false when it has no metadata file.</summary>
    private static bool ExportSegment(EvidenceStore store, SealedSegment segment, long? from, long? to, SessionOptions options,
        ArrayBufferWriter<byte> buffer, FileStream file, EcsCounts counts, CancellationToken cancellationToken)
    {
        var metadataPath = store.Layout.SessionsFile(segment.Id);
        var stored = File.Exists(metadataPath) ? SessionMetadataBuilder.Read(metadataPath).ToDictionary(d => d.Id) : null;
        var records = new List<SessionRecord>();
        var files = new Dictionary<long, List<TransferredFile>>();
        var extractor = new HttpObjectExtractor(f => (files.TryGetValue(f.SessionId, out var list) ? list : files[f.SessionId] = []).Add(f));
        var builder = new SessionBuilder(options, records.Add, ApplicationSignatures.DefaultStreamFactories(extractor),
            ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = new SegmentReader(segment.Path))
        {
            var offset = reader.DataStart;
            while (offset < reader.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var packet = reader.ReadAt(offset);
                builder.Add(packet.LinkType, packet.Data, packet.Nanoseconds, segment.Id, (int)Math.Min(packet.OriginalLength, int.MaxValue));
                offset = packet.EndOffset;
            }
        }

        builder.Complete();
        records.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var record in records)
        {
            if ((from is { } f && record.LastNanoseconds < f) || (to is { } t && record.FirstNanoseconds >= t))
            {
                continue;
            }

            var sessionFiles = files.GetValueOrDefault(record.Id) ?? [];
            var document = stored?.GetValueOrDefault(record.Id) is { } kept ? Checked(kept, record, segment.Id)
                : SessionDocument.From(record, segment.Id, continuesPreviousSegment: false,
                    sessionFiles.Where(x => x.Sha256 is not null).Select(x => x.Sha256!).ToList());
            EcsWriter.WriteSession(buffer, document, record, sessionFiles, counts);
            if (buffer.WrittenCount >= 1 << 20)
            {
                file.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        file.Write(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return stored is not null;
    }

    // The stored record and the rebuilt one are the same session, or the export stops: a reference
    // that names another session than the one described would mislead whoever follows it.
    private static SessionDocument Checked(SessionDocument stored, SessionRecord record, long segmentId)
    {
        var rebuilt = SessionDocument.From(record, segmentId, stored.ContinuesPreviousSegment);
        return stored.Client == rebuilt.Client && stored.ClientPort == rebuilt.ClientPort && stored.Server == rebuilt.Server
            && stored.ServerPort == rebuilt.ServerPort && stored.FirstNanoseconds == rebuilt.FirstNanoseconds
            && stored.ClientPackets + stored.ServerPackets == rebuilt.ClientPackets + rebuilt.ServerPackets
                ? stored
                : throw new InvalidDataException($"segment {segmentId}: session {record.Id} of the metadata file does not match the segment's packets " +
                    "(run `recorder verify`; `recorder sessions index --all` rebuilds the file)");
    }
}
