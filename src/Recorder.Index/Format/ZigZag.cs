namespace Recorder.Index.Format;

/// <summary>Signed integers as unsigned varints (Protocol Buffers' ZigZag: 0, -1, 1, -2 → 0, 1, 2, 3).</summary>
internal static class ZigZag
{
    public static ulong Encode(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    public static long Decode(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));
}
