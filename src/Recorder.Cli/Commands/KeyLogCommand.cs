using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Application.KeyLogs;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder keylog import FILE --case --reason</c>: stores a TLS key log (NSS SSLKEYLOGFILE format)
/// as evidence, hashed and ledgered, so that extractions carry the secrets of their TLS connections;
/// <c>recorder keylog list</c>: the key logs the ledger records.
/// </summary>
internal static class KeyLogCommand
{
    public static Command Create(CommandFactory factory) => new("keylog", "TLS key logs (NSS SSLKEYLOGFILE format) stored as evidence")
    {
        CreateImport(factory),
        CreateList(factory),
    };

    private static Command CreateImport(CommandFactory factory)
    {
        var file = new Argument<string>("FILE") { Description = "The key log (LABEL CLIENT_RANDOM SECRET lines, as SSLKEYLOGFILE writes them)" };
        var caseOption = new Option<string>("--case") { Description = "The case the key log is evidence for (recorded in the ledger)", Required = true, HelpName = "ID" };
        var reason = new Option<string>("--reason") { Description = "Why it is stored (recorded in the ledger)", Required = true, HelpName = "TEXT" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("import", "Store a TLS key log as evidence (hashed, ledgered as keylog.imported); extractions then carry its matching secrets")
        {
            file, caseOption, reason, json,
        };
        factory.SetAction(command, (context, _) =>
        {
            var parse = context.Parse;
            var caseId = QueryCommand.CheckText(parse.GetValue(caseOption), "--case", 200);
            var why = QueryCommand.CheckText(parse.GetValue(reason), "--reason", 4000);
            var path = Path.GetFullPath(parse.GetValue(file)!);
            if (!File.Exists(path))
            {
                throw CliException.Usage($"FILE: {path} does not exist");
            }

            using var store = context.OpenStore(create: false);
            KeyLogImport imported;
            try
            {
                imported = KeyLogEvidence.Import(store, path, caseId, why);
            }
            catch (KeyLogException e)
            {
                throw CliException.Usage("recorder keylog import: " + e.Message);
            }

            var log = imported.KeyLog;
            if (parse.GetValue(json))
            {
                var result = ToJson(log);
                result["alreadyStored"] = imported.AlreadyStored;
                result["problemLines"] = new JsonArray(imported.ProblemLines.Select(p => (JsonNode)new JsonObject { ["line"] = p.Line, ["problem"] = p.Problem }).ToArray());
                context.WriteJson(result);
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"stored key log sha256 {log.Sha256}: {log.Entries} secret(s) for {log.ClientRandoms} TLS connection(s) " +
                $"({string.Join(", ", log.Labels.Select(l => $"{l.Value} {l.Key}"))})" + (imported.AlreadyStored ? "; the same bytes were stored before" : string.Empty));
            context.Output.WriteLine($"  {log.Path}; ledger entry {log.Seq} (keylog.imported) for case {caseId}");
            foreach (var problem in imported.ProblemLines)
            {
                context.Output.WriteLine($"  line {problem.Line}: {problem.Problem} (not a secret; kept in the stored file)");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateList(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("list", "The key logs the ledger records as stored (hashes and counts; no secret is shown)") { json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var logs = KeyLogEvidence.List(store);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject { ["keyLogs"] = new JsonArray(logs.Select(l => (JsonNode)ToJson(l)).ToArray()) });
                return ExitCodes.Ok;
            }

            if (logs.Count == 0)
            {
                context.Output.WriteLine("no key log stored (recorder keylog import FILE --case ID --reason TEXT)");
            }

            foreach (var log in logs)
            {
                context.Output.WriteLine($"{log.Sha256}  {log.Entries} secret(s), {log.ClientRandoms} connection(s), {log.Problems} bad line(s); " +
                    $"ledger entry {log.Seq}, case {log.Case}, from {log.Source}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonObject ToJson(StoredKeyLog log) => new()
    {
        ["sha256"] = log.Sha256,
        ["path"] = log.Path,
        ["bytes"] = log.Bytes,
        ["entries"] = log.Entries,
        ["labels"] = new JsonObject(log.Labels.Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
        ["clientRandoms"] = log.ClientRandoms,
        ["problems"] = log.Problems,
        ["ledgerSeq"] = log.Seq,
        ["case"] = log.Case,
        ["source"] = log.Source,
    };
}
