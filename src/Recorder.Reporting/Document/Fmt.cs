using System.Globalization;
using Recorder.Core.Time;

namespace Recorder.Reporting.Document;

/// <summary>How the report writes numbers, sizes and times: invariant culture, UTC, full precision.</summary>
internal static class Fmt
{
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Bytes(long value)
    {
        var exact = Count(value) + (value == 1 ? " byte" : " bytes");
        return value < 1000 ? exact : $"{exact} ({Layout.TrafficChart.FormatBytes(value)})";
    }

    /// <summary>RFC 3339, UTC, nanoseconds: the form the ledger and manifests use.</summary>
    public static string Time(Timestamp t) => t.ToString();

    public static string Time(Timestamp? t) => t is { } v ? Time(v) : "none";

    /// <summary>For the cover: <c>27 November 2026, 20:15:37 UTC</c>.</summary>
    public static string LongTime(Timestamp t) =>
        t.ToDateTimeOffset().ToString("d MMMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Range(Timestamp? first, Timestamp? last) =>
        first is { } f && last is { } l ? $"{Time(f)} to {Time(l)}" : "no packets";

    public static string Span(Timestamp first, Timestamp last)
    {
        var ns = last.UnixNanoseconds - first.UnixNanoseconds;
        if (ns < 0)
        {
            return "negative";
        }

        var ts = TimeSpan.FromTicks(ns / 100);
        if (ts.TotalDays >= 1)
        {
            return $"{(int)ts.TotalDays} d {ts.Hours} h {ts.Minutes} min {ts.Seconds} s";
        }

        if (ts.TotalHours >= 1)
        {
            return $"{ts.Hours} h {ts.Minutes} min {ts.Seconds} s";
        }

        if (ts.TotalMinutes >= 1)
        {
            return $"{ts.Minutes} min {ts.Seconds}.{ts.Milliseconds:D3} s";
        }

        return (ns / 1e9).ToString("0.000000000", CultureInfo.InvariantCulture) + " s";
    }

    public static string Percent(long part, long whole) =>
        whole <= 0 ? "\u2013" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Plural(long n, string one, string many) => $"{Count(n)} {(n == 1 ? one : many)}";
}
