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
/// <param name="Path">The file to publish (<see cref="SessionExport.Publish"/>).</param>
/// <param name="TemporaryPath">Where the complete file waits until it is published.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">SHA-256 of its exact bytes.</param>
/// <param name="Counts">Records of each kind.</param>
/// <param name="Segments">Segments read.</param>
/// <param name="SegmentsWithoutMetadata">Segments read that had no metadata file: their records were built from the packets,
/// with ids <c>recorder query --session</c> can take only once <c>recorder sessions index</c> has built the file.</param>
/// <param name="Elapsed">Time taken.</param>
public sealed record SessionExportResult(string Path, string TemporaryPath, long Bytes, string Sha256, EcsCounts Counts, IReadOnlyList<long> Segments,
    IReadOnlyList<long> SegmentsWithoutMetadata, TimeSpan Elapsed);

/// <summary>
/// Exports the sessions of a time window, with their DNS messages, HTTP transactions, TLS/QUIC
/// handshakes and transferred files, as ECS JSON lines (<see cref="EcsWriter"/>). Each sealed segment
/// overlapping the window is read and its sessions rebuilt exactly as its metadata file was (same
/// builder, same segment boundaries), so each record's <c>recorder.session</c> is the
/// <c>SEGMENT:ID</c> of the stored metadata; sessions whose first-to-last span overlaps the window are
/// written. The file is written and hashed under a temporary name; the caller ledgers it and then
/// <see cref="Publish"/>es it (renames it to its name), so no output exists that no entry names.
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
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, "." + Path.GetFileName(outputPath) + ".partial-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
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

            // Hashed from the disk, as it will be served.
            file.Position = 0;
            var sha256 = Hex.Lower(SHA256.HashData(file));
            return new SessionExportResult(Path.GetFullPath(outputPath), temporary, file.Length, sha256, counts, segments, withoutMetadata, stopwatch.Elapsed);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Puts a ledgered export in place (never over an existing file).</summary>
    public static void Publish(SessionExportResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        File.Move(result.TemporaryPath, result.Path, overwrite: false);
    }

    /// <summary>Removes an export that will not be published.</summary>
    public static void Discard(SessionExportResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        File.Delete(result.TemporaryPath);
    }

    /// <summary>Exports one segment's sessions in the window; false when it has no metadata file.</summary>
    private static bool ExportSegment(EvidenceStore store, SealedSegment segment, long? from, long? to, SessionOptions options,
        ArrayBufferWriter<byte> buffer, FileStream file, EcsCounts counts, CancellationToken cancellationToken)
    {
        var metadataPath = store.Layout.ExistingSessionsFile(segment.Id);
        var stored = metadataPath is null ? null : SessionMetadataBuilder.Read(metadataPath).ToDictionary(d => d.Id);
        var records = new List<SessionRecord>();
        var files = new Dictionary<long, List<TransferredFile>>();
        var observer = new FileObserver(f => (files.TryGetValue(f.SessionId, out var list) ? list : files[f.SessionId] = []).Add(f));
        SessionMetadataBuilder.Replay(segment, options, records.Add, observer, cancellationToken: cancellationToken,
            carriedFtpData: SessionMetadataBuilder.CarriedFtpData(store.Layout, segment.Id, options));
        records.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var record in records)
        {
            if ((from is { } f && record.LastNanoseconds < f) || (to is { } t && record.FirstNanoseconds >= t))
            {
                continue;
            }

            var sessionFiles = files.GetValueOrDefault(record.Id) ?? [];
            var document = stored?.GetValueOrDefault(record.Id) is { } kept ? Checked(kept, record, segment.Id)
                : SessionDocument.From(record, segment.Id, continuesPreviousSegment: false, files: sessionFiles);
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
