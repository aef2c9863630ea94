using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Core.Store;
using Recorder.Ledger;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder verify</c>: re-hashes, re-parses and re-derives every segment, checks every signature,
/// the manifest chain and the index, the custody ledger (chain, Merkle tree, signed heads, RFC 3161
/// time-stamps), and each against the other; exit 1 with every finding. <c>--checkpoint FILE</c>
/// also proves today's ledger extends a checkpoint obtained earlier.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var checkpoints = new Option<string[]>("--checkpoint")
        {
            Description = "A checkpoint.txt obtained earlier (its checkpoint.sig beside it is checked too): today's ledger must extend it",
            HelpName = "FILE",
        };
        var command = new Command("verify", "Verify every segment, signature, the manifest chain, the index and the custody ledger") { json, checkpoints };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var earlier = new List<EarlierCheckpoint>();
            foreach (var path in context.Parse.GetValue(checkpoints) ?? [])
            {
                if (!File.Exists(path))
                {
                    throw CliException.Usage($"--checkpoint: {path}: no such file");
                }

                var signaturePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + ".sig");
                earlier.Add(new EarlierCheckpoint(File.ReadAllBytes(path), File.Exists(signaturePath) ? File.ReadAllBytes(signaturePath) : null, path));
            }

            using var store = context.OpenStore(create: false, ledgerOnDemand: true);
            var report = StoreAudit.Verify(store, earlier, cancellationToken);
            string recorded;
            try
            {
                // The run and its outcome are custody events too; a damaged ledger cannot take them.
                var seq = store.Record(LedgerActions.VerifyCompleted, new JsonObject { ["storeId"] = store.StoreId }, new Dictionary<string, string>(),
                    new JsonObject
                    {
                        ["passed"] = report.Passed,
                        ["findings"] = report.Findings.Count,
                        ["segmentsChecked"] = report.SegmentsChecked,
                        ["packetsChecked"] = report.PacketsChecked,
                        ["bytesHashed"] = report.BytesHashed,
                        ["earlierCheckpoints"] = earlier.Count,
                        ["firstFindings"] = new JsonArray(report.Findings.Take(20).Select(f => (JsonNode)f.ToJson()).ToArray()),
                    });
                recorded = $"recorded as ledger entry {seq}";
            }
            catch (LedgerIntegrityException e)
            {
                recorded = "not recorded: the ledger is damaged (" + e.Message + ")";
            }

            if (context.Parse.GetValue(json))
            {
                var result = report.ToJson();
                result["recorded"] = recorded;
                context.WriteJson(result);
            }
            else
            {
                FindingPrinter.Print(context.Output, report);

                var ledgerEntries = report.Notes["ledgerEntries"]?.GetValue<long>() ?? 0;
                context.Output.WriteLine((report.Passed ? "verified: " : $"FAILED: {report.Findings.Count} finding(s) from {report.Causes.Count} cause(s); ") +
                    $"{report.SegmentsChecked} segment(s), {Format.Count(report.PacketsChecked)} packets, {Format.Bytes(report.BytesHashed)} re-hashed, " +
                    $"{report.IndexEntriesChecked} index entries compared, {Format.Count(ledgerEntries)} ledger entries" +
                    (earlier.Count > 0 ? $", extends {earlier.Count} earlier checkpoint(s)" : string.Empty) + $"; {recorded}");
                if (report.Notes["sessionMetadataNotBuilt"] is JsonArray { Count: > 0 } notBuilt)
                {
                    // Not a finding: metadata is derived after sealing and may be built later.
                    context.Output.WriteLine($"  note: session metadata not built for {notBuilt.Count} segment(s) " +
                        $"({string.Join(", ", notBuilt.Take(10).Select(n => n!.ToJsonString()))}{(notBuilt.Count > 10 ? ", ..." : string.Empty)}): run `recorder sessions index`");
                }
            }

            return report.Passed ? ExitCodes.Ok : ExitCodes.Problem;
        });
        return command;
    }
}
