using Recorder.Storage.Verification;

namespace Recorder.Cli.Commands;

/// <summary>
/// Prints a verification's findings by cause: one <c>CAUSE</c> line in words per root cause, first
/// cause first, then every finding it explains (each still printed, so nothing is hidden).
/// </summary>
internal static class FindingPrinter
{
    public static void Print(TextWriter output, VerificationReport report, string indent = "")
    {
        var number = 0;
        foreach (var cause in report.Causes)
        {
            output.WriteLine($"{indent}CAUSE {++number}: {cause.Explanation}");
            output.WriteLine($"{indent}   FINDING {cause.Finding}");
            foreach (var consequence in cause.Consequences)
            {
                output.WriteLine($"{indent}   FINDING (follows from cause {number}) {consequence}");
            }
        }
    }
}
