using System.Diagnostics;
using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Sessions.Search;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>One session found, with its record's exact bytes as its segment's metadata file holds them.</summary>
/// <param name="Document">The record.</param>
/// <param name="Line">Its line in the metadata file (no newline).</param>
public sealed record SessionMatch(SessionDocument Document, ReadOnlyMemory<byte> Line);

/// <summary>What a session search found and what it looked at.</summary>
/// <param name="Matches">Matching records, by segment then order of first packet.</param>
/// <param name="SegmentsScanned">Segments whose metadata file was read.</param>
/// <param name="SegmentsNotBuilt">Segments in the window without a metadata file (their sessions were not searched).</param>
/// <param name="Answer">The answer: each match's line followed by a newline (JSON Lines).</param>
/// <param name="AnswerSha256">SHA-256 of <paramref name="Answer"/>.</param>
/// <param name="Elapsed">Time to search.</param>
public sealed record SessionSearchResult(IReadOnlyList<SessionMatch> Matches, IReadOnlyList<long> SegmentsScanned,
    IReadOnlyList<long> SegmentsNotBuilt, byte[] Answer, string AnswerSha256, TimeSpan Elapsed);

/// <summary>
/// Answers a session search by reading the metadata files of the sealed segments whose time span
/// overlaps the filter's window (all segments without one). A scan, not an index: its cost grows
/// with the metadata of the window (docs/sessions.md, "In the store").
/// </summary>
public static class SessionSearch
{
    /// <summary>Runs <paramref name="filter"/> over <paramref name="store"/>'s session metadata.</summary>
    public static SessionSearchResult Run(EvidenceStore store, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(filter);
        var stopwatch = Stopwatch.StartNew();
        var matches = new List<SessionMatch>();
        var scanned = new List<long>();
        var notBuilt = new List<long>();
        using var answer = new MemoryStream();
        foreach (var segment in store.ListSegments())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((filter.FromNanoseconds is { } from && segment.Manifest.LastTimestamp.UnixNanoseconds < from)
                || (filter.ToNanoseconds is { } to && segment.Manifest.FirstTimestamp.UnixNanoseconds >= to))
            {
                continue;
            }

            var path = store.Layout.SessionsFile(segment.Id);
            if (!File.Exists(path))
            {
                notBuilt.Add(segment.Id);
                continue;
            }

            scanned.Add(segment.Id);
            foreach (var (document, line) in SessionMetadataBuilder.ReadLines(path))
            {
                if (filter.Matches(document))
                {
                    matches.Add(new SessionMatch(document, line));
                    answer.Write(line.Span);
                    answer.WriteByte((byte)'\n');
                }
            }
        }

        var bytes = answer.ToArray();
        return new SessionSearchResult(matches, scanned, notBuilt, bytes, Hex.Lower(SHA256.HashData(bytes)), stopwatch.Elapsed);
    }
}
