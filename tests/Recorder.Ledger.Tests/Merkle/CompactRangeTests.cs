using Recorder.Core.Hashing;
using Recorder.Ledger.Merkle;

namespace Recorder.Ledger.Tests.Merkle;

public sealed class CompactRangeTests
{
    [Fact]
    public void Root_AfterEachAppend_EqualsTheRfcRootOfThePrefix()
    {
        var entries = Enumerable.Range(0, 130).Select(i => BitConverter.GetBytes(i * 31)).ToList();
        var range = new CompactRange();
        for (var n = 1; n <= entries.Count; n++)
        {
            range.Append(MerkleHash.Leaf(entries[n - 1]));

            Assert.Equal(Hex.Lower(NaiveMerkle.Mth(entries.Take(n).ToList())), Hex.Lower(range.Root()));
            Assert.Equal(long.PopCount(n), range.Frontier.Count);
        }
    }

    [Fact]
    public void Append_ReportsEveryCompleteAlignedSubtreeOnceWithItsHash()
    {
        var entries = Enumerable.Range(0, 21).Select(i => BitConverter.GetBytes(i)).ToList();
        var seen = new List<(int Level, long Index, string Hash)>();
        var range = new CompactRange();

        foreach (var entry in entries)
        {
            range.Append(MerkleHash.Leaf(entry), (level, index, hash) => seen.Add((level, index, Hex.Lower(hash))));
        }

        var expected = new List<(int, long, string)>();
        for (var level = 0; (1 << level) <= 21; level++)
        {
            for (long index = 0; (index + 1) << level <= 21; index++)
            {
                expected.Add((level, index, Hex.Lower(NaiveMerkle.Mth(entries.Skip((int)(index << level)).Take(1 << level).ToList()))));
            }
        }

        Assert.Equal(expected.OrderBy(e => e), seen.OrderBy(e => e));
    }

    [Fact]
    public void FromFrontier_ResumesExactlyWhereTheOriginalWas()
    {
        var original = new CompactRange();
        for (var i = 0; i < 11; i++)
        {
            original.Append(MerkleHash.Leaf([(byte)i]));
        }

        var resumed = CompactRange.FromFrontier(11, original.Frontier);
        original.Append(MerkleHash.Leaf([99]));
        resumed.Append(MerkleHash.Leaf([99]));

        Assert.Equal(original.Root(), resumed.Root());
        Assert.Throws<ArgumentException>(() => CompactRange.FromFrontier(12, original.Frontier.Take(1).ToList()));
    }
}
