using System.CommandLine;
using Recorder.Storage.Verification;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder verify</c>: re-hashes, re-parses and re-derives everything; exit 1 with every finding.</summary>
internal static class VerifyCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("verify", "Verify every segment, signature, the manifest chain and the index") { json };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            using var store = context.OpenStore(create: false);
            var report = new StoreVerifier(store).Verify(cancellationToken);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(report.ToJson());
            }
            else
            {
                foreach (var finding in report.Findings)
                {
                    context.Output.WriteLine($"FINDING {finding}");
                }

                context.Output.WriteLine((report.Passed ? "verified: " : $"FAILED: {report.Findings.Count} finding(s); ") +
                    $"{report.SegmentsChecked} segment(s), {Format.Count(report.PacketsChecked)} packets, {Format.Bytes(report.BytesHashed)} re-hashed, " +
                    $"{report.IndexEntriesChecked} index entries compared");
            }

            return report.Passed ? ExitCodes.Ok : ExitCodes.Problem;
        });
        return command;
    }
}
