using Recorder.Core.Formats;
using Recorder.Core.Time;
using Recorder.Synthesis.Tests.Support;

namespace Recorder.Synthesis.Tests;

[Collection(CaptureVariantsCollection.Name)]
public sealed class ReadBackTests(CaptureVariants variants)
{
    [Theory]
    [InlineData("pcap-us", CaptureFileFormat.Pcap, TimestampResolution.Microseconds)]
    [InlineData("pcap-ns", CaptureFileFormat.Pcap, TimestampResolution.Nanoseconds)]
    [InlineData("pcapng", CaptureFileFormat.Pcapng, TimestampResolution.Nanoseconds)]
    [InlineData("multi-link", CaptureFileFormat.Pcapng, TimestampResolution.Microseconds)]
    public void ReadBack_WithCoreReader_MatchesTheTruth(string name, CaptureFileFormat format, byte resolution)
    {
        var file = variants[name];
        var truth = file.Truth;
        using var reader = CaptureFileReader.Open(file.Path);
        long packets = 0;
        long bytes = 0;
        var perInterface = new long[truth.LinkTypes.Count];
        var first = long.MaxValue;
        var last = long.MinValue;
        var previous = long.MinValue;
        var subMicrosecond = 0;
        var start = file.Options.Start.UnixNanoseconds;
        var end = start + (file.Options.Duration.Ticks * 100);
        while (reader.TryRead(out var packet))
        {
            var ts = packet.TimestampNanoseconds;
            Assert.True(ts >= previous, $"packet {packets} goes back in time");
            Assert.InRange(ts, start, end - 1);
            Assert.Equal((uint)packet.Data.Length, packet.OriginalLength);
            previous = ts;
            first = Math.Min(first, ts);
            last = Math.Max(last, ts);
            subMicrosecond += ts % 1_000 != 0 ? 1 : 0;
            perInterface[packet.InterfaceIndex]++;
            packets++;
            bytes += packet.Data.Length;
        }

        Assert.Equal(format, reader.Format);
        Assert.Equal(truth.Packets, packets);
        Assert.Equal(truth.FrameBytes, bytes);
        Assert.Equal(truth.FileBytes, new FileInfo(file.Path).Length);
        Assert.Equal(truth.FirstTimestamp, new Timestamp(first).ToString());
        Assert.Equal(truth.LastTimestamp, new Timestamp(last).ToString());
        Assert.True(truth.TimestampsNonDecreasing);
        Assert.Empty(truth.OutOfOrderPackets);
        Assert.Equal(truth.LinkTypes, reader.Interfaces.Select(i => i.LinkType));
        Assert.All(reader.Interfaces, i => Assert.Equal(resolution, i.TimestampResolution));
        Assert.Equal(truth.Interfaces.Select(i => i.Packets), perInterface);
        if (resolution == TimestampResolution.Nanoseconds)
        {
            Assert.True(subMicrosecond > packets * 9 / 10, $"only {subMicrosecond} of {packets} timestamps have sub-microsecond digits");
        }
        else
        {
            Assert.Equal(0, subMicrosecond);
        }
    }

    [Fact]
    public void ReadBack_MultiLink_InterleavesAllThreeLinkTypes()
    {
        var file = variants.MultiLink;
        Assert.Equal([1, 101, 113], file.Truth.LinkTypes);
        using var reader = CaptureFileReader.Open(file.Path);
        var switches = 0;
        var last = -1;
        while (reader.TryRead(out var packet))
        {
            switches += last >= 0 && packet.InterfaceIndex != last ? 1 : 0;
            last = packet.InterfaceIndex;
        }

        Assert.All(file.Truth.Interfaces, i => Assert.True(i.Packets > 100, $"interface {i.InterfaceIndex} has {i.Packets} packets"));
        Assert.True(switches > 100, $"interfaces alternate only {switches} times");
        Assert.Contains(file.Truth.Needles, n => n.LinkType == 101);
        Assert.Contains(file.Truth.Needles, n => n.LinkType == 113);
    }

    [Fact]
    public void ReadBack_OutOfOrderOption_MovesExactlyTheListedPacketsBackInTime()
    {
        var path = variants.TempPath("disorder.pcap");
        var truth = TrafficSynthesizer.Write(path, new SynthesisOptions { Seed = 5, OutOfOrderPackets = 7 });

        var backwards = new List<long>();
        using (var reader = CaptureFileReader.Open(path))
        {
            var previous = long.MinValue;
            for (long i = 0; reader.TryRead(out var packet); i++)
            {
                if (packet.TimestampNanoseconds < previous)
                {
                    backwards.Add(i);
                }

                previous = packet.TimestampNanoseconds;
            }
        }

        Assert.False(truth.TimestampsNonDecreasing);
        Assert.Equal(7, truth.OutOfOrderPackets.Count);
        Assert.Equal(truth.OutOfOrderPackets, backwards);
    }
}
