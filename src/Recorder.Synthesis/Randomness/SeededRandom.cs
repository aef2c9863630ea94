namespace Recorder.Synthesis.Randomness;

/// <summary>
/// A seeded xoshiro256** generator (Blackman and Vigna, 2018), its state expanded from the seed with
/// SplitMix64. The sequence depends on the seed alone: it is the same on every machine, operating
/// system and .NET version, which <see cref="System.Random"/> does not promise. Use it wherever a
/// test or a sample must be reproducible. Not for secrets.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            var result = RotateLeft(_s1 * 5, 7) * 9;
            var t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotateLeft(_s3, 45);
            return result;
        }
    }

    /// <summary>The next 32 random bits (the high half of <see cref="NextUInt64()"/>).</summary>
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A uniform integer in <c>[0, maxExclusive)</c>, without modulo bias.</summary>
    public ulong NextUInt64(ulong maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfZero(maxExclusive);

        // Lemire's multiply-and-reject method: exact and deterministic.
        while (true)
        {
            var product = (UInt128)NextUInt64() * maxExclusive;
            var low = (ulong)(product & ulong.MaxValue);
            if (low >= maxExclusive || low >= unchecked((0UL - maxExclusive) % maxExclusive))
            {
                return (ulong)(product >> 64);
            }
        }
    }

    /// <summary>A uniform integer in <c>[0, maxExclusive)</c>.</summary>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)NextUInt64((ulong)maxExclusive);
    }

    /// <summary>A uniform integer in <c>[minInclusive, maxExclusive)</c>.</summary>
    public long NextInt64(long minInclusive, long maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(minInclusive, maxExclusive);
        var range = unchecked((ulong)(maxExclusive - minInclusive));
        return unchecked(minInclusive + (long)NextUInt64(range));
    }

    /// <summary>A uniform double in <c>[0, 1)</c> with 53 random bits (exactly reproducible).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public void NextBytes(Span<byte> destination)
    {
        while (destination.Length >= 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination, NextUInt64());
            destination = destination[8..];
        }

        if (!destination.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(last, NextUInt64());
            last[..destination.Length].CopyTo(destination);
        }
    }

    /// <summary>One SplitMix64 step (Steele, Lea and Flood, 2014): advances <paramref name="state"/> and returns a mixed value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            return Mix(state);
        }
    }

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit mix in which every input bit affects every output bit.</summary>
    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
