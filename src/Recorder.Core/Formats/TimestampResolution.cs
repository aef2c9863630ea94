namespace Recorder.Core.Formats;

/// <summary>
/// A pcapng <c>if_tsresol</c> value: high bit clear means 10^-n seconds per tick, high bit set means
/// 2^-n. Classic pcap files are 6 (microsecond magic) or 9 (nanosecond magic).
/// </summary>
public static class TimestampResolution
{
    /// <summary>Microseconds (the pcapng default).</summary>
    public const byte Microseconds = 6;

    /// <summary>Nanoseconds.</summary>
    public const byte Nanoseconds = 9;

    private static readonly ulong[] PowersOfTen =
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL,
        1_000_000_000UL, 10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL,
        10_000_000_000_000UL, 100_000_000_000_000UL, 1_000_000_000_000_000UL,
        10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
        10_000_000_000_000_000_000UL,
    ];

    /// <summary>True for resolutions Recorder can convert (10^-0..10^-19, 2^-0..2^-63).</summary>
    public static bool IsSupported(byte code) => (code & 0x80) != 0 ? (code & 0x7F) <= 63 : code <= 19;

    /// <summary>
    /// Converts ticks at <paramref name="code"/> to nanoseconds since the epoch, truncating finer
    /// resolutions toward zero (as pcapdigest and Wireshark do), plus <paramref name="offsetSeconds"/>.
    /// </summary>
    public static long ToNanoseconds(ulong ticks, byte code, long offsetSeconds = 0)
    {
        long nanos;
        if ((code & 0x80) != 0)
        {
            var shift = code & 0x7F;
            nanos = (long)((((UInt128)ticks) * 1_000_000_000UL) >> shift);
        }
        else if (code <= 9)
        {
            nanos = checked((long)(ticks * PowersOfTen[9 - code]));
        }
        else
        {
            nanos = (long)(ticks / PowersOfTen[code - 9]);
        }

        return checked(nanos + (offsetSeconds * 1_000_000_000L));
    }

    /// <summary>A readable description, e.g. "10^-6 s".</summary>
    public static string Describe(byte code) => (code & 0x80) != 0 ? $"2^-{code & 0x7F} s" : $"10^-{code} s";
}
