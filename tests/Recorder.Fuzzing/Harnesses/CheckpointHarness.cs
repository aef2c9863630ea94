using Recorder.Ledger.Checkpoints;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// The two checkpoint encodings: the signed checkpoint text (<see cref="CheckpointText"/>, as kept in
/// <c>checkpoints/</c> and carried in proofs) and the signed-tree-head line of <c>ledger.jsonl</c>
/// (<c>HeadRecord</c>). Both refuse by returning false. The text format promises exactly one text
/// per set of fields, so an accepted text must format back to the same bytes.
/// </summary>
internal sealed class CheckpointHarness : IFuzzHarness
{
    public string Name => "checkpoint";

    public string Description => "CheckpointText.TryParse and HeadRecord.TryParse; refusal: false";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (CheckpointText.TryParse(input, out var body, out _))
        {
            var again = System.Text.Encoding.ASCII.GetBytes(CheckpointText.Format(body));
            if (!input.SequenceEqual(again))
            {
                throw new FuzzInvariantException("checkpoint text parses but does not format back to the same bytes");
            }
        }

        _ = HeadRecord.TryParse(input, out _, out _);
    }
}
