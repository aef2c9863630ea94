using System.Security.Cryptography;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Synthesis.Tests.Support;

namespace Recorder.Synthesis.Tests;

[Collection(CaptureVariantsCollection.Name)]
public sealed class DeterminismTests(CaptureVariants variants)
{
    /// <summary>
    /// SHA-256 of the default sample for <see cref="TrafficSynthesizer.GeneratorVersion"/> 1. If this
    /// fails, the output changed: that is allowed only with a new generator version (docs/synthesizer.md).
    /// </summary>
    private const string DefaultSampleSha256 = "31ffe8e480ee6f47277d86dc82146def558b4c1662de63e6e6eea50cc16a00f9";

    public static TheoryData<string> Names => new() { "pcap-us", "pcap-ns", "pcapng", "multi-link" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Write_SameOptionsTwice_GivesIdenticalBytesAndTruth(string name)
    {
        var file = variants[name];

        var (digest, truth) = Generate(file.Options);

        Assert.Equal(Sha256(File.ReadAllBytes(file.Path)), digest);
        Assert.Equal(file.Truth.ToJson(), truth.ToJson());
    }

    [Fact]
    public void Write_DifferentSeed_GivesDifferentBytes()
    {
        var options = new SynthesisOptions { TargetPackets = 500 };

        var (first, _) = Generate(options);
        var (second, _) = Generate(options with { Seed = 2 });

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Write_ToPathAndToStream_GiveTheSameBytes()
    {
        var file = variants.Pcapng;

        var (digest, _) = Generate(file.Options);

        Assert.Equal(Sha256(File.ReadAllBytes(file.Path)), digest);
    }

    [Fact]
    public void Write_DefaultOptions_MatchThePinnedDigestOfThisGeneratorVersion()
    {
        Assert.Equal(1, TrafficSynthesizer.GeneratorVersion);

        var (digest, truth) = Generate(new SynthesisOptions());

        Assert.Equal(2_000, truth.Packets);
        Assert.Equal(DefaultSampleSha256, digest);
    }

    [Fact]
    public void Write_MicrosecondAndNanosecondFiles_DifferOnlyInTimestampsAndMagic()
    {
        var nano = new SynthesisOptions { TargetPackets = 300 };
        var (_, nanoTruth) = Generate(nano);
        var (_, microTruth) = Generate(nano with { TimestampResolution = SynthesisTimestampResolution.Microseconds });

        Assert.Equal(nanoTruth.Packets, microTruth.Packets);
        Assert.Equal(nanoTruth.FrameBytes, microTruth.FrameBytes);
        Assert.Equal(nanoTruth.Needles.Select(n => n.Packets), microTruth.Needles.Select(n => n.Packets));
        Assert.NotEqual(nanoTruth.FirstTimestamp, microTruth.FirstTimestamp);
        Assert.EndsWith("000Z", microTruth.FirstTimestamp, StringComparison.Ordinal);
    }

    private static (string Digest, Truth.SynthesisTruth Truth) Generate(SynthesisOptions options)
    {
        using var stream = new MemoryStream();
        var truth = TrafficSynthesizer.Write(stream, options);
        var magic = BitConverter.ToUInt32(stream.GetBuffer(), 0);
        var expected = options.Format == CaptureFileFormat.Pcapng ? 0x0A0D0D0AU
            : options.TimestampResolution == SynthesisTimestampResolution.Nanoseconds ? 0xA1B23C4DU : 0xA1B2C3D4U;
        Assert.Equal(expected, magic);
        return (Sha256(stream.ToArray()), truth);
    }

    private static string Sha256(byte[] bytes) => Hex.Lower(SHA256.HashData(bytes));
}
