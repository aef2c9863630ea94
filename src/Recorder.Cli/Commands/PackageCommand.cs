using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Application.Packaging;
using Recorder.Signing;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder package</c> builds a court-ready evidence package from completed queries;
/// <c>recorder verify-package</c> checks one with nothing but the package.
/// </summary>
internal static class PackageCommand
{
    public static Command Create(CommandFactory factory)
    {
        var queries = new Option<string[]>("--query") { Description = "A completed query's id (repeat for several; one case)", Required = true, HelpName = "ID" };
        var fileExtractions = new Option<string[]>("--file-extraction")
        {
            Description = "A transferred file to carry beside the packets: the extractionId `recorder files extract` printed (repeat for several; same case)",
            HelpName = "ID",
        };
        var output = new Option<string>("--out") { Description = "A new folder, or a path ending in .zip", Required = true, HelpName = "PATH" };
        var title = new Option<string?>("--title") { Description = "The report's title", HelpName = "TEXT" };
        var templates = new Option<string?>("--templates") { Description = "A folder of certification templates replacing the defaults", HelpName = "DIR" };
        var reason = new Option<string?>("--reason") { Description = "Why the package is built (default: the queries' reason)", HelpName = "TEXT" };
        var allowPartial = new Option<bool>("--allow-partial")
        {
            Description = "Package partial extractions too (recorded in the ledger; the report's cover then says PARTIAL and lists what is missing)",
        };
        var examiner = new Option<string?>("--examiner") { Description = "The examiner who answers for the package (on the report's cover and in VERIFY.txt)", HelpName = "NAME" };
        var organisation = new Option<string?>("--organisation") { Description = "The examiner's organisation", HelpName = "NAME" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("package", "Build a court-ready evidence package (evidence, signed manifest, custody proofs, CASE/UCO, report.pdf)")
        {
            queries, fileExtractions, output, title, templates, reason, allowPartial, examiner, organisation, json,
        };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            PackageResult result;
            try
            {
                result = PackageBuilder.Build(store, new PackageRequest
                {
                    QueryIds = context.Parse.GetValue(queries)!,
                    FileExtractionIds = context.Parse.GetValue(fileExtractions) ?? [],
                    OutputPath = context.Parse.GetValue(output)!,
                    Title = context.Parse.GetValue(title),
                    TemplateDirectory = context.Parse.GetValue(templates),
                    Reason = context.Parse.GetValue(reason),
                    AllowPartial = context.Parse.GetValue(allowPartial),
                    Examiner = context.Parse.GetValue(examiner),
                    Organisation = context.Parse.GetValue(organisation),
                });
            }
            catch (PackageException e)
            {
                throw CliException.Usage(e.Message);
            }
            catch (Reporting.Templates.ReportTemplateException e)
            {
                throw CliException.Usage($"--templates: {e.Message}");
            }

            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["packageId"] = result.PackageId,
                    ["path"] = result.Path,
                    ["case"] = result.CaseId,
                    ["manifestSha256"] = result.ManifestSha256,
                    ["reportSha256"] = result.ReportSha256,
                    ["packageSeq"] = result.PackageSeq,
                    ["reportSeq"] = result.ReportSeq,
                    ["files"] = new JsonArray(result.Files.Select(f => (JsonNode)f).ToArray()),
                    ["partial"] = result.PartialQueries.Count > 0,
                    ["partialQueries"] = new JsonArray(result.PartialQueries.Select(q => (JsonNode)q).ToArray()),
                });
            }
            else
            {
                context.Output.WriteLine($"wrote {result.Path}: evidence package {result.PackageId} for case {result.CaseId}, {result.Files.Count} files");
                context.Output.WriteLine($"  manifest.json sha256 {result.ManifestSha256} (ledger entry {result.PackageSeq})");
                context.Output.WriteLine($"  report.pdf sha256 {result.ReportSha256} (ledger entry {result.ReportSeq})");
                context.Output.WriteLine($"  check it anywhere: recorder verify-package {result.Path}   (or the steps in VERIFY.txt)");
                foreach (var query in result.PartialQueries)
                {
                    context.Output.WriteLine($"  PARTIAL: query {query} is not the complete answer (allowed with --allow-partial; the report's cover says so)");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateVerify(CommandFactory factory)
    {
        var path = new Argument<string>("PATH") { Description = "A package folder or .zip" };
        var key = new Option<string?>("--key") { Description = "The public key the package must be signed with (PEM), obtained separately", HelpName = "PEM" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("verify-package", "Check an evidence package offline: every hash, signature, proof and time-stamp") { path, key, json };
        factory.SetAction(command, (context, _) =>
        {
            Ed25519Key? expected = null;
            if (context.Parse.GetValue(key) is { } keyPath)
            {
                try
                {
                    expected = Ed25519Key.Load(keyPath);
                }
                catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
                {
                    throw CliException.Usage($"--key: {keyPath}: {e.Message}");
                }
            }

            var report = PackageVerifier.Verify(context.Parse.GetValue(path)!, expected);
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

                context.Output.WriteLine(report.Passed
                    ? $"verified: {report.Notes["files"]} files, {report.Notes["custodyEntries"]} custody entries with their proofs, signed by key {report.Notes["keyFingerprint"]}"
                    : $"FAILED: {report.Findings.Count} finding(s)");
            }

            return report.Passed ? ExitCodes.Ok : ExitCodes.Problem;
        });
        return command;
    }
}
