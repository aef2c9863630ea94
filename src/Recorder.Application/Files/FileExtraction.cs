using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Sessions;
using Recorder.Sessions.Files;
using Recorder.Sessions.Search;
using Recorder.Storage.Segments;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Application.Files;

/// <summary>What an audited file extraction asks for.</summary>
/// <param name="Sha256">The file's SHA-256 (64 hex digits; case-insensitive).</param>
/// <param name="Case">The case it is for.</param>
/// <param name="Reason">Why.</param>
/// <param name="OutputDirectory">The folder to write the file and its sidecar into (created when missing; nothing in it is overwritten).</param>
public sealed record FileExtractionRequest(string Sha256, string Case, string Reason, string OutputDirectory)
{
    /// <summary>The extraction's UUID (<c>D</c> format); null for a new one. The service names its output folder after it.</summary>
    public string? ExtractionId { get; init; }
}

/// <summary>A file written by <see cref="FileExtraction"/>.</summary>
/// <param name="ExtractionId">The extraction's UUID (ledger subject).</param>
/// <param name="Path">The file.</param>
/// <param name="SidecarPath">Its JSON sidecar.</param>
/// <param name="SidecarSha256">The sidecar's SHA-256.</param>
/// <param name="File">The file's record as re-read from the packets (hashes, size, type, claimed name, direction).</param>
/// <param name="SegmentId">The segment whose packets were re-read.</param>
/// <param name="SessionId">The session (in that segment) whose packets hold it.</param>
/// <param name="SessionSegments">The segments that session spans.</param>
/// <param name="Sessions">Every session whose metadata names the hash (<c>segment:id</c>).</param>
/// <param name="LedgerSeq">The <c>files.extracted</c> entry.</param>
public sealed record ExtractedFile(string ExtractionId, string Path, string SidecarPath, string SidecarSha256, TransferredFile File,
    long SegmentId, long SessionId, IReadOnlyList<long> SessionSegments, IReadOnlyList<string> Sessions, long LedgerSeq)
{
    /// <summary>
    /// The extraction as <c>recorder files extract --json</c> and <c>POST /api/files/extract</c> answer
    /// it (<paramref name="path"/> and <paramref name="sidecar"/>: how the caller names the two files).
    /// </summary>
    public JsonObject ToJson(string caseId, string reason, string path, string sidecar) => new()
    {
        ["extractionId"] = ExtractionId,
        ["case"] = caseId,
        ["reason"] = reason,
        ["path"] = path,
        ["sidecar"] = sidecar,
        ["sidecarSha256"] = SidecarSha256,
        ["sha256"] = File.Sha256,
        ["sha1"] = File.Sha1,
        ["md5"] = File.Md5,
        ["size"] = File.Length,
        ["type"] = File.Type.Name,
        ["claimedName"] = File.Name,
        ["protocol"] = File.Protocol,
        ["direction"] = File.Direction.ToString().ToLowerInvariant(),
        ["segmentId"] = SegmentId,
        ["sessionId"] = SessionId,
        ["sessions"] = new JsonArray(Sessions.Select(s => (JsonNode)s).ToArray()),
        ["ledgerSeq"] = LedgerSeq,
    };
}

/// <summary>Why an extraction wrote nothing.</summary>
public enum FileExtractionFailure
{
    /// <summary>No session metadata names the hash.</summary>
    NotFound,

    /// <summary>The hash is only that of an incomplete file's octets, or re-reading the packets gave no complete file with it.</summary>
    Incomplete,
}

/// <summary>An extraction that wrote nothing, and why.</summary>
public sealed class FileExtractionException(FileExtractionFailure failure, string message) : Exception(message)
{
    /// <summary>Not found or incomplete.</summary>
    public FileExtractionFailure Failure { get; } = failure;
}

/// <summary>
/// <c>recorder files extract</c>: finds the sessions whose metadata names a file's SHA-256, re-reads
/// the packets of the segment holding the first of them through the same <see cref="SessionBuilder"/>
/// and dissectors that built the metadata (so session ids agree), streams that session's decoded
/// file octets to a temporary file, checks that they hash to the SHA-256 asked for, records
/// <c>files.extracted</c> in the ledger (case, reason, hashes of both outputs, session, segments) and
/// only then renames the file and its sidecar into place. Never writes a partial file as the file.
/// </summary>
public static class FileExtraction
{
    /// <summary>Runs the extraction, recorded in the store's own journal (the command line's user).</summary>
    /// <exception cref="FileExtractionException">Nothing was written: not found, or only incomplete.</exception>
    public static ExtractedFile Run(EvidenceStore store, FileExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        // The journal's own Record, which throws when the store has none: never an extraction without its entry.
        return Run(store, request, e => store.Record(e.Action, e.Subjects, e.Hashes, e.Details, e.Case, e.Reason), cancellationToken);
    }

    /// <summary>
    /// Runs the extraction, its <c>files.extracted</c> entry recorded through <paramref name="record"/>
    /// (the service records it under the calling user), which must return only once it is durable.
    /// </summary>
    /// <exception cref="FileExtractionException">Nothing was written: not found, or only incomplete.</exception>
    public static ExtractedFile Run(EvidenceStore store, FileExtractionRequest request, Func<CustodyEvent, long> record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(record);
        var wanted = request.Sha256.ToLowerInvariant();
        var (complete, partial, segmentsScanned) = Find(store, wanted, cancellationToken);
        if (complete.Count == 0)
        {
            if (partial.Count > 0)
            {
                var (segment, document, file) = partial[0];
                throw new FileExtractionException(FileExtractionFailure.Incomplete,
                    $"{wanted} is the hash of the {file.Size} octet(s) seen of an incomplete file ({file.Issues}) in session {document.Id} of segment {segment}, " +
                    "not of a whole file: nothing extracted");
            }

            throw new FileExtractionException(FileExtractionFailure.NotFound,
                $"no session metadata names a complete file with SHA-256 {wanted} ({segmentsScanned} segment(s) with metadata searched; " +
                "segments without metadata are not searched: run `recorder sessions index`)");
        }

        Directory.CreateDirectory(request.OutputDirectory);
        var sessions = complete.Select(c => $"{c.Segment}:{c.Document.Id}").ToList();
        var problems = new List<string>();
        foreach (var (segmentId, document) in complete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segment = store.ListSegments().FirstOrDefault(s => s.Id == segmentId);
            if (segment is null)
            {
                problems.Add($"segment {segmentId} is no longer in the store");
                continue;
            }

            using var sink = new CandidateSink(document.Id, wanted, request.OutputDirectory);
            Replay(store, segment, sink);
            if (sink.Found is not { } found)
            {
                problems.Add($"re-reading session {document.Id} of segment {segmentId} gave no complete file with that hash ({sink.Describe()})");
                continue;
            }

            return Publish(record, request, wanted, found, sink.TemporaryPath!, segmentId, document, sessions);
        }

        throw new FileExtractionException(FileExtractionFailure.Incomplete,
            $"the session metadata names {wanted} but no complete file with it could be re-read: {string.Join("; ", problems)}; nothing extracted");
    }

    /// <summary>A file name safe on every file system from a name the traffic claimed: letters, digits, '.', '-', '_' only, at most 80 characters, never starting with '.'.</summary>
    public static string SafeName(string? claimed)
    {
        if (string.IsNullOrEmpty(claimed))
        {
            return string.Empty;
        }

        var safe = new StringBuilder();
        foreach (var c in claimed)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
            if (safe.Length == 80)
            {
                break;
            }
        }

        return safe.ToString().TrimStart('.');
    }

    private static (List<(long Segment, SessionDocument Document)> Complete, List<(long Segment, SessionDocument Document, SessionFile File)> Partial, int Scanned)
        Find(EvidenceStore store, string wanted, CancellationToken cancellationToken)
    {
        var complete = new List<(long, SessionDocument)>();
        var partial = new List<(long, SessionDocument, SessionFile)>();
        var scanned = 0;
        foreach (var segment in store.ListSegments())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = store.Layout.ExistingSessionsFile(segment.Id);
            if (path is null)
            {
                continue;
            }

            scanned++;
            foreach (var document in SessionMetadataBuilder.Read(path))
            {
                if (document.FileSha256.Contains(wanted, StringComparer.Ordinal))
                {
                    complete.Add((segment.Id, document));
                }
                else if (document.Files.FirstOrDefault(f => f.PartialSha256 == wanted) is { } cut)
                {
                    partial.Add((segment.Id, document, cut));
                }
            }
        }

        return (complete, partial, scanned);
    }

    private static void Replay(EvidenceStore store, SealedSegment segment, CandidateSink sink)
    {
        // The builder of the metadata itself: session ids are the order of first packet, so they agree;
        // given the FTP announcements the build was given, an FTP data connection is the same file.
        var observer = new FileObserver(_ => { }, sink);
        var options = new SessionOptions();
        SessionMetadataBuilder.Replay(segment, options, _ => { }, observer, () => sink.Found is not null,
            carriedFtpData: SessionMetadataBuilder.CarriedFtpData(store.Layout, segment.Id, options));
    }

    private static ExtractedFile Publish(Func<CustodyEvent, long> record, FileExtractionRequest request, string wanted, TransferredFile file, string temporary,
        long segmentId, SessionDocument document, IReadOnlyList<string> sessions)
    {
        try
        {
            // The bytes on disk, not only those that passed the hash, are what is published: hash them again.
            var onDisk = Hashes(temporary);
            if (onDisk.Sha256 != wanted || onDisk.Size != file.Length)
            {
                throw new FileExtractionException(FileExtractionFailure.Incomplete,
                    $"the written file hashes to {onDisk.Sha256} ({onDisk.Size} octets), not {wanted}: nothing extracted");
            }

            var name = SafeName(file.Name);
            var fileName = name.Length == 0 ? wanted : $"{wanted}-{name}";
            var target = Path.Combine(request.OutputDirectory, fileName);
            var sidecarTarget = Path.Combine(request.OutputDirectory, wanted + ".json");
            foreach (var existing in new[] { target, sidecarTarget })
            {
                if (File.Exists(existing))
                {
                    throw new IOException($"{existing} already exists; an extraction never writes over anything");
                }
            }

            var extractionId = request.ExtractionId ?? Guid.NewGuid().ToString();
            // One record per session per segment (docs/sessions.md, "Sessions that span segments"): its packets are in this segment.
            IReadOnlyList<long> segments = [segmentId];
            var sidecar = Sidecar(extractionId, request, file, fileName, segmentId, document, segments, sessions);
            var sidecarSha = Hex.Lower(SHA256.HashData(sidecar));
            var seq = record(new CustodyEvent(LedgerActions.FilesExtracted, new JsonObject { ["extractionId"] = extractionId },
                new Dictionary<string, string> { ["file"] = wanted, ["sidecar"] = sidecarSha },
                new JsonObject
                {
                    ["sha1"] = file.Sha1,
                    ["md5"] = file.Md5,
                    ["size"] = file.Length,
                    ["type"] = file.Type.Name,
                    ["protocol"] = file.Protocol,
                    ["direction"] = file.Direction == TransferDirection.Upload ? "upload" : "download",
                    ["segmentId"] = segmentId,
                    ["sessionId"] = document.Id,
                    ["segments"] = new JsonArray(segments.Select(s => (JsonNode)s).ToArray()),
                    ["sessions"] = new JsonArray(sessions.Select(s => (JsonNode)s).ToArray()),
                    ["outputs"] = new JsonArray(fileName, wanted + ".json"),

                    // Where the outputs were written, so that `recorder package --file-extraction` finds them.
                    ["directory"] = Path.GetFullPath(request.OutputDirectory),
                },
                request.Case, request.Reason));
            var sidecarTemporary = Path.Combine(request.OutputDirectory, $".{wanted}.json.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(sidecarTemporary, sidecar);
            File.Move(temporary, target);
            File.Move(sidecarTemporary, sidecarTarget);
            return new ExtractedFile(extractionId, target, sidecarTarget, sidecarSha, file, segmentId, document.Id, segments, sessions, seq);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static byte[] Sidecar(string extractionId, FileExtractionRequest request, TransferredFile file, string fileName, long segmentId,
        SessionDocument document, IReadOnlyList<long> segments, IReadOnlyList<string> sessions)
    {
        var json = new JsonObject
        {
            ["extractionId"] = extractionId,
            ["file"] = fileName,
            ["sha256"] = file.Sha256,
            ["sha1"] = file.Sha1,
            ["md5"] = file.Md5,
            ["size"] = file.Length,
            ["type"] = file.Type.Name,
            ["mediaType"] = file.Type.MediaType,
            // As the traffic claimed it (JSON-escaped here): never used as a path.
            ["claimedName"] = file.Name,
            ["declaredContentType"] = file.DeclaredContentType,
            ["protocol"] = file.Protocol,
            ["direction"] = file.Direction == TransferDirection.Upload ? "upload" : "download",
            ["segmentId"] = segmentId,
            ["sessionId"] = document.Id,
            ["controlSessionId"] = file.ControlSessionId,
            // Session ids are per segment: the control session's segment (the previous one when its announcement was carried over).
            ["controlSegmentId"] = file.ControlSessionId is null ? null : file.ControlSegmentId ?? segmentId,
            ["client"] = $"{document.Client}:{document.ClientPort}",
            ["server"] = $"{document.Server}:{document.ServerPort}",
            ["firstNanoseconds"] = document.FirstNanoseconds,
            ["segments"] = new JsonArray(segments.Select(s => (JsonNode)s).ToArray()),
            ["sessions"] = new JsonArray(sessions.Select(s => (JsonNode)s).ToArray()),
            ["case"] = request.Case,
            ["reason"] = request.Reason,
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static (string Sha256, long Size) Hashes(string path)
    {
        using var stream = File.OpenRead(path);
        return (Hex.Lower(SHA256.HashData(stream)), stream.Length);
    }

    /// <summary>Streams the files of one session to temporary files and keeps the first complete one with the wanted hash.</summary>
    private sealed class CandidateSink(long sessionId, string wanted, string directory) : IFileContentSink, IDisposable
    {
        private readonly List<string> _seen = [];
        private readonly Dictionary<TransferredFile, (FileStream Stream, string Path)> _open = new(ReferenceEqualityComparer.Instance);

        public TransferredFile? Found { get; private set; }

        public string? TemporaryPath { get; private set; }

        public string Describe() => _seen.Count == 0 ? "no file in that session" : string.Join(", ", _seen);

        public void OnFileStart(TransferredFile file)
        {
            if (file.SessionId != sessionId || Found is not null)
            {
                return;
            }

            var path = Path.Combine(directory, $".{wanted}.{Guid.NewGuid():N}.partial");
            _open[file] = (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None), path);
        }

        public void OnFileData(TransferredFile file, ReadOnlySpan<byte> data)
        {
            if (_open.TryGetValue(file, out var open))
            {
                open.Stream.Write(data);
            }
        }

        public void OnFileEnd(TransferredFile file)
        {
            if (!_open.Remove(file, out var open))
            {
                return;
            }

            _seen.Add(file.Complete ? $"{file.Protocol} file {file.Sha256}" : $"incomplete {file.Protocol} file ({file.Issues}, {file.Length} octets)");
            if (file.Complete && file.Sha256 == wanted && Found is null)
            {
                open.Stream.Flush(flushToDisk: true);
                open.Stream.Dispose();
                Found = file;
                TemporaryPath = open.Path;
                return;
            }

            Delete(open);
        }

        public void Dispose()
        {
            foreach (var open in _open.Values)
            {
                Delete(open);
            }

            _open.Clear();
        }

        private static void Delete((FileStream Stream, string Path) open)
        {
            open.Stream.Dispose();
            File.Delete(open.Path);
        }
    }
}
