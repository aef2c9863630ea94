using Recorder.Synthesis.Tests.Support;

namespace Recorder.Synthesis.Tests;

[Collection(CaptureVariantsCollection.Name)]
public sealed class ChecksumTests(CaptureVariants variants)
{
    [Theory]
    [InlineData("pcap-us")]
    [InlineData("pcap-ns")]
    [InlineData("pcapng")]
    [InlineData("multi-link")]
    public void Checksums_AreAllValid_ExceptTheDeliberatelyBadTcpSegment(string name)
    {
        var file = variants[name];
        var report = ChecksumVerifier.Verify(file.Path);

        var bad = file.Truth.Anomalies.Single(a => a.Kind == "bad-tcp-checksum").PacketIndexes;
        Assert.Single(bad);
        Assert.Equal([new ChecksumFinding(bad[0], "tcp")], report.Failures);

        // The verifier must really have looked at every kind of checksum.
        Assert.True(report.Verified["ipv4-header"] > file.Truth.Packets / 2, $"only {report.Verified["ipv4-header"]} IPv4 headers checked");
        Assert.True(report.Verified["tcp"] > 100);
        Assert.True(report.Verified["udp"] > 10);
        Assert.True(report.Verified["icmp"] > 0);
        Assert.True(report.Verified["icmp6"] > 0);
        Assert.Equal(1, report.Verified["reassembled"]);
        Assert.Equal(2, report.Verified["ipv6-extension-walked"]);
    }

    [Fact]
    public void Checksums_WithoutAnomalies_AreAllValid()
    {
        var path = variants.TempPath("no-anomalies.pcap");
        TrafficSynthesizer.Write(path, new SynthesisOptions { Seed = 11, IncludeAnomalies = false, TargetPackets = 1_500 });

        var report = ChecksumVerifier.Verify(path);

        Assert.Empty(report.Failures);
        Assert.True(report.Verified["tcp"] > 100);
    }
}
