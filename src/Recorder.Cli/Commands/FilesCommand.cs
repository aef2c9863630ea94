using System.CommandLine;
using Recorder.Application.Files;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder files extract</c>: writes one transferred file (found by its SHA-256 in the session
/// metadata, re-read from its packets) and a JSON sidecar into a folder, an audited extraction
/// (case and reason, ledgered as <c>files.extracted</c> with the hashes of both outputs).
/// </summary>
internal static class FilesCommand
{
    public static Command Create(CommandFactory factory)
    {
        var command = new Command("files", "Transferred files (HTTP bodies, SMTP attachments, FTP data): `files extract` writes one out, audited");
        command.Subcommands.Add(CreateExtract(factory));
        return command;
    }

    private static Command CreateExtract(CommandFactory factory)
    {
        var sha256 = new Option<string?>("--sha256") { Description = "The file's SHA-256 (64 hex digits), as `recorder sessions --file-sha256` finds it", HelpName = "HASH" };
        var caseOption = new Option<string?>("--case") { Description = "The case this extraction is for (recorded in the ledger; required)", HelpName = "ID" };
        var reason = new Option<string?>("--reason") { Description = "Why the file is extracted (recorded in the ledger; required)", HelpName = "TEXT" };
        var output = new Option<string?>("--out") { Description = "The folder to write the file and its sidecar into (created when missing; nothing is overwritten)", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("extract", "Extract a transferred file by its SHA-256 from the packets that carried it (audited)") { sha256, caseOption, reason, output, json };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var hash = parse.GetValue(sha256)?.Trim();
            if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                throw CliException.Usage($"--sha256: '{hash}' is not a SHA-256 (64 hex digits)");
            }

            var caseId = SessionsCommand.CheckText(parse.GetValue(caseOption), "--case", 200);
            var why = SessionsCommand.CheckText(parse.GetValue(reason), "--reason", 4000);
            var directory = parse.GetValue(output);
            if (string.IsNullOrWhiteSpace(directory))
            {
                throw CliException.Usage("--out: required (the folder to write the file into)");
            }

            if (File.Exists(directory))
            {
                throw CliException.Usage($"--out: {directory} is a file, not a folder");
            }

            using var store = context.OpenStore(create: false);
            ExtractedFile extracted;
            try
            {
                extracted = FileExtraction.Run(store, new FileExtractionRequest(hash, caseId, why, Path.GetFullPath(directory)), cancellationToken);
            }
            catch (FileExtractionException e)
            {
                throw new CliException(e.Failure == FileExtractionFailure.NotFound ? ExitCodes.NotFound : ExitCodes.Problem, e.Message);
            }

            var file = extracted.File;
            if (parse.GetValue(json))
            {
                context.WriteJson(extracted.ToJson(caseId, why, extracted.Path, extracted.SidecarPath));
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"extracted {file.Length} octet(s), {file.Type.Name}, sha256 {file.Sha256} ({file.Protocol} {file.Direction.ToString().ToLowerInvariant()}, " +
                $"session {extracted.SessionId} of segment {extracted.SegmentId}) to {extracted.Path}");
            context.Output.WriteLine($"  sidecar {extracted.SidecarPath} sha256 {extracted.SidecarSha256}; extraction {extracted.ExtractionId} for case {caseId}, ledger entry {extracted.LedgerSeq}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
