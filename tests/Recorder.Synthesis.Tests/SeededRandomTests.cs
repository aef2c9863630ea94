using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Tests;

public sealed class SeededRandomTests
{
    [Fact]
    public void NextUInt64_Seed1_GivesThePublishedAlgorithmsSequence()
    {
        // xoshiro256** seeded by SplitMix64(1), values computed with an independent
        // implementation of the reference algorithms (Vigna's xoshiro256starstar.c and splitmix64.c).
        var random = new SeededRandom(1);

        Assert.Equal([0xB3F2AF6D0FC710C5UL, 0x853B559647364CEAUL, 0x92F89756082A4514UL], [random.NextUInt64(), random.NextUInt64(), random.NextUInt64()]);
    }

    [Fact]
    public void NextUInt64_Bounded_StaysInRangeAndCoversIt()
    {
        var random = new SeededRandom(7);
        var seen = new bool[10];
        for (var i = 0; i < 1_000; i++)
        {
            var value = random.NextUInt64(10);
            Assert.InRange(value, 0UL, 9UL);
            seen[value] = true;
        }

        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void NextBytes_SameSeed_SameBytes_DifferentSeed_DifferentBytes()
    {
        var a = new byte[37];
        var b = new byte[37];
        var c = new byte[37];
        new SeededRandom(3).NextBytes(a);
        new SeededRandom(3).NextBytes(b);
        new SeededRandom(4).NextBytes(c);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(new byte[37], a);
    }

    [Fact]
    public void NextDouble_IsInTheUnitInterval()
    {
        var random = new SeededRandom(9);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.InRange(random.NextDouble(), 0.0, 0.9999999999999999);
        }
    }
}
