using System.Security.Cryptography;

namespace Recorder.Ledger.Tests.Merkle;

/// <summary>
/// RFC 9162 §2.1 written out literally (recursion on lists, concatenation, no cleverness): the
/// reference the production code is compared with.
/// </summary>
public static class NaiveMerkle
{
    public static byte[] Mth(IReadOnlyList<byte[]> entries)
    {
        if (entries.Count == 0)
        {
            return SHA256.HashData(Array.Empty<byte>());
        }

        if (entries.Count == 1)
        {
            return SHA256.HashData([0x00, .. entries[0]]);
        }

        var k = K(entries.Count);
        return SHA256.HashData([0x01, .. Mth(entries.Take(k).ToList()), .. Mth(entries.Skip(k).ToList())]);
    }

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 1)
        {
            return [];
        }

        var k = K(d.Count);
        var left = d.Take(k).ToList();
        var right = d.Skip(k).ToList();
        return m < k ? [.. Path(m, left), Mth(right)] : [.. Path(m - k, right), Mth(left)];
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => SubProof(m, d, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        if (m == d.Count)
        {
            return b ? [] : [Mth(d)];
        }

        var k = K(d.Count);
        var left = d.Take(k).ToList();
        var right = d.Skip(k).ToList();
        return m <= k ? [.. SubProof(m, left, b), Mth(right)] : [.. SubProof(m - k, right, false), Mth(left)];
    }

    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
