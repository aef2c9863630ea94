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
    /// Throws <see cref="OverflowException"/> when the instant lies outside what a signed 64-bit
    /// nanosecond count holds (1677-09-21 to 2262-04-11); readers of untrusted files use
    /// <see cref="TryToNanoseconds"/> and report where the record is instead.
    /// </summary>
    public static long ToNanoseconds(ulong ticks, byte code, long offsetSeconds = 0) =>
        TryToNanoseconds(ticks, code, offsetSeconds, out var nanos)
            ? nanos
            : throw new OverflowException($"{ticks} ticks of {Describe(code)} plus {offsetSeconds} s is outside the representable range of timestamps");

    /// <summary>
    /// Like <see cref="ToNanoseconds"/>, but returns false instead of throwing when the result does
    /// not fit in a signed 64-bit nanosecond count. Every intermediate is computed in 128 bits, so
    /// no tick count, resolution (including 2^-0 and 10^-0) or offset can wrap silently.
    /// </summary>
    public static bool TryToNanoseconds(ulong ticks, byte code, long offsetSeconds, out long nanos)
    {
        Int128 scaled;
        if ((code & 0x80) != 0)
        {
            // 2^-n s per tick: ticks * 10^9 / 2^n, with the product in 128 bits (ticks < 2^64, 10^9 < 2^30).
            scaled = (Int128)((((UInt128)ticks) * 1_000_000_000UL) >> (code & 0x7F));
        }
        else if (code <= 9)
        {
            scaled = (Int128)ticks * PowersOfTen[9 - code];
        }
        else
        {
            scaled = ticks / PowersOfTen[code - 9];
        }

        var total = scaled + ((Int128)offsetSeconds * 1_000_000_000L);
        if (total < long.MinValue || total > long.MaxValue)
        {
            nanos = 0;
            return false;
        }

        nanos = (long)total;
        return true;
    }

    /// <summary>A readable description, e.g. "10^-6 s".</summary>
    public static string Describe(byte code) => (code & 0x80) != 0 ? $"2^-{code & 0x7F} s" : $"10^-{code} s";
}
