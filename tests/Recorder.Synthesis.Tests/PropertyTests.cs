using CsCheck;
using Recorder.Core.Formats;
using Recorder.Core.Time;
using Recorder.Synthesis.Tests.Support;

namespace Recorder.Synthesis.Tests;

[Collection(CaptureVariantsCollection.Name)]
public sealed class PropertyTests(CaptureVariants variants)
{
    private static readonly Gen<SynthesisOptions> AnyOptions =
        from seed in Gen.ULong
        from packets in Gen.Long[100, 6_000]
        from flows in Gen.Int[1, 300].Nullable()
        from seconds in Gen.Int[1, 86_400]
        from startSeconds in Gen.Long[0, 4_000_000_000]
        from nanos in Gen.Bool
        from pcapng in Gen.Bool
        from multi in Gen.Bool
        from ipv6 in Gen.Double[0, 1]
        from vlan in Gen.Double[0, 0.5]
        from elephant in Gen.Double[0.01, 0.5]
        from needles in Gen.Int[0, 20]
        from anomalies in Gen.Bool
        from disorder in Gen.Int[0, 10]
        select new SynthesisOptions
        {
            Seed = seed,
            TargetPackets = packets,
            Flows = flows,
            Duration = TimeSpan.FromSeconds(seconds),
            Start = Timestamp.FromSeconds(startSeconds),
            TimestampResolution = nanos ? SynthesisTimestampResolution.Nanoseconds : SynthesisTimestampResolution.Microseconds,
            Format = pcapng || multi ? CaptureFileFormat.Pcapng : CaptureFileFormat.Pcap,
            MultipleLinkTypes = multi,
            IPv6Share = ipv6,
            VlanShare = vlan,
            ElephantShare = elephant,
            Needles = needles,
            IncludeAnomalies = anomalies,
            OutOfOrderPackets = disorder,
        };

    [Fact]
    public void Write_AnyOptions_EitherRefusesWithReasonsOrWritesExactlyWhatTheTruthSays()
    {
        var path = variants.TempPath("property.cap");
        var written = 0;
        AnyOptions.Sample(options =>
        {
            if (options.Validate().Count > 0)
            {
                Assert.Throws<SynthesisOptionsException>(() => TrafficSynthesizer.Write(Stream.Null, options));
                return;
            }

            File.Delete(path);
            Truth.SynthesisTruth truth;
            try
            {
                truth = TrafficSynthesizer.Write(path, options);
            }
            catch (SynthesisOptionsException e)
            {
                Assert.Contains("packets", e.Message, StringComparison.Ordinal);
                Assert.False(File.Exists(path));
                return;
            }

            written++;
            Assert.Equal(options.TargetPackets, truth.Packets);
            Assert.Equal(new FileInfo(path).Length, truth.FileBytes);
            var start = options.Start.UnixNanoseconds;
            var end = start + (options.Duration.Ticks * 100);
            long packets = 0;
            using (var reader = CaptureFileReader.Open(path))
            {
                while (reader.TryRead(out var packet))
                {
                    Assert.InRange(packet.TimestampNanoseconds, start, end - 1);
                    packets++;
                }
            }

            Assert.Equal(truth.Packets, packets);
            Assert.Equal(options.OutOfOrderPackets, truth.OutOfOrderPackets.Count);
            var bad = truth.Anomalies.SingleOrDefault(a => a.Kind == "bad-tcp-checksum")?.PacketIndexes ?? [];
            Assert.Equal(bad, ChecksumVerifier.Verify(path).Failures.Select(f => f.PacketIndex));
            foreach (var needle in truth.Needles)
            {
                Assert.Equal(needle.Packets, IndependentCount.Count(path, IndependentCount.ToCoreQuery(needle.Query)).Packets);
            }
        }, iter: 40, threads: 1);

        Assert.True(written >= 15, $"only {written} of 40 option sets produced a capture");
    }
}
