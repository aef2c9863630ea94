using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Output;
using Recorder.Synthesis.Packets;
using Recorder.Synthesis.Randomness;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis;

/// <summary>
/// Writes realistic, deterministic network traffic as a pcap or pcapng capture, and returns the
/// exact ground truth of what it wrote. Same options, same bytes: on any machine and .NET version,
/// for a given <see cref="GeneratorVersion"/>. The capture is streamed: memory stays bounded (flow
/// state plus a 1 MiB buffer) whatever its size. See docs/synthesizer.md.
/// </summary>
public static class TrafficSynthesizer
{
    /// <summary>Version of the generator's output. It changes whenever the bytes written for some options change.</summary>
    public const int GeneratorVersion = 1;

    private const ulong SaltDisorder = 0xD150;

    /// <summary>Writes the capture to <paramref name="path"/> (replacing any file there) and returns its truth. On failure no file is left.</summary>
    /// <exception cref="SynthesisOptionsException">The options are invalid or cannot be honoured together.</exception>
    public static SynthesisTruth Write(string path, SynthesisOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var plan = CapturePlanner.Create(options);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            using (file)
            {
                return Generate(file, options, plan);
            }
        }
        catch
        {
            // A half-written capture is worse than none: nobody should mistake it for the real thing.
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Writes the capture to <paramref name="output"/> (from its current position) and returns its truth. The stream is not closed.</summary>
    /// <exception cref="SynthesisOptionsException">The options are invalid or cannot be honoured together.</exception>
    public static SynthesisTruth Write(Stream output, SynthesisOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        return Generate(output, options, CapturePlanner.Create(options));
    }

    private static SynthesisTruth Generate(Stream output, SynthesisOptions options, CapturePlan plan)
    {
        var flows = plan.Flows;
        var encoder = new CaptureEncoder(output, options.Format, options.TimestampResolution, plan.LinkTypes);
        var builder = new PacketBuilder(options.Seed);
        var truth = new TruthRecorder(plan, options);
        var heap = new FlowHeap(flows);
        var start = options.Start.UnixNanoseconds;
        var microseconds = options.TimestampResolution == SynthesisTimestampResolution.Microseconds;
        var disorder = DisorderedPackets(options.OutOfOrderPackets, plan.Packets);
        var nextDisorder = 0;
        long written = 0;
        var previous = start;
        while (heap.Count > 0)
        {
            var flowIndex = heap.Top;
            ref var flow = ref flows[flowIndex];
            var k = flow.Emitted;
            var shape = flow.Pending;
            var sent = start + flow.Next;
            var frame = encoder.FrameSpace;
            var length = builder.Build(ref flow, k, shape, sent, frame, out var facts);
            var timestamp = microseconds ? sent - (sent % 1_000) : sent;
            if (nextDisorder < disorder.Length && disorder[nextDisorder] == written)
            {
                // Written earlier than the packet before it: 1 to 21 ms, never before the start.
                var delta = 1_000_000 + (long)CounterHash.Below(CounterHash.Of(options.Seed, (ulong)written, SaltDisorder), 20_000_000);
                timestamp = Math.Max(start, previous - delta);
                if (microseconds)
                {
                    timestamp -= timestamp % 1_000;
                }

                nextDisorder++;
            }

            var interfaceId = plan.InterfaceOf[(int)flow.Link];
            encoder.Commit(interfaceId, timestamp, length);
            truth.Record(flow, facts, interfaceId, timestamp, length);
            previous = timestamp;
            written++;

            flow.Emitted = k + 1;
            if (flow.Emitted < flow.Count)
            {
                flow.Pending = FlowShapes.Shape(flow, k + 1);
                flow.Next += FlowTiming.GapBefore(flow, k + 1, flow.Pending);
                heap.TopChanged();
            }
            else
            {
                heap.RemoveTop();
            }
        }

        encoder.Flush();
        output.Flush();
        if (written != plan.Packets || encoder.BytesWritten != plan.FileBytes)
        {
            throw new InvalidOperationException(
                $"synthesizer bug: planned {plan.Packets} packets and {plan.FileBytes} bytes, wrote {written} and {encoder.BytesWritten}");
        }

        return truth.Finish(encoder.BytesWritten);
    }

    /// <summary>Positions (in file order) of the packets written out of order: evenly spread.</summary>
    private static long[] DisorderedPackets(int count, long packets)
    {
        var positions = new long[count];
        for (var i = 0; i < count; i++)
        {
            positions[i] = (i + 1) * packets / (count + 1);
        }

        return positions;
    }
}
