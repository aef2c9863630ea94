namespace Recorder.Synthesis.Randomness;

/// <summary>
/// Counter-based randomness: a pure function of (key, counter, salt). The generator uses it for
/// every per-packet decision, so the shape of packet <c>k</c> of a flow can be computed on its own
/// (for sizing the capture before writing it) and always comes out the same.
/// </summary>
internal static class CounterHash
{
    public static ulong Of(ulong key, ulong counter, ulong salt)
    {
        unchecked
        {
            return SeededRandom.Mix(key ^ SeededRandom.Mix((counter * 0x9E3779B97F4A7C15UL) ^ SeededRandom.Mix(salt + 0x632BE59BD9B4E019UL)));
        }
    }

    /// <summary>Another 64 independent-looking bits derived from <paramref name="hash"/>, one set per <paramref name="part"/>.</summary>
    public static ulong Part(ulong hash, int part) => SeededRandom.Mix(unchecked(hash + ((ulong)part * 0xD1B54A32D192ED03UL)));

    /// <summary>A uniform value in <c>[0, range)</c> from 64 hash bits (multiply-shift, no division).</summary>
    public static ulong Below(ulong hash, ulong range) => (ulong)(((UInt128)hash * range) >> 64);

    /// <summary>A uniform value in <c>[low, high]</c>.</summary>
    public static int Between(ulong hash, int low, int high) => low + (int)Below(hash, (ulong)(high - low + 1));
}
