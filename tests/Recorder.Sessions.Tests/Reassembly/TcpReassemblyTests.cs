using System.Text;
using CsCheck;

namespace Recorder.Sessions.Tests.Reassembly;

public sealed class TcpReassemblyTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog, twice over the lazy dog.");

    private static (SessionRecord Record, RecordingDissector Dissector) Run(IEnumerable<byte[]> frames, SessionOptions? options = null)
    {
        var factory = new RecordingFactory();
        var records = Traffic.Run(frames, options, [factory]);
        var record = Assert.Single(records);
        return (record, Assert.Single(factory.Created));
    }

    [Fact]
    public void OutOfOrderSegments_AreDeliveredInSequenceOrder()
    {
        var c = new Traffic.Conversation();
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 5)), c.FromClient(20, Message.AsSpan(20)), c.FromClient(5, Message.AsSpan(5, 15))]);
        Assert.Equal(Message, dissector.Client);
        Assert.Empty(dissector.Gaps);
        Assert.False(record.ContentIncomplete);
        Assert.Equal(1, dissector.Ends);
    }

    [Fact]
    public void IdenticalRetransmission_IsIgnoredAndCounted()
    {
        var c = new Traffic.Conversation();
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 30)), c.FromClient(0, Message.AsSpan(0, 30)), c.FromClient(10, Message.AsSpan(10))]);
        Assert.Equal(Message, dissector.Client);
        Assert.Equal(2, record.Retransmissions);
        Assert.Equal(0, record.OverlapConflicts);
    }

    [Fact]
    public void OverlapWithDifferentData_KeepsTheFirstSeenAndCountsTheConflict()
    {
        var c = new Traffic.Conversation();
        var forged = Encoding.ASCII.GetBytes("XXXXXXXXXX");
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 20)), c.FromClient(10, forged), c.FromClient(20, Message.AsSpan(20))]);
        Assert.Equal(Message, dissector.Client);
        Assert.Equal(1, record.OverlapConflicts);
    }

    [Fact]
    public void OverlapBetweenBufferedSegments_KeepsTheFirstSeen()
    {
        var c = new Traffic.Conversation();
        var forged = Encoding.ASCII.GetBytes("YYYYYYYYYYYYYYYYYYYY");
        // Offsets 20.. arrive first (buffered), then a forged segment over 15..35, then the start.
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(20, Message.AsSpan(20)), c.FromClient(15, forged), c.FromClient(0, Message.AsSpan(0, 15))]);
        var expected = Message.ToArray();
        forged.AsSpan(0, 5).CopyTo(expected.AsSpan(15));
        Assert.Equal(expected, dissector.Client);
        Assert.Equal(1, record.OverlapConflicts);
    }

    [Fact]
    public void MissingSegment_IsDeliveredAsAGapAndMarksTheSession()
    {
        var c = new Traffic.Conversation();
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 10)), c.FromClient(25, Message.AsSpan(25), Traffic.Psh | Traffic.Ack | Traffic.Fin)]);
        Assert.Equal([.. Message.AsSpan(0, 10), .. Message.AsSpan(25)], dissector.Client);
        Assert.Equal([(true, 15L)], dissector.Gaps);
        Assert.True(record.ContentIncomplete);
        Assert.Equal(15, record.ClientMissingBytes);
    }

    [Fact]
    public void DataAcknowledgedButNeverSeen_IsAGapAtTheEnd()
    {
        var c = new Traffic.Conversation();
        var ackBeyond = Traffic.Tcp("10.0.0.2", 8080, "10.0.0.1", 40000, Traffic.Conversation.ServerIsn + 1, Traffic.Conversation.ClientIsn + 1 + 50, Traffic.Ack);
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 10)), ackBeyond]);
        Assert.Equal([(true, 40L)], dissector.Gaps);
        Assert.True(record.ContentIncomplete);
    }

    [Fact]
    public void BufferLimit_GivesUpTheOldestHoleAsAGap()
    {
        var c = new Traffic.Conversation();
        var options = new SessionOptions { MaxBufferedBytesPerStream = 16 };
        var (record, dissector) = Run([.. c.Handshake(), c.FromClient(0, Message.AsSpan(0, 5)), c.FromClient(10, Message.AsSpan(10, 10)), c.FromClient(20, Message.AsSpan(20, 10)), c.FromClient(5, Message.AsSpan(5, 5))], options);
        // 10..20 was buffered; 20..30 did not fit, so the hole 5..10 was given up before it arrived.
        Assert.Equal([(true, 5L)], dissector.Gaps);
        Assert.Equal([.. Message.AsSpan(0, 5), .. Message.AsSpan(10, 20)], dissector.Client);
        Assert.True(record.ContentIncomplete);
        Assert.Equal(1, record.Retransmissions);
    }

    [Fact]
    public void MidStreamStart_WithoutSyn_StartsAtTheFirstSegment()
    {
        var c = new Traffic.Conversation();
        var (record, dissector) = Run([c.FromClient(100, Message.AsSpan(0, 10)), c.FromServer(7, Message.AsSpan(10, 5)), c.FromClient(110, Message.AsSpan(10, 10))]);
        Assert.Equal(Message.AsSpan(0, 20).ToArray(), dissector.Client);
        Assert.Equal(Message.AsSpan(10, 5).ToArray(), dissector.Server);
        Assert.True(record.StartedMidStream);
        Assert.Equal("OTH", record.ConnState);
    }

    [Fact]
    public void SequenceNumbers_WrapAround()
    {
        var frames = new List<byte[]>
        {
            Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, uint.MaxValue - 5, 0, Traffic.Syn),
            Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, unchecked(uint.MaxValue - 4 + 10), 0, Traffic.Ack, Message.AsSpan(10, 10)),
            Traffic.Tcp("10.0.0.1", 1, "10.0.0.2", 2, uint.MaxValue - 4, 0, Traffic.Ack, Message.AsSpan(0, 10)),
        };
        var (_, dissector) = Run(frames);
        Assert.Equal(Message.AsSpan(0, 20).ToArray(), dissector.Client);
    }

    [Fact]
    public void AnyPermutationAndDuplication_WithinTheBuffer_ReassemblesTheSameBytes()
    {
        var gen =
            from data in Gen.Byte.Array[1, 600]
            from cuts in Gen.Int[1, 599].Array[0, 12]
            from duplicates in Gen.Int[0, 20].Array[0, 6]
            from seed in Gen.Int
            select (data, cuts, duplicates, seed);
        gen.Sample(t =>
        {
            var (data, cuts, duplicates, seed) = t;
            var bounds = cuts.Where(x => x < data.Length).Append(0).Append(data.Length).Distinct().Order().ToArray();
            var segments = new List<(int Offset, int Length)>();
            for (var i = 0; i + 1 < bounds.Length; i++)
            {
                segments.Add((bounds[i], bounds[i + 1] - bounds[i]));
            }

            foreach (var d in duplicates)
            {
                segments.Add(segments[d % segments.Count]);
            }

            var random = new Random(seed);
            var shuffled = segments.OrderBy(_ => random.Next()).ToList();
            var c = new Traffic.Conversation();
            var frames = c.Handshake().Concat(shuffled.Select(s => c.FromClient((uint)s.Offset, data.AsSpan(s.Offset, s.Length)))).ToList();
            var (record, dissector) = Run(frames);
            return dissector.Client.SequenceEqual(data) && dissector.Gaps.Count == 0 && !record.ContentIncomplete && record.OverlapConflicts == 0;
        }, iter: 300);
    }

    [Fact]
    public void RandomBytes_AsFramesOrPayloads_NeverThrow()
    {
        Gen.Byte.Array[0, 200].Array[1, 30].Sample(frames =>
        {
            var c = new Traffic.Conversation();
            var all = frames.Select((f, i) => i % 3 == 0 ? f : c.FromClient((uint)(i * 37 % 300), f)).ToList();
            var records = Traffic.Run(all);
            return records.All(r => r.DissectorFailure is null);
        }, iter: 300);
    }
}
