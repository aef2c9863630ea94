using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Recorder.Sessions.Search;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Recorder.Storage.Sessions;

/// <summary>
/// Writes a session metadata file in the block format of <see cref="SessionBlockFormat"/>: JSON lines
/// are gathered into blocks of about <see cref="SessionBlockFormat.BlockBytes"/>, each compressed
/// as its own zstd frame (with a content checksum, so a damaged block fails to decode); the term
/// index is built from the same records and appended at <see cref="Finish"/>. Also hashes the JSON
/// lines themselves (what <c>zstd -dc</c> prints) for the ledger.
/// Blocks are compressed on thread-pool threads while the caller builds the next records (at most
/// <see cref="MaxBlocksInFlight"/> at once, into pooled buffers) and written in order: every frame
/// is compressed on its own, so the bytes are the same whichever thread compressed it. Compressing
/// into a new array per block, as before, allocated a large-object-heap array per 128 KiB and cost
/// more in full garbage collections than the compression itself.
/// </summary>
public sealed class SessionBlockWriter : IDisposable
{
    private static readonly int MaxBlocksInFlight = 2 * Environment.ProcessorCount;
    private const int TermBatchRecords = 4096;
    private static readonly string[] PortTerms = new string[65536];
    private List<SessionDocument> _termBatch = new(TermBatchRecords);
    private Task _indexing = Task.CompletedTask;
    private readonly ConcurrentBag<Compressor> _compressors = [];
    private readonly Queue<(Task<(byte[] Frame, int Length)> Compressing, int Records, long MinFirst, long MaxLast)> _inFlight = new();
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly ArrayBufferWriter<byte> _block = new(SessionBlockFormat.BlockBytes + 4096);
    private readonly IncrementalHash _recordsHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<(int CompressedLength, int Records, long MinFirst, long MaxLast)> _blocks = [];
    private readonly Dictionary<string, List<int>>[] _terms = new Dictionary<string, List<int>>[16];
    private readonly List<int>[] _alwaysRead = new List<int>[16];
    private readonly int _blockBytes;
    private int _blockRecords;
    private long _blockMinFirst = long.MaxValue, _blockMaxLast = long.MinValue;

    /// <summary>
    /// Creates an empty file whose blocks hold about <paramref name="blockBytes"/> of JSON lines each;
    /// <paramref name="expectedRecords"/> sizes the term tables (growing them record by record cost
    /// a large-object array and its collection per doubling).
    /// </summary>
    public SessionBlockWriter(int blockBytes = SessionBlockFormat.BlockBytes, int expectedRecords = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRecords);
        _blockBytes = blockBytes;
        foreach (var field in Enum.GetValues<SessionIndexField>())
        {
            var capacity = field switch
            {
                SessionIndexField.Host => 2 * expectedRecords,
                SessionIndexField.Port => Math.Min(65536, 2 * expectedRecords),
                _ => 0,
            };
            _terms[(int)field] = new Dictionary<string, List<int>>(capacity, StringComparer.Ordinal);
            _alwaysRead[(int)field] = [];
        }
    }

    /// <summary>Records added so far; the next one's ordinal.</summary>
    public int Records { get; private set; }

    /// <summary>zstd frames of records written so far.</summary>
    public int Blocks => _blocks.Count;

    /// <summary>Bytes of JSON lines added so far (newlines included).</summary>
    public long RecordsBytes { get; private set; }

    /// <summary>Adds the next record: its exact JSON line (without the newline) and the document it encodes.</summary>
    public void Add(ReadOnlySpan<byte> line, SessionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (_block.WrittenCount > 0 && _block.WrittenCount + line.Length + 1 > _blockBytes)
        {
            FlushBlock();
        }

        _block.Write(line);
        _block.Write("\n"u8);
        _recordsHash.AppendData(line);
        _recordsHash.AppendData("\n"u8);
        RecordsBytes += line.Length + 1;
        _blockRecords++;
        _blockMinFirst = Math.Min(_blockMinFirst, document.FirstNanoseconds);
        _blockMaxLast = Math.Max(_blockMaxLast, document.LastNanoseconds);
        _termBatch.Add(document);
        Records++;
        if (_termBatch.Count == TermBatchRecords)
        {
            IndexBatch();
        }
    }

    /// <summary>Ends the file: the last block, the index frame and the footer. Returns the file's bytes and the JSON lines' SHA-256.</summary>
    public (byte[] Contents, byte[] RecordsSha256, int IndexBytes) Finish()
    {
        if (_block.WrittenCount > 0)
        {
            FlushBlock();
        }

        while (_inFlight.Count > 0)
        {
            WriteOldestBlock();
        }

        IndexBatch();
        _indexing.GetAwaiter().GetResult();
        var index = BuildIndex();
        var compressor = RentCompressor();
        var compressed = compressor.Wrap(index.WrittenSpan);
        _compressors.Add(compressor);
        var indexOffset = _output.WrittenCount;
        var header = _output.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(header, SessionBlockFormat.IndexFrameMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], checked((uint)compressed.Length));
        _output.Advance(8);
        _output.Write(compressed);
        var footer = _output.GetSpan(SessionBlockFormat.FooterBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(footer, SessionBlockFormat.FooterFrameMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[4..], 12);
        SessionBlockFormat.FooterTag.CopyTo(footer[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(footer[12..], indexOffset);
        _output.Advance(SessionBlockFormat.FooterBytes);
        return (_output.WrittenSpan.ToArray(), _recordsHash.GetHashAndReset(), 8 + compressed.Length + SessionBlockFormat.FooterBytes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A build that failed part way still has work in flight: it finishes before its buffers and
        // compressors go. Its own failure, if any, is the one Finish or the caller reported.
        ((IAsyncResult)_indexing).AsyncWaitHandle.WaitOne();
        foreach (var (compressing, _, _, _) in _inFlight)
        {
            ((IAsyncResult)compressing).AsyncWaitHandle.WaitOne();
            if (compressing.IsCompletedSuccessfully)
            {
                ArrayPool<byte>.Shared.Return(compressing.Result.Frame);
            }
        }

        _inFlight.Clear();
        while (_compressors.TryTake(out var compressor))
        {
            compressor.Dispose();
        }

        _recordsHash.Dispose();
    }

    private void FlushBlock()
    {
        var length = _block.WrittenCount;
        var input = ArrayPool<byte>.Shared.Rent(length);
        _block.WrittenSpan.CopyTo(input);
        _inFlight.Enqueue((Task.Run(() => Compress(input, length)), _blockRecords, _blockMinFirst, _blockMaxLast));
        if (_inFlight.Count >= MaxBlocksInFlight)
        {
            WriteOldestBlock();
        }

        _block.ResetWrittenCount();
        _blockRecords = 0;
        _blockMinFirst = long.MaxValue;
        _blockMaxLast = long.MinValue;
    }

    /// <summary>
    /// Hands the records added since the last batch to the term indexer, which runs on the thread pool
    /// while the caller writes the next records; batches are chained, so terms are posted in record order.
    /// </summary>
    private void IndexBatch()
    {
        if (_termBatch.Count == 0)
        {
            return;
        }

        var batch = _termBatch;
        var first = Records - batch.Count;
        _termBatch = new List<SessionDocument>(TermBatchRecords);
        _indexing = _indexing.ContinueWith(
            previous =>
            {
                previous.GetAwaiter().GetResult();
                for (var i = 0; i < batch.Count; i++)
                {
                    IndexTerms(first + i, batch[i]);
                }
            },
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void WriteOldestBlock()
    {
        var (compressing, records, minFirst, maxLast) = _inFlight.Dequeue();
        var (frame, length) = compressing.GetAwaiter().GetResult();
        _output.Write(frame.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(frame);
        _blocks.Add((length, records, minFirst, maxLast));
    }

    private (byte[] Frame, int Length) Compress(byte[] input, int length)
    {
        var compressor = RentCompressor();
        try
        {
            var frame = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(length));
            return (frame, compressor.Wrap(input.AsSpan(0, length), frame));
        }
        finally
        {
            _compressors.Add(compressor);
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private Compressor RentCompressor()
    {
        if (_compressors.TryTake(out var compressor))
        {
            return compressor;
        }

        compressor = new Compressor(SessionBlockFormat.CompressionLevel);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return compressor;
    }

    private void IndexTerms(int record, SessionDocument d)
    {
        foreach (var q in d.DnsQueries)
        {
            Wild(SessionIndexField.DnsQuery, q, record);
        }

        Wild(SessionIndexField.Sni, d.TlsSni, record);
        Wild(SessionIndexField.Sni, d.QuicSni, record);
        Wild(SessionIndexField.Sni, d.TlsRetrySni, record);
        Wild(SessionIndexField.Sni, d.QuicRetrySni, record);
        foreach (var host in d.HttpHosts)
        {
            Wild(SessionIndexField.HttpHost, host, record);
        }

        foreach (var uri in d.HttpUris)
        {
            Wild(SessionIndexField.HttpUri, uri, record);
        }

        if ((long)d.HttpHosts.Count * d.HttpUris.Count <= SessionIndexTerms.MaxUrlCombinations)
        {
            foreach (var url in SessionFilter.Urls(d))
            {
                Wild(SessionIndexField.HttpUrl, url, record);
            }
        }
        else
        {
            AlwaysRead(SessionIndexField.HttpUrl, record);
        }

        foreach (var agent in d.HttpUserAgents)
        {
            Wild(SessionIndexField.UserAgent, agent, record);
        }

        Exact(SessionIndexField.Ja3, d.Ja3, record);
        Exact(SessionIndexField.Ja3, d.Ja3S, record);
        Exact(SessionIndexField.Ja3, d.TlsRetryJa3, record);
        Exact(SessionIndexField.Ja4, d.Ja4, record);
        Exact(SessionIndexField.Ja4, d.TlsRetryJa4, record);
        Exact(SessionIndexField.Ja4, d.QuicJa4, record);
        Exact(SessionIndexField.Ja4, d.QuicRetryJa4, record);
        Exact(SessionIndexField.Ja4, d.Ja4S, record);
        foreach (var cert in d.CertificateSha256)
        {
            Exact(SessionIndexField.CertSha256, cert, record);
        }

        foreach (var file in d.FileSha256)
        {
            Exact(SessionIndexField.FileSha256, file, record);
        }

        Exact(SessionIndexField.App, d.Application, record);
        Term(SessionIndexField.Host, SessionIndexTerms.FoldAddress(d.Client), record);
        Term(SessionIndexField.Host, SessionIndexTerms.FoldAddress(d.Server), record);
        Term(SessionIndexField.Port, PortTerm(d.ClientPort), record);
        Term(SessionIndexField.Port, PortTerm(d.ServerPort), record);
        Term(SessionIndexField.Proto, d.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture), record);
    }

    private static string PortTerm(int port) => port is >= 0 and <= 65535
        ? PortTerms[port] ??= port.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Wild(SessionIndexField field, string? value, int record)
    {
        if (value is not null)
        {
            Term(field, SessionIndexTerms.FoldWildcard(value), record);
        }
    }

    private void Exact(SessionIndexField field, string? value, int record)
    {
        if (value is null)
        {
            return;
        }

        if (SessionIndexTerms.FoldExact(value) is { } term)
        {
            Term(field, term, record);
        }
        else
        {
            AlwaysRead(field, record);
        }
    }

    private void AlwaysRead(SessionIndexField field, int record)
    {
        var list = _alwaysRead[(int)field];
        if (list.Count == 0 || list[^1] != record)
        {
            list.Add(record);
        }
    }

    private void Term(SessionIndexField field, string? term, int record)
    {
        if (term is null)
        {
            return;
        }

        if (!IsWellFormed(term))
        {
            // UTF-8 cannot carry a lone surrogate (a JSON \uD800 in hostile input): such a record is always read.
            AlwaysRead(field, record);
            return;
        }

        var terms = _terms[(int)field];
        if (!terms.TryGetValue(term, out var postings))
        {
            terms[term] = postings = [];
        }

        // Records arrive in order: a record holding the same term twice (client and server port) is posted once.
        if (postings.Count == 0 || postings[^1] != record)
        {
            postings.Add(record);
        }
    }

    private ArrayBufferWriter<byte> BuildIndex()
    {
        var index = new ArrayBufferWriter<byte>(1 << 16);
        index.Write(SessionBlockFormat.IndexTag);
        index.Write([SessionBlockFormat.IndexVersion]);
        SessionBlockFormat.WriteVarint(index, (ulong)Records);
        SessionBlockFormat.WriteVarint(index, (ulong)_blocks.Count);
        foreach (var (length, records, minFirst, maxLast) in _blocks)
        {
            SessionBlockFormat.WriteVarint(index, (ulong)length);
            SessionBlockFormat.WriteVarint(index, (ulong)records);
            SessionBlockFormat.WriteInt64(index, minFirst);
            SessionBlockFormat.WriteInt64(index, maxLast);
        }

        var fields = Enum.GetValues<SessionIndexField>();
        SessionBlockFormat.WriteVarint(index, (ulong)fields.Length);

        // Each field's section (sorting its terms, mostly) is independent of the others: built in parallel, written in field order.
        var sections = new ArrayBufferWriter<byte>[fields.Length];
        Parallel.For(0, fields.Length, i =>
        {
            sections[i] = new ArrayBufferWriter<byte>(1 << 16);
            WriteField(sections[i], fields[i]);
        });
        for (var i = 0; i < fields.Length; i++)
        {
            index.Write([(byte)fields[i]]);
            SessionBlockFormat.WriteVarint(index, (ulong)sections[i].WrittenCount);
            index.Write(sections[i].WrittenSpan);
        }

        return index;
    }

    private void WriteField(ArrayBufferWriter<byte> section, SessionIndexField field)
    {
        var terms = _terms[(int)field].Keys.ToArray();
        Array.Sort(terms, StringComparer.Ordinal);
        SessionBlockFormat.WriteVarint(section, (ulong)terms.Length);
        foreach (var term in terms)
        {
            var bytes = Encoding.UTF8.GetBytes(term);
            SessionBlockFormat.WriteVarint(section, (ulong)bytes.Length);
            section.Write(bytes);
            WritePostings(section, _terms[(int)field][term]);
        }

        if (SessionIndexTerms.IsWildcardField(field))
        {
            // Suffix patterns (*.example.com) search this order: the terms by their reversed text.
            var order = Enumerable.Range(0, terms.Length).ToArray();
            var reversed = terms.Select(Reverse).ToArray();
            Array.Sort(reversed, order, StringComparer.Ordinal);
            foreach (var i in order)
            {
                SessionBlockFormat.WriteVarint(section, (ulong)i);
            }
        }

        WritePostings(section, _alwaysRead[(int)field]);
    }

    private static void WritePostings(ArrayBufferWriter<byte> section, List<int> postings)
    {
        SessionBlockFormat.WriteVarint(section, (ulong)postings.Count);
        var previous = -1;
        foreach (var record in postings)
        {
            SessionBlockFormat.WriteVarint(section, (ulong)(record - previous - 1));
            previous = record;
        }
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The term's UTF-16 units in reverse order (surrogate pairs included: both sides reverse the same way).</summary>
    internal static string Reverse(string term) => string.Create(term.Length, term, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[source.Length - 1 - i];
        }
    });
}
