using System.Buffers;
using System.Security.Cryptography;

namespace Recorder.Ledger.Merkle;

/// <summary>
/// The hashes of RFC 9162 §2.1.1 with SHA-256: the empty tree hashes to SHA-256 of nothing, a leaf
/// to <c>SHA-256(0x00 ‖ entry)</c> and an interior node to <c>SHA-256(0x01 ‖ left ‖ right)</c>. The
/// two prefixes keep a leaf from ever being taken for a node (second-preimage resistance).
/// </summary>
public static class MerkleHash
{
    /// <summary>Hash length in bytes.</summary>
    public const int Size = 32;

    private const int StackLimit = 1024;

    /// <summary>The root of the empty tree, <c>SHA-256("")</c>.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash of <paramref name="entry"/>.</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> entry)
    {
        var hash = new byte[Size];
        Leaf(entry, hash);
        return hash;
    }

    /// <summary>Writes the leaf hash of <paramref name="entry"/> into <paramref name="destination"/>.</summary>
    public static void Leaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        var length = entry.Length + 1;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        buffer[0] = 0x00;
        entry.CopyTo(buffer[1..]);
        SHA256.HashData(buffer, destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The hash of the interior node with children <paramref name="left"/> and <paramref name="right"/>.</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        Node(left, right, hash);
        return hash;
    }

    /// <summary>Writes the interior node hash into <paramref name="destination"/> (which may alias either child).</summary>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Size || right.Length != Size)
        {
            throw new ArgumentException("node children are 32-byte hashes");
        }

        Span<byte> buffer = stackalloc byte[1 + Size + Size];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>The largest power of two strictly less than <paramref name="n"/> (n &gt; 1): RFC 9162's split point k.</summary>
    public static long SplitPoint(long n)
    {
        if (n < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "a split needs at least two leaves");
        }

        return 1L << (63 - (int)long.LeadingZeroCount(n - 1));
    }
}
