using Recorder.Ledger.Entries;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// One line of <c>ledger.jsonl</c> through both entry readers: the strict <c>EntryCodec.TryParse</c>
/// and the chain-following <c>EntryCodec.TryReadChainFields</c>. Both refuse by returning false, so
/// any exception at all is a crash. An accepted entry must also be one the strict parser reads
/// the chain fields of, or the verifier's fast path and its full parse would disagree.
/// </summary>
internal sealed class LedgerLineHarness : IFuzzHarness
{
    public string Name => "ledger-line";

    public string Description => "EntryCodec.TryParse and TryReadChainFields (ledger.jsonl lines); refusal: false";

    public void Run(ReadOnlySpan<byte> input)
    {
        Span<byte> prev = stackalloc byte[32];
        var chained = EntryCodec.TryReadChainFields(input, out var seq, prev);
        if (EntryCodec.TryParse(input.ToArray(), out var entry, out _) && (!chained || entry.Seq != seq))
        {
            throw new FuzzInvariantException($"entry {entry.Seq} parses, but its chain fields read as {(chained ? seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unreadable")}");
        }
    }
}
