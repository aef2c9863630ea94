namespace Recorder.Fuzzing.Harnesses;

/// <summary>Every harness, by target name.</summary>
internal static class FuzzHarnesses
{
    /// <summary>The target names, in the order <c>fuzz.sh smoke</c> runs them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pcap", "pcapng", "ledger-line", "checkpoint", "proof", "manifest", "query-body"];

    /// <summary>A new harness for <paramref name="name"/>, or null when there is no such target.</summary>
    public static IFuzzHarness? Create(string name) => name switch
    {
        "pcap" or "pcapng" => new CaptureHarness(name),
        "ledger-line" => new LedgerLineHarness(),
        "checkpoint" => new CheckpointHarness(),
        "proof" => new ProofHarness(),
        "manifest" => new ManifestHarness(),
        "query-body" => new QueryBodyHarness(),
        _ => null,
    };
}
