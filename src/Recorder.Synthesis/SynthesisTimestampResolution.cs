namespace Recorder.Synthesis;

/// <summary>The resolution of the timestamps the synthesizer writes.</summary>
public enum SynthesisTimestampResolution
{
    /// <summary>Microseconds: classic pcap magic <c>0xa1b2c3d4</c>, pcapng <c>if_tsresol</c> 6. Timestamps are truncated to whole microseconds.</summary>
    Microseconds = 6,

    /// <summary>Nanoseconds: classic pcap magic <c>0xa1b23c4d</c>, pcapng <c>if_tsresol</c> 9. Timestamps carry sub-microsecond digits.</summary>
    Nanoseconds = 9,
}
