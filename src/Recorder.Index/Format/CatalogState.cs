using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Recorder.Index.Format;

/// <summary>
/// A summary of the whole catalog, rewritten by every change in the same atomic batch: the change
/// counter (generation), the number of segments, and a digest of every (segment id, generation of
/// its entry) pair. A reader that follows the writer from another process checks its view against
/// it: RocksDB's secondary instances can, for a moment, miss one batch and see a later one (the
/// writer may delete a write-ahead log between the reader's reading of the MANIFEST and of the
/// logs); such a view does not match its own summary, and the reader catches up until it does.
/// </summary>
internal readonly record struct CatalogState(long Generation, long Segments, ulong Digest)
{
    public static readonly CatalogState Empty = new(0, 0, 0);

    /// <summary>The digest's term for one catalog entry: the first 8 bytes (big-endian) of SHA-256(id BE8 ‖ generation BE8).</summary>
    public static ulong EntryHash(long segmentId, long generation)
    {
        Span<byte> input = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(input, segmentId);
        BinaryPrimitives.WriteInt64BigEndian(input[8..], generation);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    public byte[] Encode()
    {
        var writer = new ByteWriter(32);
        writer.WriteCount(Generation);
        writer.WriteCount(Segments);
        writer.WriteInt64BigEndian(unchecked((long)Digest));
        return writer.ToArray();
    }

    /// <exception cref="FormatException">The value is not a version-1 catalog state.</exception>
    public static CatalogState Decode(ReadOnlySpan<byte> value)
    {
        var reader = new ByteReader(value);
        var state = new CatalogState(reader.ReadCount(), reader.ReadCount(), unchecked((ulong)reader.ReadInt64BigEndian()));
        reader.ExpectEnd("catalog state");
        return state;
    }

    /// <summary>The state after an entry for <paramref name="segmentId"/> is written (replacing <paramref name="replacedGeneration"/> if any).</summary>
    public CatalogState WithEntry(long segmentId, long? replacedGeneration)
    {
        var generation = Generation + 1;
        var digest = Digest ^ EntryHash(segmentId, generation);
        if (replacedGeneration is { } old)
        {
            digest ^= EntryHash(segmentId, old);
        }

        return new CatalogState(generation, replacedGeneration is null ? Segments + 1 : Segments, digest);
    }

    /// <summary>The state after the entry written at <paramref name="generation"/> is removed.</summary>
    public CatalogState WithoutEntry(long segmentId, long generation) =>
        new(Generation + 1, Segments - 1, Digest ^ EntryHash(segmentId, generation));
}
