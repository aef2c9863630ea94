using Recorder.Storage.Query;

namespace Recorder.Cli.Commands;

/// <summary>
/// How the CLI says that an extraction is partial: one line naming every segment left out and why,
/// so that the file written can never be taken for the complete answer.
/// </summary>
internal static class PartialExtraction
{
    /// <summary>The stderr line for an extraction into <paramref name="path"/> that left out <paramref name="leftOut"/>.</summary>
    public static string Message(string path, IReadOnlyList<SegmentLeftOut> leftOut) =>
        $"PARTIAL extraction: {path} is not the complete answer; {leftOut.Count} segment(s) that may hold matching packets could not be read: " +
        string.Join("; ", leftOut.Select(s => s.ToString())) + " (run recorder verify)";
}
