using Recorder.Core.Formats;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests.Support;

/// <summary>One synthesized file on disk and the truth the synthesizer returned for it.</summary>
public sealed record SynthesizedFile(string Name, string Path, SynthesisOptions Options, SynthesisTruth Truth);

/// <summary>The four shapes of capture the synthesizer must produce, written once per test run.</summary>
public sealed class CaptureVariants : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("synth-tests-").FullName;

    public CaptureVariants()
    {
        PcapMicroseconds = Make("pcap-us", new SynthesisOptions { TimestampResolution = SynthesisTimestampResolution.Microseconds });
        PcapNanoseconds = Make("pcap-ns", new SynthesisOptions { Seed = 2 });
        Pcapng = Make("pcapng", new SynthesisOptions { Seed = 3, Format = CaptureFileFormat.Pcapng, TargetPackets = 3_000 });
        MultiLink = Make("multi-link", new SynthesisOptions
        {
            Seed = 4,
            Format = CaptureFileFormat.Pcapng,
            MultipleLinkTypes = true,
            TimestampResolution = SynthesisTimestampResolution.Microseconds,
            TargetPackets = 4_000,
        });
    }

    public SynthesizedFile PcapMicroseconds { get; }

    public SynthesizedFile PcapNanoseconds { get; }

    public SynthesizedFile Pcapng { get; }

    public SynthesizedFile MultiLink { get; }

    public IEnumerable<SynthesizedFile> All => [PcapMicroseconds, PcapNanoseconds, Pcapng, MultiLink];

    public SynthesizedFile this[string name] => All.Single(v => v.Name == name);

    public string TempPath(string name) => System.IO.Path.Combine(_directory, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }

    private SynthesizedFile Make(string name, SynthesisOptions options)
    {
        var path = System.IO.Path.Combine(_directory, name + (options.Format == CaptureFileFormat.Pcapng ? ".pcapng" : ".pcap"));
        return new SynthesizedFile(name, path, options, TrafficSynthesizer.Write(path, options));
    }
}

[CollectionDefinition(Name)]
public sealed class CaptureVariantsCollection : ICollectionFixture<CaptureVariants>
{
    public const string Name = "synthesized captures";
}
