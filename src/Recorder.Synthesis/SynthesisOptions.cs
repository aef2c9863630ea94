using System.Globalization;
using System.Text.Json.Serialization;
using Recorder.Core.Formats;
using Recorder.Core.Time;

namespace Recorder.Synthesis;

/// <summary>
/// What <see cref="TrafficSynthesizer"/> generates. Every default is safe and produces the small
/// sample capture (2 000 packets, every anomaly, nine needles). The same options always give the
/// same bytes (see docs/synthesizer.md). Check <see cref="Validate"/> before use;
/// <see cref="TrafficSynthesizer"/> refuses invalid options with <see cref="SynthesisOptionsException"/>.
/// </summary>
public sealed record SynthesisOptions
{
    /// <summary>The packet count generated when neither <see cref="TargetPackets"/> nor <see cref="TargetBytes"/> is set.</summary>
    public const long DefaultPackets = 2_000;

    /// <summary>The smallest <see cref="TargetPackets"/> accepted.</summary>
    public const long MinimumPackets = 100;

    /// <summary>The largest <see cref="TargetPackets"/> accepted.</summary>
    public const long MaximumPackets = 2_000_000_000;

    /// <summary>The smallest <see cref="TargetBytes"/> accepted.</summary>
    public const long MinimumBytes = 100_000;

    /// <summary>The largest <see cref="TargetBytes"/> accepted (1 TiB).</summary>
    public const long MaximumBytes = 1L << 40;

    /// <summary>The largest <see cref="Flows"/> accepted: flow state is kept in memory (about 160 bytes each).</summary>
    public const int MaximumFlows = 1_000_000;

    /// <summary>The largest <see cref="Needles"/> accepted.</summary>
    public const int MaximumNeedles = 100;

    /// <summary>The largest <see cref="OutOfOrderPackets"/> accepted.</summary>
    public const int MaximumOutOfOrderPackets = 1_000;

    /// <summary>The default <see cref="Start"/>: 2023-11-14T22:13:20Z (Unix time 1 700 000 000).</summary>
    public static readonly Timestamp DefaultStart = Timestamp.FromSeconds(1_700_000_000);

    /// <summary>Seed of every random choice. Same seed and options, same bytes.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Exact number of packets to write. When <see cref="TargetBytes"/> is also set, the smaller of
    /// the two captures is written. When neither is set, <see cref="DefaultPackets"/>.
    /// </summary>
    public long? TargetPackets { get; init; }

    /// <summary>
    /// Size of the file to write: the file has at least this many bytes and at most one packet
    /// record more. When <see cref="TargetPackets"/> is also set, the smaller capture is written.
    /// </summary>
    public long? TargetBytes { get; init; }

    /// <summary>Ordinary flows (besides needles, the elephant and anomalies); null = one per 25 packets, 8 to 100 000.</summary>
    public int? Flows { get; init; }

    /// <summary>Time span of the capture: every timestamp lies in <c>[Start, Start + Duration)</c>. At least one second.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Timestamp of the start of the capture (no packet is earlier). No wall clock is ever read.</summary>
    public Timestamp Start { get; init; } = DefaultStart;

    /// <summary>Timestamp resolution written to the file.</summary>
    public SynthesisTimestampResolution TimestampResolution { get; init; } = SynthesisTimestampResolution.Nanoseconds;

    /// <summary>Container format: classic pcap (one link type) or pcapng.</summary>
    public CaptureFileFormat Format { get; init; } = CaptureFileFormat.Pcap;

    /// <summary>Share of ordinary flows carried over IPv6, 0 to 1.</summary>
    [JsonPropertyName("ipv6Share")]
    public double IPv6Share { get; init; } = 0.10;

    /// <summary>Share of ordinary flows whose frames carry an 802.1Q VLAN tag, 0 to 0.5.</summary>
    public double VlanShare { get; init; } = 0.02;

    /// <summary>Share of all packets that belong to the one large "elephant" TCP flow, 0.01 to 0.5.</summary>
    public double ElephantShare { get; init; } = 0.125;

    /// <summary>Number of needle flows, each on addresses no other flow uses (0 to <see cref="MaximumNeedles"/>).</summary>
    public int Needles { get; init; } = 9;

    /// <summary>
    /// Whether to add the deliberate anomalies: a TCP segment with a bad checksum, a truncated and a
    /// garbage IPv4 header, a non-IP (LLDP) frame, an ARP request and reply, two IPv4 fragments and
    /// IPv6 packets with a hop-by-hop header before TCP.
    /// </summary>
    public bool IncludeAnomalies { get; init; } = true;

    /// <summary>
    /// Write a pcapng file with three interfaces of different link types (Ethernet, LINKTYPE_RAW 101,
    /// LINUX_SLL 113), flows spread over them and packets interleaved. Requires <see cref="Format"/> pcapng.
    /// </summary>
    public bool MultipleLinkTypes { get; init; }

    /// <summary>Number of packets whose timestamp is set earlier than the packet before them (0 = timestamps never decrease).</summary>
    public int OutOfOrderPackets { get; init; }

    /// <summary>Every problem with these options, one readable line each; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (TargetPackets is { } packets && (packets < MinimumPackets || packets > MaximumPackets))
        {
            errors.Add(Invariant($"TargetPackets must be {MinimumPackets} to {MaximumPackets}, not {packets}"));
        }

        if (TargetBytes is { } bytes && (bytes < MinimumBytes || bytes > MaximumBytes))
        {
            errors.Add(Invariant($"TargetBytes must be {MinimumBytes} to {MaximumBytes}, not {bytes}"));
        }

        if (Flows is { } flows && (flows < 1 || flows > MaximumFlows))
        {
            errors.Add(Invariant($"Flows must be 1 to {MaximumFlows}, not {flows}"));
        }

        if (Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromDays(365))
        {
            errors.Add(Invariant($"Duration must be 1 second to 365 days, not {Duration}"));
        }

        // Classic pcap stores unsigned 32-bit seconds.
        var limit = Timestamp.FromSeconds(uint.MaxValue);
        if (Start < Timestamp.Epoch || Start.UnixNanoseconds > limit.UnixNanoseconds - Duration.Ticks * 100L)
        {
            errors.Add(Invariant($"Start must be between 1970-01-01T00:00:00Z and {limit} minus Duration, not {Start}"));
        }

        if (!Enum.IsDefined(TimestampResolution))
        {
            errors.Add(Invariant($"TimestampResolution must be Microseconds or Nanoseconds, not {(int)TimestampResolution}"));
        }

        if (!Enum.IsDefined(Format))
        {
            errors.Add(Invariant($"Format must be Pcap or Pcapng, not {(int)Format}"));
        }

        CheckShare(errors, nameof(IPv6Share), IPv6Share, 0, 1);
        CheckShare(errors, nameof(VlanShare), VlanShare, 0, 0.5);
        CheckShare(errors, nameof(ElephantShare), ElephantShare, 0.01, 0.5);
        if (Needles < 0 || Needles > MaximumNeedles)
        {
            errors.Add(Invariant($"Needles must be 0 to {MaximumNeedles}, not {Needles}"));
        }

        if (MultipleLinkTypes && Format != CaptureFileFormat.Pcapng)
        {
            errors.Add("MultipleLinkTypes needs Format Pcapng: classic pcap holds one link type");
        }

        if (OutOfOrderPackets < 0 || OutOfOrderPackets > MaximumOutOfOrderPackets)
        {
            errors.Add(Invariant($"OutOfOrderPackets must be 0 to {MaximumOutOfOrderPackets}, not {OutOfOrderPackets}"));
        }
        else if (OutOfOrderPackets > 0 && TargetPackets is { } few && OutOfOrderPackets * 10L > few)
        {
            errors.Add(Invariant($"OutOfOrderPackets ({OutOfOrderPackets}) must be at most a tenth of TargetPackets ({few})"));
        }

        return errors;
    }

    private static void CheckShare(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value >= low && value <= high))
        {
            errors.Add(Invariant($"{name} must be {low} to {high}, not {value}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
