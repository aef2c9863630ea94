using System.Globalization;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Time;
using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Packets;

namespace Recorder.Synthesis.Truth;

/// <summary>Counts, while the capture is written, everything <see cref="SynthesisTruth"/> reports.</summary>
internal sealed class TruthRecorder
{
    private readonly CapturePlan _plan;
    private readonly SynthesisOptions _options;
    private readonly IReadOnlyList<QueryTruth> _queries;
    private readonly QueryMatcher[] _matchers;
    private readonly long[] _queryPackets;
    private readonly long[] _queryBytes;
    private readonly long[] _trackedPackets;
    private readonly long[] _trackedBytes;
    private readonly long[] _trackedFirst;
    private readonly long[] _trackedLast;
    private readonly List<long>[] _trackedIndexes;
    private readonly long[] _interfacePackets;
    private readonly long[] _interfaceBytes;
    private readonly List<long> _outOfOrder = [];
    private long _packets;
    private long _frameBytes;
    private long _ipv6Packets;
    private long _vlanPackets;
    private long _first = long.MaxValue;
    private long _last = long.MinValue;
    private long _previous = long.MinValue;

    public TruthRecorder(CapturePlan plan, SynthesisOptions options)
    {
        _plan = plan;
        _options = options;
        _queries = QueryCatalog.Build(plan, options);
        _matchers = _queries.Select(q => new QueryMatcher(q.Query)).ToArray();
        _queryPackets = new long[_queries.Count];
        _queryBytes = new long[_queries.Count];
        var tracked = plan.Tracked.Count;
        _trackedPackets = new long[tracked];
        _trackedBytes = new long[tracked];
        _trackedFirst = Enumerable.Repeat(long.MaxValue, tracked).ToArray();
        _trackedLast = Enumerable.Repeat(long.MinValue, tracked).ToArray();
        _trackedIndexes = plan.Tracked.Select(_ => new List<long>()).ToArray();
        _interfacePackets = new long[plan.LinkTypes.Count];
        _interfaceBytes = new long[plan.LinkTypes.Count];
    }

    /// <summary>Counts one packet, which is packet <see cref="Flow.Emitted"/> of <paramref name="flow"/>.</summary>
    public void Record(in Flow flow, in PacketFacts facts, int interfaceId, long timestamp, int frameLength)
    {
        var index = _packets++;
        _frameBytes += frameLength;
        _interfacePackets[interfaceId]++;
        _interfaceBytes[interfaceId] += frameLength;
        if (facts.Network == NetworkFact.IPv6)
        {
            _ipv6Packets++;
        }

        if (flow.Vlan != 0)
        {
            _vlanPackets++;
        }

        if (timestamp < _previous)
        {
            _outOfOrder.Add(index);
        }

        _previous = timestamp;
        _first = Math.Min(_first, timestamp);
        _last = Math.Max(_last, timestamp);
        for (var q = 0; q < _matchers.Length; q++)
        {
            if (_matchers[q].Matches(facts, timestamp))
            {
                _queryPackets[q]++;
                _queryBytes[q] += frameLength;
            }
        }

        var slot = flow.TruthSlot;
        if (slot >= 0)
        {
            _trackedPackets[slot]++;
            _trackedBytes[slot] += frameLength;
            _trackedFirst[slot] = Math.Min(_trackedFirst[slot], timestamp);
            _trackedLast[slot] = Math.Max(_trackedLast[slot], timestamp);
            if (_plan.Tracked[slot].Role == TrackedRole.Anomaly && (flow.CorruptPacket < 0 || flow.CorruptPacket == flow.Emitted))
            {
                _trackedIndexes[slot].Add(index);
            }
        }
    }

    public SynthesisTruth Finish(long fileBytes)
    {
        var needles = new List<FlowTruth>();
        FlowTruth? elephant = null;
        var anomalies = new List<AnomalyTruth>();
        for (var slot = 0; slot < _plan.Tracked.Count; slot++)
        {
            var tracked = _plan.Tracked[slot];
            switch (tracked.Role)
            {
                case TrackedRole.Needle:
                    needles.Add(FlowTruthOf(slot));
                    break;
                case TrackedRole.Elephant:
                    elephant = FlowTruthOf(slot);
                    break;
                default:
                    anomalies.Add(new AnomalyTruth
                    {
                        Kind = tracked.Name,
                        Description = tracked.Description,
                        PacketIndexes = _trackedIndexes[slot],
                    });
                    break;
            }
        }

        return new SynthesisTruth
        {
            GeneratorVersion = TrafficSynthesizer.GeneratorVersion,
            Options = _options,
            Format = _options.Format == CaptureFileFormat.Pcapng ? "pcapng" : "pcap",
            TimestampResolution = _options.TimestampResolution == SynthesisTimestampResolution.Nanoseconds ? "nanoseconds" : "microseconds",
            Packets = _packets,
            FrameBytes = _frameBytes,
            FileBytes = fileBytes,
            LinkTypes = _plan.LinkTypes,
            Interfaces = _plan.LinkTypes.Select((linkType, i) => new LinkTypeTruth
            {
                InterfaceIndex = i,
                LinkType = linkType,
                Packets = _interfacePackets[i],
                Bytes = _interfaceBytes[i],
            }).ToList(),
            FirstTimestamp = new Timestamp(_first).ToString(),
            LastTimestamp = new Timestamp(_last).ToString(),
            TimestampsNonDecreasing = _outOfOrder.Count == 0,
            OutOfOrderPackets = _outOfOrder,
            Flows = _plan.Flows.Length,
            IPv6Packets = _ipv6Packets,
            VlanPackets = _vlanPackets,
            Needles = needles,
            Elephant = elephant ?? throw new InvalidOperationException("the plan has no elephant flow"),
            Queries = _queries.Select((q, i) => q with { Packets = _queryPackets[i], Bytes = _queryBytes[i] }).ToList(),
            Anomalies = anomalies,
        };
    }

    private FlowTruth FlowTruthOf(int slot)
    {
        var tracked = _plan.Tracked[slot];
        var flow = _plan.Flows[tracked.FlowIndex];
        var client = AddressPlan.Format(flow.Client);
        var server = AddressPlan.Format(flow.Server);
        var protocol = FlowShapes.Protocol(flow);
        var hasPorts = Protocols.HasPorts(protocol);
        var protocolName = Protocols.Name(protocol);
        var query = hasPorts
            ? new SynthesisQuery { Hosts = [client], Ports = [flow.ServerPort], Bpf = string.Create(CultureInfo.InvariantCulture, $"host {client} and port {flow.ServerPort}") }
            : new SynthesisQuery { Hosts = [client], Protocols = [protocolName], Bpf = $"{protocolName} and host {client}" };
        return new FlowTruth
        {
            Name = tracked.Name,
            Kind = tracked.Description,
            Protocol = protocolName,
            IpVersion = flow.IPv6 ? 6 : 4,
            Client = client,
            ClientPort = flow.ClientPort,
            Server = server,
            ServerPort = hasPorts ? flow.ServerPort : 0,
            LinkType = _plan.LinkTypes[_plan.InterfaceOf[(int)flow.Link]],
            Packets = _trackedPackets[slot],
            Bytes = _trackedBytes[slot],
            FirstTimestamp = new Timestamp(_trackedFirst[slot]).ToString(),
            LastTimestamp = new Timestamp(_trackedLast[slot]).ToString(),
            Bpf = query.Bpf,
            Query = query,
        };
    }
}
