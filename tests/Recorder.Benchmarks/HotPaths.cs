using BenchmarkDotNet.Attributes;
using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Synthesis;

namespace Recorder.Benchmarks;

/// <summary>Micro-benchmarks of the per-packet hot paths (BenchmarkDotNet): read, decode, index.</summary>
[MemoryDiagnoser]
public class HotPaths
{
    private byte[] _capture = [];

    [GlobalSetup]
    public void Setup()
    {
        using var stream = new MemoryStream();
        TrafficSynthesizer.Write(stream, new SynthesisOptions { TargetPackets = 200_000 });
        _capture = stream.ToArray();
    }

    [Benchmark(Description = "read 200k packets (pcap, Span reader)")]
    public long Read()
    {
        using var reader = CaptureFileReader.Open(new MemoryStream(_capture), "bench");
        long bytes = 0;
        while (reader.TryRead(out var packet))
        {
            bytes += packet.Data.Length;
        }

        return bytes;
    }

    [Benchmark(Description = "read + decode + index 200k packets")]
    public long ReadDecodeIndex()
    {
        using var reader = CaptureFileReader.Open(new MemoryStream(_capture), "bench");
        var builder = new SegmentIndexBuilder();
        while (reader.TryRead(out var packet))
        {
            PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
            builder.Add(decoded.ToFlowKey(), packet.FileOffset, packet.FileOffset + 16 + packet.Data.Length, packet.TimestampNanoseconds, packet.Data.Length);
        }

        return builder.Build().Flows.Count;
    }
}
