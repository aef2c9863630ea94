using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Storage.Query;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Query;

public sealed class CaptureFileOutputTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-output");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void PcapAskedFor_WithASecondLinkType_FailsNamingBoth_AndLeavesNoFile()
    {
        var path = _directory.File("answer.pcap");
        var frame = Frames.Udp("10.0.0.1", 1000, "10.0.0.2", 53, 20);

        var failure = Assert.Throws<OutputFormatException>(() =>
        {
            using var output = new CaptureFileOutput(path, OutputFormatChoice.Pcap, "tests");
            output.Write(1, LinkTypes.Ethernet, Traffic.Start, (uint)frame.Length, frame);
            output.Write(1, LinkTypes.Raw, Traffic.Start + 1, (uint)frame.Length - 14, frame.AsSpan(14));
            output.Write(1, LinkTypes.Ethernet, Traffic.Start + 2, (uint)frame.Length, frame);
            output.Write(1, LinkTypes.LinuxSll, Traffic.Start + 3, (uint)frame.Length, frame);
            output.Complete();
        });

        Assert.Equal([LinkTypes.Ethernet, LinkTypes.Raw, LinkTypes.LinuxSll], failure.LinkTypes);
        Assert.Contains("1 (EN10MB), 101 (RAW), 113 (LINUX_SLL)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("pcapng", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void PcapAskedFor_WithATimeClassicPcapCannotHold_FailsNamingIt()
    {
        var path = _directory.File("answer.pcap");
        var frame = Frames.Udp("10.0.0.1", 1000, "10.0.0.2", 53, 20);
        const long BeyondPcap = (uint.MaxValue + 1L) * 1_000_000_000L;

        var failure = Assert.Throws<OutputFormatException>(() =>
        {
            using var output = new CaptureFileOutput(path, OutputFormatChoice.Pcap, "tests");
            output.Write(1, LinkTypes.Ethernet, BeyondPcap, (uint)frame.Length, frame);
            output.Complete();
        });

        Assert.Equal(BeyondPcap, failure.TimestampNanoseconds);
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Theory]
    [InlineData(OutputFormatChoice.Automatic, CaptureFileFormat.Pcapng)]
    [InlineData(OutputFormatChoice.Pcapng, CaptureFileFormat.Pcapng)]
    public void OtherChoices_WithTwoLinkTypes_WritePcapngHoldingEveryPacket(OutputFormatChoice choice, CaptureFileFormat expected)
    {
        var path = _directory.File("answer");
        var frame = Frames.Udp("10.0.0.1", 1000, "10.0.0.2", 53, 20);
        OutputFile written;
        using (var output = new CaptureFileOutput(path, choice, "tests"))
        {
            output.Write(1, LinkTypes.Ethernet, Traffic.Start, (uint)frame.Length, frame);
            output.Write(1, LinkTypes.Raw, Traffic.Start + 1, (uint)frame.Length - 14, frame.AsSpan(14));
            written = output.Complete();
        }

        Assert.Equal(expected, written.Format);
        Assert.Equal([LinkTypes.Raw, LinkTypes.Ethernet], CaptureFiles.Read(path).Select(p => p.LinkType).Reverse());
        Assert.Equal([LinkTypes.Ethernet, LinkTypes.Raw], written.LinkTypes);
    }

    [Fact]
    public void PcapAskedFor_WithOneLinkType_WritesClassicPcap()
    {
        var path = _directory.File("answer.pcap");
        var frame = Frames.Udp("10.0.0.1", 1000, "10.0.0.2", 53, 20);
        OutputFile written;
        using (var output = new CaptureFileOutput(path, OutputFormatChoice.Pcap, "tests"))
        {
            output.Write(1, LinkTypes.Ethernet, Traffic.Start, (uint)frame.Length, frame);
            output.Write(1, LinkTypes.Ethernet, Traffic.Start + 1, (uint)frame.Length, frame);
            written = output.Complete();
        }

        Assert.Equal(CaptureFileFormat.Pcap, written.Format);
        Assert.Equal(2, CaptureFiles.Read(path).Count);
    }
}
