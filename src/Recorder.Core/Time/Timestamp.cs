using System.Globalization;

namespace Recorder.Core.Time;

/// <summary>
/// A point in time as whole nanoseconds since the Unix epoch (UTC). Every timestamp Recorder
/// persists or compares is one of these; text forms are RFC 3339 UTC with exactly nine fractional
/// digits, so they sort as strings and round-trip without loss.
/// </summary>
public readonly record struct Timestamp(long UnixNanoseconds) : IComparable<Timestamp>
{
    /// <summary>Nanoseconds in one second.</summary>
    public const long NanosPerSecond = 1_000_000_000L;

    /// <summary>The Unix epoch.</summary>
    public static readonly Timestamp Epoch = new(0);

    /// <summary>The smallest representable timestamp.</summary>
    public static readonly Timestamp MinValue = new(long.MinValue);

    /// <summary>The largest representable timestamp.</summary>
    public static readonly Timestamp MaxValue = new(long.MaxValue);

    /// <summary>Whole seconds since the epoch (floor).</summary>
    public long Seconds => Math.DivRem(UnixNanoseconds, NanosPerSecond, out var rem) - (rem < 0 ? 1 : 0);

    /// <summary>The nanoseconds within the second, 0 to 999 999 999.</summary>
    public int NanosecondOfSecond
    {
        get
        {
            var rem = UnixNanoseconds % NanosPerSecond;
            return (int)(rem < 0 ? rem + NanosPerSecond : rem);
        }
    }

    /// <summary>Builds a timestamp from seconds and nanoseconds within the second.</summary>
    public static Timestamp FromSeconds(long seconds, long nanoseconds = 0) =>
        new(checked((seconds * NanosPerSecond) + nanoseconds));

    /// <summary>Converts from a <see cref="DateTimeOffset"/> (100 ns precision).</summary>
    public static Timestamp FromDateTimeOffset(DateTimeOffset value) =>
        new(checked((value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100));

    /// <summary>Reads the current time from <paramref name="clock"/>.</summary>
    public static Timestamp Now(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return FromDateTimeOffset(clock.GetUtcNow());
    }

    /// <summary>The value as a <see cref="DateTimeOffset"/> (truncated to 100 ns).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Math.DivRem(UnixNanoseconds, 100, out _) - (UnixNanoseconds % 100 < 0 ? 1 : 0));

    /// <summary>RFC 3339, UTC, nine fractional digits: <c>2023-11-14T22:13:20.123456789Z</c>.</summary>
    public override string ToString()
    {
        var whole = DateTimeOffset.FromUnixTimeSeconds(Seconds);
        return whole.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + NanosecondOfSecond.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }

    /// <summary>Seconds since the epoch with nine fractional digits, e.g. <c>1700000000.000000001</c>.</summary>
    public string ToEpochString() =>
        Seconds.ToString(CultureInfo.InvariantCulture) + "." + NanosecondOfSecond.ToString("D9", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public int CompareTo(Timestamp other) => UnixNanoseconds.CompareTo(other.UnixNanoseconds);

    /// <summary>Compares two timestamps.</summary>
    public static bool operator <(Timestamp left, Timestamp right) => left.UnixNanoseconds < right.UnixNanoseconds;

    /// <summary>Compares two timestamps.</summary>
    public static bool operator >(Timestamp left, Timestamp right) => left.UnixNanoseconds > right.UnixNanoseconds;

    /// <summary>Compares two timestamps.</summary>
    public static bool operator <=(Timestamp left, Timestamp right) => left.UnixNanoseconds <= right.UnixNanoseconds;

    /// <summary>Compares two timestamps.</summary>
    public static bool operator >=(Timestamp left, Timestamp right) => left.UnixNanoseconds >= right.UnixNanoseconds;
}
