using System.Buffers.Binary;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Benchmarks.Harnesses;

namespace Recorder.Index.Tests.Benchmarks;

public sealed class IndexBenchmarkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>An Ethernet/IPv4/TCP frame with the given endpoints and payload size.</summary>
    private static byte[] TcpFrame(uint source, ushort sourcePort, uint destination, ushort destinationPort, int payload)
    {
        var frame = new byte[14 + 20 + 20 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + payload));
        ip[8] = 64;
        ip[9] = Protocols.Tcp;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        tcp[12] = 0x50;
        return frame;
    }

    [Fact]
    public void Run_OnASmallCapture_CutsSegments_AndFindsTheTruthFilesNeedleExactly()
    {
        var capture = _temp.Sub("small.pcap");
        var random = new Random(7);
        long port443 = 0;
        using (var output = File.Create(capture))
        using (var writer = new CaptureWriter(output, CaptureFileFormat.Pcap, "test"))
        {
            writer.WriteHeader(LinkTypes.Ethernet);
            for (var i = 0; i < 3000; i++)
            {
                var needle = i % 400 == 17;
                var serverPort = needle ? (ushort)443 : (ushort)(random.Next(2) == 0 ? 443 : 80);
                port443 += serverPort == 443 ? 1 : 0;
                var frame = needle
                    ? TcpFrame(0x0A090909, 5555, 0x0A080808, 443, 100)
                    : TcpFrame(0x0A000000 + (uint)random.Next(50), (ushort)(40000 + random.Next(200)), 0xC0000201, serverPort, random.Next(0, 1400));
                writer.Write(LinkTypes.Ethernet, 1_700_000_000_000_000_000 + (i * 1_000_000L), (uint)frame.Length, frame);
            }
        }

        File.WriteAllText(_temp.Sub("small.truth.json"), $$"""
            {"needles": [{"name": "needle", "bpf_simple": "host 10.9.9.9 and port 443", "packets": 8}],
             "queries": [{"name": "port-443", "bpf": "tcp port 443", "packets": {{port443}}, "start_epoch": null},
                         {"name": "ip6", "bpf": "ip6", "packets": 0, "start_epoch": null}]}
            """);

        var result = IndexBenchmark.Run(capture, _temp.Sub("work"), new IndexBenchmarkSettings { SegmentBytes = 256 * 1024, Repetitions = 3 });

        Assert.Equal(3000, result.Packets);
        Assert.True(result.Segments >= 4, $"{result.Segments} segments");
        Assert.True(result.IndexBytes > 0 && result.IndexRatio > 0);
        Assert.Equal(["needle", "port-443"], result.Lookups.Select(l => l.Name));
        Assert.All(result.Lookups, l => Assert.Equal(l.ExpectedPackets, l.Candidates));
        // One packet of the needle every 400: one flow record in each of the 8 segments holding one.
        Assert.Equal(8, result.Lookups[0].FlowRecordsRead);
        Assert.Contains(result.Lines(), line => line.Contains("needle", StringComparison.Ordinal));
    }
}
