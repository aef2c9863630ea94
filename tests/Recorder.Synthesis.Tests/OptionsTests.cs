using Recorder.Core.Formats;
using Recorder.Core.Time;

namespace Recorder.Synthesis.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Validate_Defaults_HaveNoProblems()
    {
        Assert.Empty(new SynthesisOptions().Validate());
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEachOfThem()
    {
        var options = new SynthesisOptions
        {
            TargetPackets = 5,
            TargetBytes = 10,
            Flows = 0,
            Duration = TimeSpan.FromMilliseconds(10),
            IPv6Share = 1.5,
            VlanShare = double.NaN,
            ElephantShare = 0,
            Needles = 101,
            OutOfOrderPackets = -1,
            MultipleLinkTypes = true,
        };

        var problems = options.Validate();

        foreach (var field in new[] { "TargetPackets", "TargetBytes", "Flows", "Duration", "IPv6Share", "VlanShare", "ElephantShare", "Needles", "OutOfOrderPackets", "MultipleLinkTypes" })
        {
            Assert.Contains(problems, p => p.StartsWith(field, StringComparison.Ordinal));
        }

        Assert.Equal(10, problems.Count);
    }

    [Fact]
    public void Write_InvalidOptions_ThrowsWithEveryProblemAndWritesNothing()
    {
        using var stream = new MemoryStream();

        var e = Assert.Throws<SynthesisOptionsException>(() =>
            TrafficSynthesizer.Write(stream, new SynthesisOptions { MultipleLinkTypes = true, Needles = -1 }));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains("MultipleLinkTypes needs Format Pcapng", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void Write_ToPathWithInvalidOptions_CreatesNoFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"synth-invalid-{Environment.ProcessId}.pcap");
        File.Delete(path);

        Assert.Throws<SynthesisOptionsException>(() => TrafficSynthesizer.Write(path, new SynthesisOptions { Flows = -3 }));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_OutOfOrderPacketsAboveATenthOfWhatTargetBytesGives_IsRefused()
    {
        var e = Assert.Throws<SynthesisOptionsException>(() =>
            TrafficSynthesizer.Write(Stream.Null, new SynthesisOptions { TargetBytes = 100_000, OutOfOrderPackets = 100 }));

        Assert.Contains("OutOfOrderPackets (100) must be at most a tenth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_StartTooLateForClassicPcap_IsRefused()
    {
        var problems = new SynthesisOptions { Start = Timestamp.FromSeconds(uint.MaxValue) }.Validate();

        Assert.Contains(problems, p => p.StartsWith("Start", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(777)]
    [InlineData(12_345)]
    public void Write_TargetPackets_IsExact(long packets)
    {
        using var stream = new MemoryStream();

        var truth = TrafficSynthesizer.Write(stream, new SynthesisOptions { TargetPackets = packets, Seed = (ulong)packets });

        Assert.Equal(packets, truth.Packets);
        Assert.Equal(stream.Length, truth.FileBytes);
    }

    [Theory]
    [InlineData(100_000, CaptureFileFormat.Pcap)]
    [InlineData(3_333_333, CaptureFileFormat.Pcap)]
    [InlineData(2_000_001, CaptureFileFormat.Pcapng)]
    public void Write_TargetBytes_GivesAtLeastThatManyBytesAndAtMostOneRecordMore(long bytes, CaptureFileFormat format)
    {
        using var stream = new MemoryStream();

        var truth = TrafficSynthesizer.Write(stream, new SynthesisOptions { TargetBytes = bytes, Format = format });

        Assert.Equal(stream.Length, truth.FileBytes);
        Assert.InRange(truth.FileBytes, bytes, bytes + 1518 + 32);
    }

    [Fact]
    public void Write_BothTargets_GivesTheSmallerCapture()
    {
        using var stream = new MemoryStream();
        var byPackets = TrafficSynthesizer.Write(stream, new SynthesisOptions { TargetPackets = 1_000, TargetBytes = 50_000_000 });
        stream.SetLength(0);
        var byBytes = TrafficSynthesizer.Write(stream, new SynthesisOptions { TargetPackets = 1_000_000, TargetBytes = 500_000 });

        Assert.Equal(1_000, byPackets.Packets);
        Assert.InRange(byBytes.FileBytes, 500_000, 500_000 + 1_550);
    }

    [Fact]
    public void Write_MorePacketsThanFlowsCanHold_IsRefusedWithTheReason()
    {
        var e = Assert.Throws<SynthesisOptionsException>(() =>
            TrafficSynthesizer.Write(Stream.Null, new SynthesisOptions { TargetPackets = 200, Flows = 150 }));

        Assert.Contains("cannot hold 150 flows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_StartAndDuration_BoundEveryTimestamp()
    {
        var options = new SynthesisOptions { Start = Timestamp.FromSeconds(1_000_000_000, 5), Duration = TimeSpan.FromSeconds(3), TargetPackets = 2_000 };

        var truth = TrafficSynthesizer.Write(Stream.Null, options);

        Assert.True(string.CompareOrdinal(truth.FirstTimestamp, "2001-09-09T01:46:40.000000005Z") >= 0, truth.FirstTimestamp);
        Assert.True(string.CompareOrdinal(truth.LastTimestamp, "2001-09-09T01:46:43.000000005Z") < 0, truth.LastTimestamp);
    }

    [Fact]
    public void Write_NoAnomaliesNoVlanNoIPv6_LeavesThemOut()
    {
        var truth = TrafficSynthesizer.Write(Stream.Null, new SynthesisOptions { IncludeAnomalies = false, VlanShare = 0, IPv6Share = 0, Needles = 0 });

        Assert.Empty(truth.Anomalies);
        Assert.Empty(truth.Needles);
        Assert.Equal(0, truth.VlanPackets);
        Assert.Equal(0, truth.IPv6Packets);
        Assert.DoesNotContain(truth.Queries, q => q.Name is "vlan-host" or "cidr-anomalies");
    }

    [Fact]
    public void Write_ManyNeedles_HaveDistinctNamesAndAddresses()
    {
        var truth = TrafficSynthesizer.Write(Stream.Null, new SynthesisOptions { Needles = 25, TargetPackets = 20_000 });

        Assert.Equal(25, truth.Needles.Count);
        Assert.Equal(25, truth.Needles.Select(n => n.Name).Distinct().Count());
        Assert.Equal(50, truth.Needles.SelectMany(n => new[] { n.Client, n.Server }).Distinct().Count());
        Assert.Contains(truth.Needles, n => n.Name == "tcp4-https-3");
    }
}
