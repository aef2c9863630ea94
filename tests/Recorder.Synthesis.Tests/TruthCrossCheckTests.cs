using System.Buffers.Binary;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Synthesis.Tests.Support;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests;

/// <summary>
/// The synthesizer's truth (its own bookkeeping) against an independent count: the file decoded
/// with Core's PacketDecoder and matched with Core's PacketQuery. Each checks the other.
/// </summary>
[Collection(CaptureVariantsCollection.Name)]
public sealed class TruthCrossCheckTests(CaptureVariants variants)
{
    public static TheoryData<string> Names => new() { "pcap-us", "pcap-ns", "pcapng", "multi-link" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Needles_DecodedCount_EqualsTruth(string name)
    {
        var file = variants[name];
        Assert.Equal(9, file.Truth.Needles.Count);
        foreach (var needle in file.Truth.Needles.Append(file.Truth.Elephant))
        {
            var tally = IndependentCount.Count(file.Path, IndependentCount.ToCoreQuery(needle.Query));
            Assert.True(needle.Packets > 0, needle.Name);
            Assert.Equal((needle.Name, needle.Packets, needle.Bytes), (needle.Name, tally.Packets, tally.Bytes));
            Assert.Equal(needle.FirstTimestamp, new Timestamp(tally.First).ToString());
            Assert.Equal(needle.LastTimestamp, new Timestamp(tally.Last).ToString());
            Assert.Equal(needle.Bpf, needle.Query.Bpf);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Needles_ClientAddressAlone_SelectsOnlyTheNeedle(string name)
    {
        // "host A" without the port already isolates the needle: nothing else uses its addresses.
        var file = variants[name];
        foreach (var needle in file.Truth.Needles.Append(file.Truth.Elephant))
        {
            foreach (var address in new[] { needle.Client, needle.Server })
            {
                var tally = IndependentCount.Count(file.Path, IndependentCount.ToCoreQuery(new SynthesisQuery { Hosts = [address] }));
                Assert.Equal((needle.Name, address, needle.Packets), (needle.Name, address, tally.Packets));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Queries_DecodedCount_EqualsTruth(string name)
    {
        var file = variants[name];
        Assert.Contains(file.Truth.Queries, q => q.Query.From is not null && q.Query.Hosts.Count > 0 && q.Query.Ports.Count > 0);
        foreach (var query in file.Truth.Queries)
        {
            var tally = IndependentCount.Count(file.Path, IndependentCount.ToCoreQuery(query.Query));
            Assert.True(query.Packets > 0, $"query {query.Name} selects nothing: a weak test");
            Assert.Equal((query.Name, query.Packets, query.Bytes), (query.Name, tally.Packets, tally.Bytes));
        }

        Assert.Equal(file.Truth.Packets, file.Truth.Queries.Single(q => q.Name == "all").Packets);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ToPacketQuery_SelectsTheSamePacketsAsTheIndependentTranslation(string name)
    {
        var file = variants[name];
        foreach (var query in file.Truth.Queries)
        {
            Assert.Equal(IndependentCount.ToCoreQuery(query.Query), query.Query.ToPacketQuery(), new PacketQueryComparer());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Anomalies_AreWhereTheTruthSays(string name)
    {
        var file = variants[name];
        var indexes = file.Truth.Anomalies.ToDictionary(a => a.Kind, a => a.PacketIndexes);
        Assert.Equal(["arp", "bad-tcp-checksum", "garbage-ip-header", "ipv4-fragments", "ipv6-hop-by-hop", "non-ip-ethertype", "truncated-ip-header"],
            indexes.Keys.Order());
        var seen = new Dictionary<long, (byte[] Frame, int LinkType, DecodedPacket Decoded, bool Decodes)>();
        var wanted = indexes.Values.SelectMany(v => v).ToHashSet();
        using (var reader = CaptureFileReader.Open(file.Path))
        {
            for (long i = 0; reader.TryRead(out var packet); i++)
            {
                if (wanted.Contains(i))
                {
                    var decodes = PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
                    seen[i] = (packet.Data.ToArray(), packet.LinkType, decoded, decodes);
                }
            }
        }

        Assert.All(indexes["arp"], i => Assert.Equal(NetworkKind.Arp, seen[i].Decoded.Kind));
        Assert.Equal([1, 2], indexes["arp"].Select(i => BinaryPrimitives.ReadUInt16BigEndian(seen[i].Frame.AsSpan(20))));

        var lldp = seen[indexes["non-ip-ethertype"].Single()];
        Assert.False(lldp.Decodes);
        Assert.Equal(0x88CC, BinaryPrimitives.ReadUInt16BigEndian(lldp.Frame.AsSpan(12)));

        var truncated = seen[indexes["truncated-ip-header"].Single()];
        Assert.False(truncated.Decodes);
        Assert.Equal((26, 0x0800), (truncated.Frame.Length, BinaryPrimitives.ReadUInt16BigEndian(truncated.Frame.AsSpan(12))));

        var garbage = seen[indexes["garbage-ip-header"].Single()];
        Assert.False(garbage.Decodes);
        Assert.Equal(0, garbage.Frame[14] >> 4);

        var fragments = indexes["ipv4-fragments"].Select(i => seen[i]).ToList();
        Assert.Equal(2, fragments.Count);
        Assert.True(fragments[0].Decoded.HasPorts && !fragments[0].Decoded.IsLaterFragment);
        Assert.True(!fragments[1].Decoded.HasPorts && fragments[1].Decoded.IsLaterFragment);
        Assert.All(fragments, f => Assert.Equal(Protocols.Udp, f.Decoded.Protocol));

        var hopByHop = indexes["ipv6-hop-by-hop"].Select(i => seen[i]).ToList();
        Assert.All(hopByHop, h =>
        {
            Assert.Equal((NetworkKind.IPv6, Protocols.Tcp, true), (h.Decoded.Kind, h.Decoded.Protocol, h.Decoded.HasPorts));
            Assert.Equal(0, h.Frame[14 + 6]); // next header: hop-by-hop options
            Assert.Equal(Protocols.Tcp, h.Frame[14 + 40]);
        });

        var badSegment = seen[indexes["bad-tcp-checksum"].Single()];
        Assert.Equal((NetworkKind.IPv4, Protocols.Tcp), (badSegment.Decoded.Kind, badSegment.Decoded.Protocol));
    }

    [Fact]
    public void Vlan_TruthCountsTaggedFramesAndTheVlanQueryFindsThem()
    {
        var file = variants.PcapNanoseconds;
        long tagged = 0;
        using (var reader = CaptureFileReader.Open(file.Path))
        {
            while (reader.TryRead(out var packet))
            {
                tagged += BinaryPrimitives.ReadUInt16BigEndian(packet.Data[12..]) == 0x8100 ? 1 : 0;
            }
        }

        Assert.True(file.Truth.VlanPackets > 0);
        Assert.Equal(file.Truth.VlanPackets, tagged);
        var vlanHost = file.Truth.Queries.Single(q => q.Name == "vlan-host");
        Assert.StartsWith("vlan and host ", vlanHost.Query.Bpf, StringComparison.Ordinal);
        Assert.InRange(vlanHost.Packets, 1, tagged);
    }

    private sealed class PacketQueryComparer : IEqualityComparer<PacketQuery>
    {
        public bool Equals(PacketQuery? x, PacketQuery? y) =>
            x is not null && y is not null
            && x.Hosts.SequenceEqual(y.Hosts) && x.Ports.SequenceEqual(y.Ports) && x.Protocols.SequenceEqual(y.Protocols)
            && x.From == y.From && x.To == y.To;

        public int GetHashCode(PacketQuery obj) => obj.Hosts.Count;
    }
}
