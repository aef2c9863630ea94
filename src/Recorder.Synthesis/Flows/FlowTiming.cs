using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Flows;

/// <summary>
/// When packets are sent. A packet that answers the previous one (SYN/ACK, a response, an echo
/// reply) follows after about one round-trip time; others follow after a gap drawn uniformly from
/// half to one and a half of the flow's mean gap. Both are capped when a flow is planned so that
/// every flow, started at a random moment, ends before the capture does. Integer arithmetic only:
/// no floating point, so every machine computes the same nanoseconds.
/// </summary>
internal static class FlowTiming
{
    private const ulong SaltGap = 0x6A9;
    private const ulong SaltPlan = 0x71A;

    /// <summary>The gap before packet <paramref name="k"/> (k ≥ 1) whose shape is <paramref name="shape"/>.</summary>
    public static long GapBefore(in Flow flow, int k, in PacketShape shape)
    {
        var h = CounterHash.Of(flow.Key, (ulong)k, SaltGap);
        if (shape.Answers)
        {
            return flow.Rtt * (80 + (long)CounterHash.Below(h, 41)) / 100;
        }

        if (flow.Kind == FlowKind.IcmpEcho)
        {
            return flow.MeanGap * (95 + (long)CounterHash.Below(h, 11)) / 100;
        }

        return (flow.MeanGap / 2) + (long)CounterHash.Below(h, (ulong)flow.MeanGap + 1);
    }

    /// <summary>
    /// Draws the flow's round-trip time, mean gap and start so that all its packets fall in
    /// <c>[0, duration)</c> nanoseconds.
    /// </summary>
    public static void Plan(ref Flow flow, long duration)
    {
        var rtt = LogUniform(CounterHash.Of(flow.Key, 1, SaltPlan), 100_000, 10);
        var gap = flow.Kind switch
        {
            FlowKind.TcpTls or FlowKind.TcpHttp or FlowKind.UdpQuic => LogUniform(CounterHash.Of(flow.Key, 2, SaltPlan), 50_000, 9),
            FlowKind.TcpSsh => LogUniform(CounterHash.Of(flow.Key, 2, SaltPlan), 50_000_000, 5),
            FlowKind.UdpDns => LogUniform(CounterHash.Of(flow.Key, 2, SaltPlan), 5_000_000, 10),
            FlowKind.IcmpEcho => 1_000_000_000,
            _ => LogUniform(CounterHash.Of(flow.Key, 2, SaltPlan), 1_000_000, 10),
        };
        PlanWith(ref flow, duration, rtt, gap, -1);
    }

    /// <summary>Spreads the flow over about half the capture: its mean gap is the largest that fits (the elephant).</summary>
    public static void PlanSpread(ref Flow flow, long duration) =>
        PlanWith(ref flow, duration, LogUniform(CounterHash.Of(flow.Key, 1, SaltPlan), 100_000, 10), long.MaxValue, -1);

    /// <summary>Plans with given round-trip time and gap; a <paramref name="start"/> of -1 draws it.</summary>
    public static void PlanWith(ref Flow flow, long duration, long rtt, long gap, long start)
    {
        var n = (long)flow.Count;
        var unit = duration / (2 * (n + 1));
        flow.Rtt = Math.Min(rtt, unit);
        flow.MeanGap = Math.Min(gap, unit);

        // The longest a gap can be: 1.5 mean gaps, or 1.2 round trips, or 1.05 echo intervals.
        var longestGap = Math.Max((3 * flow.MeanGap / 2) + 1, (6 * flow.Rtt / 5) + 1);
        var longestSpan = (n - 1) * longestGap;
        if (start < 0)
        {
            var room = Math.Max(0, duration - 1 - longestSpan);
            start = (long)CounterHash.Below(CounterHash.Of(flow.Key, 3, SaltPlan), (ulong)room + 1);
        }

        flow.Next = Math.Min(start, Math.Max(0, duration - 1 - longestSpan));
    }

    /// <summary>A value between <paramref name="low"/> and about <paramref name="low"/>·2^<paramref name="octaves"/>, spread evenly over octaves.</summary>
    private static long LogUniform(ulong h, long low, int octaves)
    {
        var octave = (int)CounterHash.Below(h, (ulong)octaves);
        var bottom = low << octave;
        return bottom + (long)CounterHash.Below(SeededRandom.Mix(h), (ulong)bottom);
    }
}
