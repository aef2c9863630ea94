using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Sessions.Search;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>One session found, with its record's exact bytes as its segment's metadata file holds them.</summary>
/// <param name="Document">The record.</param>
/// <param name="Line">Its line in the metadata file (no newline).</param>
public sealed record SessionMatch(SessionDocument Document, ReadOnlyMemory<byte> Line);

/// <summary>A segment whose records were all read because its index could not answer, and why.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Reason">Why: the metadata file has no index (first layout), or its index is damaged (the error).</param>
public sealed record SessionScanFallback(long SegmentId, string Reason);

/// <summary>What a session search found and what it looked at.</summary>
/// <param name="Matches">Matching records, by segment then order of first packet.</param>
/// <param name="SegmentsScanned">Segments whose metadata file was read (through its index or whole).</param>
/// <param name="SegmentsNotBuilt">Segments in the window without a metadata file (their sessions were not searched).</param>
/// <param name="Answer">The answer: each match's line followed by a newline (JSON Lines).</param>
/// <param name="AnswerSha256">SHA-256 of <paramref name="Answer"/>.</param>
/// <param name="Elapsed">Time to search.</param>
public sealed record SessionSearchResult(IReadOnlyList<SessionMatch> Matches, IReadOnlyList<long> SegmentsScanned,
    IReadOnlyList<long> SegmentsNotBuilt, byte[] Answer, string AnswerSha256, TimeSpan Elapsed)
{
    /// <summary>Segments answered from their term index (only the candidate records were read).</summary>
    public IReadOnlyList<long> SegmentsIndexed { get; init; } = [];

    /// <summary>Segments whose every record in the window was read instead (no index, or a damaged one), with the reason.</summary>
    public IReadOnlyList<SessionScanFallback> SegmentsFullyScanned { get; init; } = [];

    /// <summary>
    /// Options the index could not narrow (an <c>--app</c> or <c>--ja4</c> with non-ASCII text): the
    /// indexed segments' records were read for them. Empty when the index answered every option.
    /// </summary>
    public IReadOnlyList<string> OptionsNotIndexed { get; init; } = [];

    /// <summary>Records read and checked against the filter (in all segments).</summary>
    public long RecordsRead { get; init; }
}

/// <summary>
/// Answers a session search from the sealed segments whose time span overlaps the filter's window
/// (all segments without one). A segment in block format (<c>.sessions.jsonl.zst</c>) is answered
/// from its term index: the postings of the filter's terms give the candidate records, only their
/// blocks are decompressed, and each candidate is checked with <see cref="SessionFilter.Matches"/>,
/// so the answer is byte for byte the one a scan gives. A segment in the first layout
/// (<c>.sessions.jsonl</c>), or whose index is damaged, is scanned whole, and the result says so.
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
        var indexed = new List<long>();
        var fallbacks = new List<SessionScanFallback>();
        var notIndexed = new SortedSet<string>(StringComparer.Ordinal);
        long recordsRead = 0;
        foreach (var segment in store.ListSegments())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((filter.FromNanoseconds is { } from && segment.Manifest.LastTimestamp.UnixNanoseconds < from)
                || (filter.ToNanoseconds is { } to && segment.Manifest.FirstTimestamp.UnixNanoseconds >= to))
            {
                continue;
            }

            var path = store.Layout.ExistingSessionsFile(segment.Id);
            if (path is null)
            {
                notBuilt.Add(segment.Id);
                continue;
            }

            scanned.Add(segment.Id);
            if (path.EndsWith(StoreLayout.SessionBlocksExtension, StringComparison.Ordinal))
            {
                try
                {
                    var found = SearchFile(path, filter, cancellationToken);
                    matches.AddRange(found.Matches);
                    recordsRead += found.RecordsRead;
                    notIndexed.UnionWith(found.OptionsNotIndexed);
                    indexed.Add(segment.Id);
                    continue;
                }
                catch (SessionIndexCorruptException e)
                {
                    // The scan below reads the frames without the index; if they are damaged too, it throws.
                    fallbacks.Add(new SessionScanFallback(segment.Id, $"index unreadable: {e.Message}"));
                }
            }
            else
            {
                fallbacks.Add(new SessionScanFallback(segment.Id, "no index (metadata file of the first layout, .sessions.jsonl)"));
            }

            foreach (var (document, line) in SessionMetadataBuilder.ReadLines(path))
            {
                recordsRead++;
                if (filter.Matches(document))
                {
                    matches.Add(new SessionMatch(document, line));
                }
            }
        }

        using var answer = new MemoryStream();
        foreach (var match in matches)
        {
            answer.Write(match.Line.Span);
            answer.WriteByte((byte)'\n');
        }

        var bytes = answer.ToArray();
        return new SessionSearchResult(matches, scanned, notBuilt, bytes, Hex.Lower(SHA256.HashData(bytes)), stopwatch.Elapsed)
        {
            SegmentsIndexed = indexed,
            SegmentsFullyScanned = fallbacks,
            OptionsNotIndexed = notIndexed.ToList(),
            RecordsRead = recordsRead,
        };
    }

    /// <summary>
    /// Answers <paramref name="filter"/> from one block-format metadata file through its index: the
    /// matching records in file order, the records read, and the options the index could not narrow.
    /// Throws <see cref="SessionIndexCorruptException"/> when the index or a block it needs is damaged.
    /// </summary>
    public static (IReadOnlyList<SessionMatch> Matches, long RecordsRead, IReadOnlyList<string> OptionsNotIndexed) SearchFile(string path,
        SessionFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(filter);
        using var file = SessionBlockFile.Open(path);
        var notIndexed = new SortedSet<string>(StringComparer.Ordinal);
        var matches = new List<SessionMatch>();
        var candidates = Candidates(file, filter, notIndexed);
        long read = 0;
        foreach (var block in file.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((filter.FromNanoseconds is { } from && block.MaxLastNanoseconds < from)
                || (filter.ToNanoseconds is { } to && block.MinFirstNanoseconds >= to)
                || (candidates is not null && !AnyIn(candidates, block)))
            {
                continue;
            }

            var lines = file.ReadBlock(block);
            var start = 0;
            for (var i = 0; i < block.Records; i++)
            {
                var end = Array.IndexOf(lines, (byte)'\n', start);
                if (end < 0)
                {
                    throw new SessionIndexCorruptException($"{path}: block at byte {block.Offset} holds fewer than its {block.Records} records");
                }

                if (candidates is null || candidates[block.FirstRecord + i])
                {
                    read++;
                    SessionDocument document;
                    try
                    {
                        document = SessionDocumentJson.Read(lines.AsSpan(start, end - start));
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException($"{path}: line {block.FirstRecord + i + 1}: {e.Message}", e);
                    }

                    if (filter.Matches(document))
                    {
                        matches.Add(new SessionMatch(document, lines.AsMemory(start, end - start)));
                    }
                }

                start = end + 1;
            }

            if (start != lines.Length)
            {
                throw new SessionIndexCorruptException($"{path}: block at byte {block.Offset} holds more than its {block.Records} records");
            }
        }

        return (matches, read, notIndexed.ToList());
    }

    /// <summary>The records every indexed option allows (AND of the options, OR within one), or null when no option narrows.</summary>
    private static BitArray? Candidates(SessionBlockFile file, SessionFilter filter, ISet<string> notIndexed)
    {
        var a = filter.Arguments;
        BitArray? result = null;
        void And(BitArray set) => result = result is null ? set : result.And(set);
        BitArray Any(string pattern, params SessionIndexField[] fields)
        {
            var set = new BitArray(file.RecordCount);
            foreach (var field in fields)
            {
                set.Or(file.Lookup(field, pattern));
            }

            return set;
        }

        void Exact(string option, string? value, SessionIndexField field)
        {
            if (value is null)
            {
                return;
            }

            if (SessionIndexTerms.FoldExact(value) is { } term)
            {
                And(file.Lookup(field, term));
            }
            else
            {
                notIndexed.Add(option);
            }
        }

        if (a.Sni is { } sni)
        {
            And(Any(sni, SessionIndexField.Sni));
        }

        if (a.Domain is { } domain)
        {
            And(Any(domain, SessionIndexField.DnsQuery, SessionIndexField.Sni, SessionIndexField.HttpHost));
        }

        if (a.Url is { } url)
        {
            And(Any(url, SessionIndexField.HttpUri, SessionIndexField.HttpUrl));
        }

        if (a.HostHeader is { } hostHeader)
        {
            And(Any(hostHeader, SessionIndexField.HttpHost));
        }

        if (a.UserAgent is { } agent)
        {
            And(Any(agent, SessionIndexField.UserAgent));
        }

        Exact("--ja3", a.Ja3, SessionIndexField.Ja3);
        Exact("--ja4", a.Ja4, SessionIndexField.Ja4);
        Exact("--cert-sha256", a.CertSha256, SessionIndexField.CertSha256);
        Exact("--file-sha256", a.FileSha256, SessionIndexField.FileSha256);
        Exact("--app", a.App, SessionIndexField.App);
        if (filter.HostAddress is { } host)
        {
            And(file.Lookup(SessionIndexField.Host, SessionIndexTerms.FoldAddress(host)));
        }

        if (filter.PortNumber is { } port)
        {
            And(file.Lookup(SessionIndexField.Port, port.ToString(CultureInfo.InvariantCulture)));
        }

        if (filter.ProtocolNumber is { } protocol)
        {
            And(file.Lookup(SessionIndexField.Proto, protocol.ToString(CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private static bool AnyIn(BitArray candidates, SessionBlock block)
    {
        for (var i = block.FirstRecord; i < block.FirstRecord + block.Records; i++)
        {
            if (candidates[i])
            {
                return true;
            }
        }

        return false;
    }
}
