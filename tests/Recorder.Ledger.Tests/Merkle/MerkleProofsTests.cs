using CsCheck;
using Recorder.Core.Hashing;
using Recorder.Ledger.Merkle;

namespace Recorder.Ledger.Tests.Merkle;

public sealed class MerkleProofsTests
{
    // The eight leaves of the Certificate Transparency reference test vectors (RFC 6962 / 9162
    // implementations: certificate-transparency-go, transparency-dev/merkle).
    private static readonly byte[][] VectorLeaves =
    [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    private static readonly string[] VectorRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    [Fact]
    public void Root_OfTheCertificateTransparencyVectors_MatchesThePublishedRoots()
    {
        for (var size = 1; size <= 8; size++)
        {
            var range = new CompactRange();
            foreach (var leaf in VectorLeaves.Take(size))
            {
                range.Append(MerkleHash.Leaf(leaf));
            }

            Assert.Equal(VectorRoots[size - 1], Hex.Lower(range.Root()));
            Assert.Equal(VectorRoots[size - 1], Hex.Lower(NaiveMerkle.Mth(VectorLeaves.Take(size).ToList())));
        }
    }

    [Fact]
    public void EmptyRoot_IsSha256OfNothing()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Lower(new CompactRange().Root()));
    }

    [Fact]
    public void InclusionPath_ForEveryLeafOfTreesUpTo40_EqualsTheRfcDefinitionAndVerifies()
    {
        for (var n = 1; n <= 40; n++)
        {
            var entries = Entries(n);
            var leaves = entries.Select(e => MerkleHash.Leaf(e)).ToList();
            var root = NaiveMerkle.Mth(entries);
            for (var m = 0; m < n; m++)
            {
                var path = MerkleProofs.InclusionPath(m, n, (a, b) => NaiveMerkle.Mth(entries.Skip((int)a).Take((int)(b - a)).ToList()));

                Assert.Equal(NaiveMerkle.Path(m, entries).Select(p => Hex.Lower(p)), path.Select(p => Hex.Lower(p)));
                Assert.True(MerkleProofs.VerifyInclusion(m, n, leaves[m], path, root), $"leaf {m} of {n}");
            }
        }
    }

    [Fact]
    public void ConsistencyPath_ForEveryPairOfSizesUpTo40_EqualsTheRfcDefinitionAndVerifies()
    {
        var entries = Entries(40);
        for (var second = 1; second <= 40; second++)
        {
            var secondRoot = NaiveMerkle.Mth(entries.Take(second).ToList());
            for (var first = 1; first <= second; first++)
            {
                var prefix = entries.Take(second).ToList();
                var path = MerkleProofs.ConsistencyPath(first, second, (a, b) => NaiveMerkle.Mth(prefix.Skip((int)a).Take((int)(b - a)).ToList()));
                var expected = first == second ? [] : NaiveMerkle.Proof(first, prefix);

                Assert.Equal(expected.Select(p => Hex.Lower(p)), path.Select(p => Hex.Lower(p)));
                Assert.True(MerkleProofs.VerifyConsistency(first, second, NaiveMerkle.Mth(entries.Take(first).ToList()), secondRoot, path), $"{first} -> {second}");
            }
        }
    }

    [Fact]
    public void FromCompleteSubtrees_EqualsMthForEveryRangeRfcRecursionAsksFor()
    {
        var entries = Entries(37);
        var leaves = entries.Select(e => MerkleHash.Leaf(e)).ToList();

        byte[] Complete(int level, long index) => NaiveMerkle.Mth(entries.Skip((int)(index << level)).Take(1 << level).ToList());

        for (var end = 1; end <= 37; end++)
        {
            Assert.Equal(Hex.Lower(NaiveMerkle.Mth(entries.Take(end).ToList())), Hex.Lower(MerkleProofs.FromCompleteSubtrees(0, end, Complete)));
        }

        Assert.Equal(Hex.Lower(NaiveMerkle.Mth(entries.Skip(32).Take(5).ToList())), Hex.Lower(MerkleProofs.FromCompleteSubtrees(32, 37, Complete)));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProofs.FromCompleteSubtrees(3, 7, Complete));
        Assert.Equal(leaves[5], MerkleProofs.FromCompleteSubtrees(5, 6, Complete));
    }

    [Fact]
    public void Inclusion_RandomTrees_EveryProofVerifiesAndAnyChangeFails()
    {
        Gen.Int[1, 3000].SelectMany(n => Gen.Long[0, n - 1].Select(m => (n, m)))
            .Sample(t =>
            {
                var (n, m) = t;
                var leaves = Enumerable.Range(0, n).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
                var tree = new StoredTree(leaves);
                var path = MerkleProofs.InclusionPath(m, n, tree.Mth);
                var root = tree.Mth(0, n);
                if (!MerkleProofs.VerifyInclusion(m, n, leaves[(int)m], path, root))
                {
                    return false;
                }

                // Any flipped bit anywhere, another leaf, another index, another root, a longer path: all
                // fail. (Another size with the same root may pass: RFC 9162 binds size and root through
                // the signed checkpoint, which is why proof files take both from it.)
                for (var i = 0; i < path.Count; i++)
                {
                    var changed = path.Select(p => (byte[])p.Clone()).ToList();
                    changed[i][i % 32] ^= 0x40;
                    if (MerkleProofs.VerifyInclusion(m, n, leaves[(int)m], changed, root))
                    {
                        return false;
                    }
                }

                var otherLeaf = (byte[])leaves[(int)m].Clone();
                otherLeaf[7] ^= 1;
                var otherRoot = (byte[])root.Clone();
                otherRoot[0] ^= 1;
                return !MerkleProofs.VerifyInclusion(m, n, otherLeaf, path, root)
                    && !MerkleProofs.VerifyInclusion(m, n, leaves[(int)m], path, otherRoot)
                    && (n == 1 || !MerkleProofs.VerifyInclusion((m + 1) % n, n, leaves[(int)m], path, root))
                    && !MerkleProofs.VerifyInclusion(m, n, leaves[(int)m], [.. path, root], root);
            },
            iter: 300);
    }

    [Fact]
    public void Consistency_RandomSizes_EveryProofVerifiesAndAnyChangeFails()
    {
        Gen.Int[2, 3000].SelectMany(second => Gen.Int[1, second - 1].Select(first => (first, second)))
            .Sample(t =>
            {
                var (first, second) = t;
                var leaves = Enumerable.Range(0, second).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i * 7))).ToList();
                var tree = new StoredTree(leaves);
                var path = MerkleProofs.ConsistencyPath(first, second, tree.Mth);
                var firstRoot = tree.Mth(0, first);
                var secondRoot = tree.Mth(0, second);
                if (!MerkleProofs.VerifyConsistency(first, second, firstRoot, secondRoot, path))
                {
                    return false;
                }

                for (var i = 0; i < path.Count; i++)
                {
                    var changed = path.Select(p => (byte[])p.Clone()).ToList();
                    changed[i][31 - (i % 32)] ^= 0x01;
                    if (MerkleProofs.VerifyConsistency(first, second, firstRoot, secondRoot, changed))
                    {
                        return false;
                    }
                }

                // A tree that differs in one leaf before `first` must not be provably consistent.
                var forged = leaves.ToList();
                forged[first - 1] = MerkleHash.Leaf([0xff]);
                var forgedRoot = new StoredTree(forged).Mth(0, first);
                var wrongSecond = (byte[])secondRoot.Clone();
                wrongSecond[5] ^= 0x80;
                return !MerkleProofs.VerifyConsistency(first, second, forgedRoot, secondRoot, path)
                    && !MerkleProofs.VerifyConsistency(first, second, firstRoot, wrongSecond, path)
                    && !MerkleProofs.VerifyConsistency(first, second, firstRoot, secondRoot, path.Take(path.Count - 1).ToList())
                    && !MerkleProofs.VerifyConsistency(first, second, firstRoot, secondRoot, [.. path, firstRoot]);
            },
            iter: 300);
    }

    [Fact]
    public void VerifyConsistency_SameSize_RequiresEmptyPathAndEqualRoots()
    {
        var root = MerkleHash.Leaf([1]);
        var other = MerkleHash.Leaf([2]);

        Assert.True(MerkleProofs.VerifyConsistency(5, 5, root, root, []));
        Assert.False(MerkleProofs.VerifyConsistency(5, 5, root, other, []));
        Assert.False(MerkleProofs.VerifyConsistency(5, 5, root, root, [root]));
        Assert.False(MerkleProofs.VerifyConsistency(6, 5, root, root, []));
    }

    [Fact]
    public void InclusionPath_LengthGrowsLogarithmically()
    {
        var tree = new StoredTree(Enumerable.Range(0, 1 << 12).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList());

        var lengths = new[] { 1, 2, 100, 1000, 4096 }.Select(n => MerkleProofs.InclusionPath(0, n, tree.Mth).Count).ToList();

        Assert.Equal([0, 1, 7, 10, 12], lengths);
    }

    private static List<byte[]> Entries(int n) => Enumerable.Range(0, n).Select(i => new[] { (byte)i, (byte)(i * 3) }).ToList();

    /// <summary>Leaf hashes plus memoized complete subtrees, like the ledger's derived files.</summary>
    private sealed class StoredTree(List<byte[]> leaves)
    {
        private readonly Dictionary<(long, long), byte[]> _memo = [];

        public byte[] Mth(long start, long end)
        {
            if (end - start == 1)
            {
                return leaves[(int)start];
            }

            if (_memo.TryGetValue((start, end), out var hash))
            {
                return hash;
            }

            var k = MerkleHash.SplitPoint(end - start);
            hash = MerkleHash.Node(Mth(start, start + k), Mth(start + k, end));
            _memo[(start, end)] = hash;
            return hash;
        }
    }
}
