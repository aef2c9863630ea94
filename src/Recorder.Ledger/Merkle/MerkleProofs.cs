using System.Security.Cryptography;

namespace Recorder.Ledger.Merkle;

/// <summary>
/// Computes the subtree hash <c>MTH(D[start:end])</c> of a tree's leaves, for proof generation.
/// Implementations may answer from stored complete subtrees; the proofs only ever ask for subtrees
/// RFC 9162's recursion produces (an aligned complete subtree, or one ending at the tree's size).
/// </summary>
public delegate byte[] SubtreeHash(long start, long end);

/// <summary>
/// Inclusion and consistency proofs of RFC 9162 §2.1.3 and §2.1.4: generation by the RFC's recursive
/// definitions (PATH and SUBPROOF) and verification by its iterative algorithms (§2.1.3.2 and
/// §2.1.4.2), step for step. Leaf indexes are 0-based, sizes count leaves.
/// </summary>
public static class MerkleProofs
{
    /// <summary>The audit path <c>PATH(leafIndex, D[treeSize])</c> (RFC 9162 §2.1.3.1).</summary>
    public static IReadOnlyList<byte[]> InclusionPath(long leafIndex, long treeSize, SubtreeHash mth)
    {
        ArgumentNullException.ThrowIfNull(mth);
        if (treeSize < 1 || leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), $"leaf {leafIndex} is not in a tree of {treeSize}");
        }

        var path = new List<byte[]>();
        Path(leafIndex, 0, treeSize, mth, path);
        return path;
    }

    /// <summary>
    /// The consistency proof <c>PROOF(first, D[second])</c> (RFC 9162 §2.1.4.1) for 0 &lt; first &lt;= second;
    /// for first = second it is empty (the two trees are the same tree).
    /// </summary>
    public static IReadOnlyList<byte[]> ConsistencyPath(long first, long second, SubtreeHash mth)
    {
        ArgumentNullException.ThrowIfNull(mth);
        if (first < 1 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"no consistency proof from size {first} to size {second}");
        }

        var path = new List<byte[]>();
        if (first < second)
        {
            SubProof(first, 0, second, true, mth, path);
        }

        return path;
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="path"/> prove leaf <paramref name="leafIndex"/> with hash <paramref name="leafHash"/> in the tree of <paramref name="treeSize"/> with root <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size)
        {
            return false;
        }

        // 1. leaf_index >= tree_size fails.
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            return false;
        }

        // 2.-3.
        var fn = leafIndex;
        var sn = treeSize - 1;
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);

        // 4.
        foreach (var p in path)
        {
            if (p is null || p.Length != MerkleHash.Size || sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // 5.
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: does <paramref name="path"/> prove that the tree of <paramref name="first"/>
    /// leaves with root <paramref name="firstRoot"/> is a prefix of the tree of <paramref name="second"/>
    /// leaves with root <paramref name="secondRoot"/>? For first = second the proof must be empty and the roots equal.
    /// </summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size || first < 1 || first > second)
        {
            return false;
        }

        if (first == second)
        {
            return path.Count == 0 && CryptographicOperations.FixedTimeEquals(firstRoot, secondRoot);
        }

        // 1. An empty path fails.
        if (path.Count == 0)
        {
            return false;
        }

        foreach (var c in path)
        {
            if (c is null || c.Length != MerkleHash.Size)
            {
                return false;
            }
        }

        // 2. If first is an exact power of 2, prepend first_hash.
        IReadOnlyList<byte[]> proof = path;
        if ((first & (first - 1)) == 0)
        {
            var prepended = new List<byte[]>(path.Count + 1) { firstRoot.ToArray() };
            prepended.AddRange(path);
            proof = prepended;
        }

        // 3.
        var fn = first - 1;
        var sn = second - 1;

        // 4.
        if ((fn & 1) == 1)
        {
            while ((fn & 1) == 1)
            {
                fn >>= 1;
                sn >>= 1;
            }
        }

        // 5.
        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        proof[0].CopyTo(fr);
        proof[0].CopyTo(sr);

        // 6.
        for (var i = 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // 7.
        return sn == 0
            && CryptographicOperations.FixedTimeEquals(fr, firstRoot)
            && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }

    /// <summary>
    /// <c>MTH(D[start:end])</c> from stored complete subtrees: an aligned power-of-two range is one
    /// stored node (<paramref name="complete"/>), any other range ending at the right edge splits at
    /// RFC 9162's k. O(log n) calls to <paramref name="complete"/>.
    /// </summary>
    public static byte[] FromCompleteSubtrees(long start, long end, Func<int, long, byte[]> complete)
    {
        ArgumentNullException.ThrowIfNull(complete);
        var n = end - start;
        if (n < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "empty range");
        }

        if ((n & (n - 1)) == 0)
        {
            var level = 63 - (int)long.LeadingZeroCount(n);
            if (start % n != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(start), $"range [{start},{end}) is not an aligned subtree");
            }

            return complete(level, start >> level);
        }

        var k = MerkleHash.SplitPoint(n);
        return MerkleHash.Node(FromCompleteSubtrees(start, start + k, complete), FromCompleteSubtrees(start + k, end, complete));
    }

    private static void Path(long m, long start, long end, SubtreeHash mth, List<byte[]> path)
    {
        var n = end - start;
        if (n == 1)
        {
            return;
        }

        var k = MerkleHash.SplitPoint(n);
        if (m < k)
        {
            Path(m, start, start + k, mth, path);
            path.Add(mth(start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, mth, path);
            path.Add(mth(start, start + k));
        }
    }

    private static void SubProof(long m, long start, long end, bool b, SubtreeHash mth, List<byte[]> path)
    {
        var n = end - start;
        if (m == n)
        {
            if (!b)
            {
                path.Add(mth(start, end));
            }

            return;
        }

        var k = MerkleHash.SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, b, mth, path);
            path.Add(mth(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, mth, path);
            path.Add(mth(start, start + k));
        }
    }
}
