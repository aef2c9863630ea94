using Recorder.Synthesis.Truth;

namespace Recorder.Benchmarks.Agreement;

/// <summary>The synthesizer's truth as values per field (only the fields the truth covers).</summary>
public static class TruthFields
{
    public static Dictionary<string, List<string>> From(SynthesisTruth truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        return new Dictionary<string, List<string>>(StringComparer.Ordinal);
    }
}
