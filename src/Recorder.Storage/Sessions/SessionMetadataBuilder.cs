using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Sessions;
using Recorder.Sessions.Files;
using Recorder.Sessions.Ftp;
using Recorder.Sessions.Search;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>A segment's session metadata, built in memory and not yet in place.</summary>
/// <param name="Segment">The segment it describes.</param>
/// <param name="Contents">The file's exact bytes (block format: JSON lines in zstd frames, then the term index).</param>
/// <param name="Sha256">SHA-256 of <paramref name="Contents"/>, lower-case hex.</param>
/// <param name="Sessions">Records written.</param>
/// <param name="Continuing">Records marked as continuing a session of the previous segment.</param>
/// <param name="OpenAtEnd">Records of sessions still active when the segment ended.</param>
/// <param name="Statistics">The session builder's counters.</param>
/// <param name="BuildTime">Time spent reading the segment and building the records.</param>
/// <param name="RecordsSha256">SHA-256 of the JSON lines the file holds (what <c>zstd -dc</c> prints), lower-case hex.</param>
/// <param name="RecordsBytes">Bytes of those JSON lines.</param>
/// <param name="IndexBytes">Bytes of the file taken by the index frame and footer.</param>
/// <param name="Blocks">zstd frames of records.</param>
public sealed record SessionMetadata(SealedSegment Segment, byte[] Contents, string Sha256, long Sessions, long Continuing, long OpenAtEnd,
    SessionStatistics Statistics, TimeSpan BuildTime, string RecordsSha256, long RecordsBytes, long IndexBytes, int Blocks);

/// <summary>
/// Builds a sealed segment's sessions from its file alone (<see cref="SegmentReader"/> through a
/// <see cref="SessionBuilder"/> with every default dissector), one record per session per segment.
/// A session still active at the segment's end is written with end reason <c>EndOfInput</c>; in the
/// next segment the same endpoints within the idle timeout are a new record with
/// <see cref="SessionDocument.ContinuesPreviousSegment"/> set, decided from the previous segment's
/// metadata file (so the mark is the same however often the file is rebuilt, once the previous one exists).
/// The FTP data connections the previous segment's control sessions announced and left waiting are
/// taken from the same file (<see cref="CarriedFtpData"/>), so a data connection that opens in this
/// segment is still <c>ftp-data</c> with its file.
/// </summary>
public static class SessionMetadataBuilder
{
    /// <summary>Reads <paramref name="segment"/> and builds its metadata file's contents.</summary>
    public static SessionMetadata Build(StoreLayout layout, SealedSegment segment, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(segment);
        options ??= new SessionOptions();
        var stopwatch = Stopwatch.StartNew();
        var (open, carried) = Previous(layout, segment.Id, options);
        var records = new List<SessionRecord>();
        var files = new Dictionary<long, List<TransferredFile>>();
        // Every file, complete or not, goes on its session's record; only a complete one has a hash of its own (searched).
        var observer = new FileObserver(file => (files.TryGetValue(file.SessionId, out var list) ? list : files[file.SessionId] = []).Add(file));
        var statistics = Replay(segment, options, records.Add, observer, carriedFtpData: carried);
        records.Sort((a, b) => a.Id.CompareTo(b.Id));
        var line = new ArrayBufferWriter<byte>(4096);
        long continuing = 0, openAtEnd = 0;
        using var blocks = new SessionBlockWriter(expectedRecords: records.Count);
        using (var writer = new Utf8JsonWriter(line))
        {
            foreach (var record in records)
            {
                // The key formats both addresses: only worth it when the previous segment left sessions open.
                var continues = open.Count > 0 && open.TryGetValue(Key(record), out var last)
                    && record.FirstNanoseconds - last <= IdleTimeout(options, record.Protocol).Ticks * 100;
                var document = SessionDocument.From(record, segment.Id, continues, files: files.GetValueOrDefault(record.Id));
                continuing += continues ? 1 : 0;
                openAtEnd += document.OpenAtSegmentEnd ? 1 : 0;
                SessionDocumentJson.Write(writer, document);
                writer.Flush();
                blocks.Add(line.WrittenSpan, document);
                line.ResetWrittenCount();
                writer.Reset();
            }
        }

        var (contents, recordsSha256, indexBytes) = blocks.Finish();
        return new SessionMetadata(segment, contents, Hex.Lower(SHA256.HashData(contents)), records.Count, continuing, openAtEnd,
            statistics, stopwatch.Elapsed, Hex.Lower(recordsSha256), blocks.RecordsBytes, indexBytes, blocks.Blocks);
    }

    /// <summary>
    /// Runs every packet of <paramref name="segment"/> through a <see cref="SessionBuilder"/> with every
    /// default dissector and files to <paramref name="observer"/>: the one way a segment's sessions are
    /// built, so the ids of whoever rebuilds them (export, file extraction) are those of its metadata
    /// file. Stops early, without completing the builder, once <paramref name="stop"/> says so. Returns
    /// the builder's counters. <paramref name="carriedFtpData"/> are the FTP announcements the previous
    /// segment left waiting (<see cref="CarriedFtpData"/>): a replay that is to agree with the metadata
    /// file on applications and files passes what its build was given.
    /// </summary>
    public static SessionStatistics Replay(SealedSegment segment, SessionOptions options, Action<SessionRecord> sink, FileObserver observer,
        Func<bool>? stop = null, CancellationToken cancellationToken = default, IReadOnlyList<FtpCarriedData>? carriedFtpData = null)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var builder = new SessionBuilder(options, sink, ApplicationSignatures.DefaultStreamFactories(observer, carriedFtpData ?? []),
            ApplicationSignatures.DefaultDatagramFactories());
        // Read front to back with read(2), a second thread a few chunks ahead, not through
        // SegmentReader's memory map: a replay touches every byte once, and faulting in the mapping
        // page by page cost more than the session builder itself on a 2 GB segment; a segment an
        // import has just written with O_DIRECT is not in the page cache, and reading it on the
        // builder's thread doubled the build; read with O_DIRECT into the read-ahead's own buffers, it
        // costs no page-cache pages at all (docs/benchmarks.md).
        using (var file = new ReadAheadFileStream(segment.Path, direct: true))
        using (var reader = CaptureFileReader.Open(file, segment.Path))
        {
            var packets = 0L;
            try
            {
                while (reader.TryRead(out var packet))
                {
                    if ((++packets & 0xFFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (stop?.Invoke() == true)
                    {
                        return builder.Statistics;
                    }

                    builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment.Id,
                        (int)Math.Min(packet.OriginalLength, int.MaxValue));
                }
            }
            catch (CaptureFormatException e)
            {
                // A sealed segment that does not parse is damaged: the same error every other reader of segments raises.
                throw new SegmentCorruptException(segment.Path, e.Offset, e.Reason);
            }
        }

        if (stop?.Invoke() != true)
        {
            builder.Complete();
        }

        return builder.Statistics;
    }

    /// <summary>Reads a metadata file's records, in file order; throws <see cref="FormatException"/> naming the line of a damaged one.</summary>
    public static IEnumerable<SessionDocument> Read(string path) => ReadLines(path).Select(l => l.Document);

    /// <summary>
    /// Reads a metadata file's records with each one's exact line (without the newline), in either
    /// layout (<c>.sessions.jsonl.zst</c>: every frame decompressed in order, the index not used).
    /// </summary>
    public static IEnumerable<(SessionDocument Document, ReadOnlyMemory<byte> Line)> ReadLines(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = path.EndsWith(StoreLayout.SessionBlocksExtension, StringComparison.Ordinal)
            ? SessionBlockFile.DecompressAll(path)
            : File.ReadAllBytes(path);
        return ReadLines(path, bytes);
    }

    private static IEnumerable<(SessionDocument Document, ReadOnlyMemory<byte> Line)> ReadLines(string path, byte[] bytes)
    {
        var start = 0;
        var line = 0;
        while (start < bytes.Length)
        {
            line++;
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                end = bytes.Length;
            }

            SessionDocument document;
            try
            {
                document = SessionDocumentJson.Read(bytes.AsSpan(start, end - start));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}: line {line}: {e.Message}", e);
            }

            yield return (document, bytes.AsMemory(start, end - start));
            start = end + 1;
        }
    }

    /// <summary>
    /// The FTP data connections that control sessions open at the end of segment
    /// <paramref name="segmentId"/> − 1 announced and no connection had used (<see cref="SessionDocument.FtpWaitingData"/>
    /// of its metadata file), each claimable in segment <paramref name="segmentId"/> by a connection
    /// whose first packet is within <see cref="SessionOptions.TcpIdleTimeout"/> of the announcement.
    /// Empty when that file does not exist or is damaged (verification reports the damage).
    /// </summary>
    public static IReadOnlyList<FtpCarriedData> CarriedFtpData(StoreLayout layout, long segmentId, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        return Previous(layout, segmentId, options).Carried;
    }

    private static (Dictionary<(int, string, int, string, int, int), long> Open, List<FtpCarriedData> Carried) Previous(StoreLayout layout,
        long segmentId, SessionOptions options)
    {
        var open = new Dictionary<(int, string, int, string, int, int), long>();
        var carried = new List<FtpCarriedData>();
        if (segmentId <= 1 || layout.ExistingSessionsFile(segmentId - 1) is not { } previousFile || !File.Exists(previousFile))
        {
            return (open, carried);
        }

        var limit = options.TcpIdleTimeout.Ticks * 100;
        try
        {
            foreach (var document in Read(previousFile).Where(d => d.OpenAtSegmentEnd))
            {
                open[EndpointsKey(document)] =
                    document.LastNanoseconds;
                foreach (var waiting in document.FtpWaitingData)
                {
                    carried.Add(new FtpCarriedData(segmentId - 1, document.Id, document.Network == "ipv6", document.Client, document.Server, waiting,
                        waiting.AnnouncedNanoseconds > long.MaxValue - limit ? long.MaxValue : waiting.AnnouncedNanoseconds + limit));
                }
            }
        }
        catch (Exception e) when (e is FormatException or SessionIndexCorruptException)
        {
            // A damaged previous file is verification's finding; here it only costs the continuation marks and the carried announcements.
            open.Clear();
            carried.Clear();
        }

        return (open, carried);
    }

    /// <summary>A record's protocol, endpoints in canonical order and VLAN: equal for the records of one conversation cut by segments.</summary>
    internal static (int, string, int, string, int, int) EndpointsKey(SessionDocument document) =>
        Key(document.Protocol, document.Client, document.ClientPort, document.Server, document.ServerPort, document.Vlan);

    private static (int, string, int, string, int, int) Key(SessionRecord record)
    {
        var v4 = record.Network == Recorder.Core.Packets.NetworkKind.IPv4;
        return Key(record.Protocol, Recorder.Core.Packets.IpAddress128.Format(record.Client.Address, v4), record.Client.Port,
            Recorder.Core.Packets.IpAddress128.Format(record.Server.Address, v4), record.Server.Port, record.Vlan);
    }

    // Either side may send a segment's first packet: the key orders the two endpoints.
    private static (int, string, int, string, int, int) Key(int protocol, string a, int aPort, string b, int bPort, int? vlan) =>
        string.CompareOrdinal(a, b) < 0 || (a == b && aPort <= bPort)
            ? (protocol, a, aPort, b, bPort, vlan ?? -1)
            : (protocol, b, bPort, a, aPort, vlan ?? -1);

    private static TimeSpan IdleTimeout(SessionOptions options, int protocol) => protocol switch
    {
        6 => options.TcpIdleTimeout,
        17 => options.UdpIdleTimeout,
        _ => options.OtherIdleTimeout,
    };
}
