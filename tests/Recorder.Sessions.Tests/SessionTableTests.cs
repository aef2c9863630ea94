using Recorder.Core.Packets;

namespace Recorder.Sessions.Tests;

public sealed class SessionTableTests
{
    [Fact]
    public void FullConnection_IsSF_WithClientFromTheSyn_AndCountsPerDirection()
    {
        var c = new Traffic.Conversation();
        var frames = c.Handshake().Concat([c.FromClient(0, "hi"u8, Traffic.Fin | Traffic.Ack), c.FromServer(0, "yo!"u8, Traffic.Fin | Traffic.Ack), c.FromClient(3, default, Traffic.Ack)]).ToList();
        var record = Assert.Single(Traffic.Run(frames, streams: []));
        Assert.Equal("SF", record.ConnState);
        Assert.Equal("ShADFdf", record.History);
        Assert.Equal("10.0.0.1", record.Format(record.Client));
        Assert.Equal(40000, record.Client.Port);
        Assert.Equal(4, record.ClientPackets);
        Assert.Equal(2, record.ServerPackets);
        Assert.Equal(2, record.ClientPayloadBytes);
        Assert.Equal(3, record.ServerPayloadBytes);
        Assert.Equal(frames.Where((_, i) => i is 0 or 2 or 3 or 5).Sum(f => f.Length), record.ClientBytes);
        Assert.Equal(SessionEndReason.EndOfInput, record.EndReason);
        Assert.Equal([7L], record.Segments);
    }

    [Fact]
    public void SynAnsweredByReset_IsREJ()
    {
        var records = Traffic.Run([Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, 10, 0, Traffic.Syn), Traffic.Tcp("10.0.0.2", 2, "10.0.0.1", 1, 0, 11, Traffic.Rst | Traffic.Ack)]);
        Assert.Equal("REJ", Assert.Single(records).ConnState);
    }

    [Fact]
    public void UnansweredSyn_IsS0()
    {
        var records = Traffic.Run([Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, 10, 0, Traffic.Syn), Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, 10, 0, Traffic.Syn)]);
        var record = Assert.Single(records);
        Assert.Equal("S0", record.ConnState);
        Assert.Equal("S", record.History);
    }

    [Fact]
    public void MissingSyn_SynAckReceiverIsTheClient()
    {
        var record = Assert.Single(Traffic.Run([Traffic.Tcp("10.0.0.2", 80, "10.0.0.1", 4000, 10, 11, Traffic.Syn | Traffic.Ack)]));
        Assert.Equal(4000, record.Client.Port);
        Assert.Equal(0, record.ClientPackets);
        Assert.Equal(1, record.ServerPackets);
    }

    [Fact]
    public void VlanTags_SeparateSessionsAndAreRecorded()
    {
        var frame = Traffic.Udp("10.0.0.1", 1, "10.0.0.2", 2, "x"u8);
        var records = Traffic.Run([Traffic.Tagged(frame, 10), Traffic.Tagged(frame, 20), frame]);
        Assert.Equal([10, 20, null], records.Select(r => r.Vlan));
    }

    [Fact]
    public void IcmpAndOtherProtocols_AreKeyedByAddressPair()
    {
        var records = Traffic.Run([Recorder.TestSupport.Frames.Icmp("10.0.0.1", "10.0.0.2"), Recorder.TestSupport.Frames.Icmp("10.0.0.2", "10.0.0.1"),
            Recorder.TestSupport.Frames.Ip("10.0.0.1", "10.0.0.2", 47, [1, 2, 3, 4])]);
        Assert.Equal(2, records.Count);
        Assert.Equal((byte)Protocols.Icmp, records[0].Protocol);
        Assert.Equal((1L, 1L), (records[0].ClientPackets, records[0].ServerPackets));
        Assert.Equal((byte)47, records[1].Protocol);
        Assert.Null(records[0].Application);
    }

    [Fact]
    public void IdleTimeout_EndsTheSessionAndANewOneStarts()
    {
        var frame = Traffic.Udp("10.0.0.1", 1, "10.0.0.2", 2, "x"u8);
        var records = Traffic.Run([frame, frame, frame], stepNanoseconds: 61_000_000_000);
        Assert.Equal(3, records.Count);
        Assert.Equal(SessionEndReason.IdleTimeout, records[0].EndReason);
    }

    [Fact]
    public void FullTable_EvictsTheLeastRecentlyActive_AndCountsIt()
    {
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(new SessionOptions { MaxSessions = 2 }, records.Add);
        builder.Add(LinkTypes.Ethernet, Traffic.Udp("10.0.0.1", 1, "10.0.0.9", 9, "a"u8), 1, 0);
        builder.Add(LinkTypes.Ethernet, Traffic.Udp("10.0.0.2", 1, "10.0.0.9", 9, "a"u8), 2, 0);
        builder.Add(LinkTypes.Ethernet, Traffic.Udp("10.0.0.1", 1, "10.0.0.9", 9, "a"u8), 3, 0);
        builder.Add(LinkTypes.Ethernet, Traffic.Udp("10.0.0.3", 1, "10.0.0.9", 9, "a"u8), 4, 0);
        var evicted = Assert.Single(records);
        Assert.Equal(SessionEndReason.Evicted, evicted.EndReason);
        Assert.Equal("10.0.0.2", evicted.Format(evicted.Client));
        Assert.Equal(1, builder.Statistics.Evicted);
        Assert.Equal(2, builder.ActiveSessions);
    }

    [Fact]
    public void PortReuseAfterClose_StartsANewSession()
    {
        var c = new Traffic.Conversation();
        var close = new[] { c.FromClient(0, default, Traffic.Fin | Traffic.Ack), c.FromServer(0, default, Traffic.Fin | Traffic.Ack) };
        var records = Traffic.Run([.. c.Handshake(), .. close, .. c.Handshake()]);
        Assert.Equal(2, records.Count);
        Assert.Equal(SessionEndReason.PortReused, records[0].EndReason);
        Assert.Equal("SF", records[0].ConnState);
    }

    [Fact]
    public void NonIpFrames_AreCountedNotSessionised()
    {
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add);
        builder.Add(LinkTypes.Ethernet, Recorder.TestSupport.Frames.Arp("10.0.0.1", "10.0.0.2"), 1, 0);
        builder.Add(LinkTypes.Ethernet, [1, 2, 3], 2, 0);
        builder.Complete();
        Assert.Empty(records);
        Assert.Equal(2, builder.Statistics.NotIp);
    }
}
