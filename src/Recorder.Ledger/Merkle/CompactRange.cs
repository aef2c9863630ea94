namespace Recorder.Ledger.Merkle;

/// <summary>
/// The right frontier of a growing Merkle tree: the roots of its maximal complete subtrees, one per
/// set bit of the size, largest first. Appending a leaf merges equal-sized subtrees like a binary
/// counter, so the root of any size is O(log n) away and every complete subtree is seen exactly
/// once (the callback of <see cref="Append"/>), which is how the stored levels are written.
/// </summary>
public sealed class CompactRange
{
    private readonly List<byte[]> _stack = [];

    /// <summary>Leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>The frontier's subtree roots, largest first (a copy).</summary>
    public IReadOnlyList<byte[]> Frontier => _stack.Select(h => (byte[])h.Clone()).ToList();

    /// <summary>A range resumed from a stored frontier of <paramref name="size"/> leaves (roots largest first).</summary>
    public static CompactRange FromFrontier(long size, IReadOnlyList<byte[]> frontier)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        if (size < 0 || long.PopCount(size) != frontier.Count)
        {
            throw new ArgumentException($"a frontier of size {size} has {long.PopCount(size)} subtrees, not {frontier.Count}");
        }

        var range = new CompactRange { Size = size };
        range._stack.AddRange(frontier.Select(h => (byte[])h.Clone()));
        return range;
    }

    /// <summary>A copy that can grow independently.</summary>
    public CompactRange Clone() => FromFrontier(Size, _stack);

    /// <summary>
    /// Appends a leaf hash; <paramref name="completed"/> is called for every complete subtree this
    /// forms: level (0 = the leaf itself), index within the level, hash.
    /// </summary>
    public void Append(ReadOnlySpan<byte> leafHash, Action<int, long, byte[]>? completed = null)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("leaf hashes are 32 bytes", nameof(leafHash));
        }

        var hash = leafHash.ToArray();
        var index = Size;
        var level = 0;
        completed?.Invoke(level, index, hash);
        while ((index & 1) == 1)
        {
            var left = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            hash = MerkleHash.Node(left, hash);
            index >>= 1;
            level++;
            completed?.Invoke(level, index, hash);
        }

        _stack.Add(hash);
        Size = checked(Size + 1);
    }

    /// <summary>The root of the tree so far (RFC 9162 MTH); the empty tree's root when no leaf was appended.</summary>
    public byte[] Root()
    {
        if (_stack.Count == 0)
        {
            return MerkleHash.EmptyRoot();
        }

        // MTH(D[n]) = HASH(0x01 ‖ largest complete subtree ‖ MTH(rest)): fold from the right.
        var root = (byte[])_stack[^1].Clone();
        for (var i = _stack.Count - 2; i >= 0; i--)
        {
            MerkleHash.Node(_stack[i], root, root);
        }

        return root;
    }
}
