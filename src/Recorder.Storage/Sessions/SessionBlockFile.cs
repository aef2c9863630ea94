using System.Buffers.Binary;
using System.Collections;
using System.Text;
using Recorder.Sessions.Search;
using ZstdSharp;

namespace Recorder.Storage.Sessions;

/// <summary>One block of a session metadata file: where its zstd frame is and which records it holds.</summary>
/// <param name="Offset">Byte offset of its frame in the file.</param>
/// <param name="Length">Bytes of its frame.</param>
/// <param name="FirstRecord">Ordinal of its first record in the file.</param>
/// <param name="Records">Records (lines) it holds.</param>
/// <param name="MinFirstNanoseconds">Earliest first packet of its records.</param>
/// <param name="MaxLastNanoseconds">Latest last packet of its records.</param>
public sealed record SessionBlock(long Offset, int Length, int FirstRecord, int Records, long MinFirstNanoseconds, long MaxLastNanoseconds);

/// <summary>
/// A session metadata file in block format opened for search: its footer and index are read and
/// checked on open (a bad one throws <see cref="SessionIndexCorruptException"/>), field sections
/// are decoded when first asked, blocks are read and decompressed one at a time.
/// </summary>
public sealed class SessionBlockFile : IDisposable
{
    private readonly FileStream _file;
    private readonly byte[] _index;
    private readonly Dictionary<SessionIndexField, (int Offset, int Length)> _sections = [];
    private readonly Dictionary<SessionIndexField, FieldTerms> _fields = [];
    private readonly Decompressor _decompressor = new();

    private SessionBlockFile(string path, FileStream file, byte[] index)
    {
        Path = path;
        _file = file;
        _index = index;
        var reader = new IndexReader(index, 0);
        if (!reader.Bytes(4).SequenceEqual(SessionBlockFormat.IndexTag) || reader.Byte() != SessionBlockFormat.IndexVersion)
        {
            throw new SessionIndexCorruptException("index does not start with RSIX version 1");
        }

        RecordCount = reader.Count(int.MaxValue);
        var blockCount = reader.Count(Math.Max(1, RecordCount));
        var blocks = new List<SessionBlock>(blockCount);
        long offset = 0;
        var first = 0;
        for (var i = 0; i < blockCount; i++)
        {
            var length = reader.Count(int.MaxValue);
            var records = reader.Count(RecordCount - first);
            blocks.Add(new SessionBlock(offset, length, first, records, reader.Int64(), reader.Int64()));
            offset += length;
            first += records;
        }

        if (first != RecordCount)
        {
            throw new SessionIndexCorruptException($"the blocks hold {first} records, the index says {RecordCount}");
        }

        Blocks = blocks;
        var fields = reader.Count(255);
        for (var i = 0; i < fields; i++)
        {
            var field = (SessionIndexField)reader.Byte();
            var length = reader.Count(index.Length);
            _sections[field] = (reader.Position, length);
            reader.Bytes(length);
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Records in the file.</summary>
    public int RecordCount { get; }

    /// <summary>The blocks, in file order.</summary>
    public IReadOnlyList<SessionBlock> Blocks { get; }

    /// <summary>Bytes of the index frame and footer.</summary>
    public long IndexBytes { get; private init; }

    /// <summary>Opens <paramref name="path"/> and reads its index; throws <see cref="SessionIndexCorruptException"/> naming the file when it is not one.</summary>
    public static SessionBlockFile Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try
        {
            var length = file.Length;
            Span<byte> footer = stackalloc byte[SessionBlockFormat.FooterBytes];
            if (length < SessionBlockFormat.FooterBytes + 8
                || RandomAccess.Read(file.SafeFileHandle, footer, length - SessionBlockFormat.FooterBytes) != footer.Length
                || BinaryPrimitives.ReadUInt32LittleEndian(footer) != SessionBlockFormat.FooterFrameMagic
                || BinaryPrimitives.ReadUInt32LittleEndian(footer[4..]) != 12
                || !footer.Slice(8, 4).SequenceEqual(SessionBlockFormat.FooterTag))
            {
                throw new SessionIndexCorruptException("no index footer (RSX1) at the end of the file");
            }

            var indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer[12..]);
            Span<byte> header = stackalloc byte[8];
            if (indexOffset < 0 || indexOffset > length - SessionBlockFormat.FooterBytes - 8
                || RandomAccess.Read(file.SafeFileHandle, header, indexOffset) != 8
                || BinaryPrimitives.ReadUInt32LittleEndian(header) != SessionBlockFormat.IndexFrameMagic
                || BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != length - SessionBlockFormat.FooterBytes - 8 - indexOffset)
            {
                throw new SessionIndexCorruptException($"the footer's index offset {indexOffset} does not point at an index frame ending at the footer");
            }

            var compressed = new byte[length - SessionBlockFormat.FooterBytes - 8 - indexOffset];
            RandomAccess.Read(file.SafeFileHandle, compressed, indexOffset + 8);
            byte[] index;
            try
            {
                using var decompressor = new Decompressor();
                index = decompressor.Unwrap(compressed).ToArray();
            }
            catch (ZstdException e)
            {
                throw new SessionIndexCorruptException($"index frame does not decompress: {e.Message}", e);
            }

            var opened = new SessionBlockFile(path, file, index) { IndexBytes = length - indexOffset };
            var last = opened.Blocks.Count == 0 ? null : opened.Blocks[^1];
            if ((last is null ? 0 : last.Offset + last.Length) != indexOffset)
            {
                opened.Dispose();
                throw new SessionIndexCorruptException($"the blocks end at {last?.Offset + last?.Length ?? 0}, the index frame starts at {indexOffset}");
            }

            return opened;
        }
        catch (SessionIndexCorruptException e)
        {
            file.Dispose();
            throw new SessionIndexCorruptException($"{path}: {e.Message}", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the frames of a block-format file in order, without its index, and returns the JSON
    /// lines they hold (what <c>zstd -dc</c> prints): the way to read a file whose index is damaged.
    /// </summary>
    public static byte[] DecompressAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var output = new MemoryStream();
        using var decompressor = new Decompressor();
        var position = 0;
        while (position + 8 <= bytes.Length)
        {
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
            if ((magic & 0xFFFFFFF0) == 0x184D2A50)
            {
                position += 8 + checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4)));
                continue;
            }

            int length;
            try
            {
                length = FrameLength(bytes.AsSpan(position));
                output.Write(decompressor.Unwrap(bytes.AsSpan(position, length)));
            }
            catch (Exception e) when (e is ZstdException or OverflowException or ArgumentException)
            {
                throw new SessionIndexCorruptException($"{path}: frame at byte {position} does not decompress: {e.Message}", e);
            }

            position += length;
        }

        if (position != bytes.Length)
        {
            throw new SessionIndexCorruptException($"{path}: {bytes.Length - position} stray bytes at the end");
        }

        return output.ToArray();
    }

    private static unsafe int FrameLength(ReadOnlySpan<byte> frames)
    {
        fixed (byte* start = frames)
        {
            var size = ZstdSharp.Unsafe.Methods.ZSTD_findFrameCompressedSize(start, (nuint)frames.Length);
            if (ZstdSharp.Unsafe.Methods.ZSTD_isError(size))
            {
                throw new ArgumentException("not a complete zstd frame", nameof(frames));
            }

            return checked((int)size);
        }
    }

    /// <summary>Decompresses block <paramref name="block"/>: its JSON lines, each ended by a newline.</summary>
    public byte[] ReadBlock(SessionBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var compressed = new byte[block.Length];
        if (RandomAccess.Read(_file.SafeFileHandle, compressed, block.Offset) != block.Length)
        {
            throw new SessionIndexCorruptException($"{Path}: block at byte {block.Offset} is cut short");
        }

        try
        {
            return _decompressor.Unwrap(compressed).ToArray();
        }
        catch (ZstdException e)
        {
            throw new SessionIndexCorruptException($"{Path}: block at byte {block.Offset} does not decompress: {e.Message}", e);
        }
    }

    /// <summary>
    /// The records holding a term of <paramref name="field"/> that <paramref name="pattern"/> matches
    /// (a wildcard field: <see cref="Wildcard"/> semantics; otherwise the already folded exact term),
    /// plus the field's always-read records. A superset of the records the filter option matches.
    /// </summary>
    public BitArray Lookup(SessionIndexField field, string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var terms = Terms(field);
        var result = new BitArray(RecordCount);
        foreach (var term in terms.Matching(pattern, SessionIndexTerms.IsWildcardField(field)))
        {
            AddPostings(result, terms.Postings[term]);
        }

        AddPostings(result, terms.AlwaysRead);
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        _decompressor.Dispose();
    }

    private void AddPostings(BitArray result, int offset)
    {
        var reader = new IndexReader(_index, offset);
        var count = reader.Count(RecordCount);
        var record = -1L;
        for (var i = 0; i < count; i++)
        {
            record += (long)reader.Varint() + 1;
            if (record >= RecordCount)
            {
                throw new SessionIndexCorruptException($"{Path}: posting {record} at index byte {reader.Position} is past the last record");
            }

            result[(int)record] = true;
        }
    }

    private FieldTerms Terms(SessionIndexField field)
    {
        if (_fields.TryGetValue(field, out var terms))
        {
            return terms;
        }

        if (!_sections.TryGetValue(field, out var section))
        {
            throw new SessionIndexCorruptException($"{Path}: the index has no section for {field}");
        }

        var reader = new IndexReader(_index.AsSpan(0, section.Offset + section.Length), section.Offset);
        var count = reader.Count(section.Length);
        var names = new string[count];
        var postings = new int[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = Encoding.UTF8.GetString(reader.Bytes(reader.Count(section.Length)));
            postings[i] = reader.Position;
            var n = reader.Count(RecordCount);
            for (var p = 0; p < n; p++)
            {
                reader.Varint();
            }
        }

        int[]? reversed = null;
        if (SessionIndexTerms.IsWildcardField(field))
        {
            reversed = new int[count];
            for (var i = 0; i < count; i++)
            {
                reversed[i] = reader.Count(count - 1);
            }
        }

        var always = reader.Position;
        _fields[field] = terms = new FieldTerms(names, postings, reversed, always);
        return terms;
    }

    /// <summary>A field's sorted term dictionary, each term's postings offset, and the reversed-text order.</summary>
    private sealed record FieldTerms(string[] Names, int[] Postings, int[]? Reversed, int AlwaysRead)
    {
        public IEnumerable<int> Matching(string pattern, bool wildcard)
        {
            if (!wildcard)
            {
                var exact = Array.BinarySearch(Names, pattern, StringComparer.Ordinal);
                return exact >= 0 ? [exact] : [];
            }

            var folded = SessionIndexTerms.FoldWildcard(pattern);
            var star = folded.IndexOf('*', StringComparison.Ordinal);
            if (star < 0)
            {
                var exact = Array.BinarySearch(Names, folded, StringComparer.Ordinal);
                return exact >= 0 ? [exact] : [];
            }

            var prefix = folded[..star];
            var suffix = folded[(folded.LastIndexOf('*') + 1)..];
            IEnumerable<int> range;
            if (prefix.Length >= suffix.Length && prefix.Length > 0)
            {
                range = PrefixRange(Names, prefix, i => Names[i]);
            }
            else if (suffix.Length > 0 && Reversed is not null)
            {
                // The reversed order sorts the terms by their reversed text: a suffix is a prefix there.
                var reversedNames = new ReversedView(Names, Reversed);
                range = PrefixRange(reversedNames, SessionBlockWriter.Reverse(suffix), i => reversedNames[i]).Select(i => Reversed[i]);
            }
            else
            {
                range = Enumerable.Range(0, Names.Length);
            }

            return range.Where(i => Wildcard.Matches(Names[i], pattern));
        }

        private static IEnumerable<int> PrefixRange(IReadOnlyList<string> sorted, string prefix, Func<int, string> at)
        {
            int low = 0, high = sorted.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (string.CompareOrdinal(at(middle), prefix) < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            for (var i = low; i < sorted.Count && at(i).StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                yield return i;
            }
        }
    }

    /// <summary>The terms in reversed-text order, each reversed (computed on demand).</summary>
    private sealed class ReversedView(string[] names, int[] order) : IReadOnlyList<string>
    {
        public string this[int index] => SessionBlockWriter.Reverse(names[order[index]]);

        public int Count => order.Length;

        public IEnumerator<string> GetEnumerator() => order.Select(i => SessionBlockWriter.Reverse(names[i])).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
