using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
using Recorder.Ledger.Proofs;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder ledger</c>: lists custody entries, writes inclusion and consistency proofs and the
/// latest checkpoint, and checks a proof file offline.
/// </summary>
internal static class LedgerCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output (an array of entries, each exactly as stored)" };
        var actions = new Option<string[]>("--action") { Description = "Only these actions (repeat; 'import.*' matches a family)", HelpName = "ACTION" };
        var caseOption = new Option<string?>("--case") { Description = "Only entries for this case", HelpName = "ID" };
        var from = new Option<string?>("--from") { Description = "Only entries at or after this time", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Only entries before this time", HelpName = "TIME" };
        var command = new Command("ledger", "The custody ledger: list entries (filters welcome), prove, checkpoint")
        {
            json, actions, caseOption, from, to,
        };
        factory.SetAction(command, (context, _) =>
        {
            var filter = new LedgerFilter
            {
                Actions = context.Parse.GetValue(actions) is { Length: > 0 } a ? a : null,
                Case = context.Parse.GetValue(caseOption),
                From = Time(context.Parse.GetValue(from), "--from"),
                To = Time(context.Parse.GetValue(to), "--to"),
            };
            using var store = context.OpenStore(create: false);
            var entries = CliContext.Journal(store).Ledger.Read(filter);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonArray(entries.Select(e => JsonNode.Parse(e.Text)).ToArray()));
                return ExitCodes.Ok;
            }

            foreach (var entry in entries)
            {
                var subjects = string.Join(' ', entry.Subjects.Select(p => $"{p.Key}={Compact(p.Value)}"));
                var caseText = entry.Case is null ? string.Empty : $" case={entry.Case}";
                context.Output.WriteLine($"{entry.Seq,6}  {entry.Time}  {entry.Actor.Name}@{entry.Actor.Host}  {entry.Action,-28} {subjects}{caseText}");
            }

            return ExitCodes.Ok;
        });

        command.Subcommands.Add(Prove(factory));
        command.Subcommands.Add(Consistency(factory));
        command.Subcommands.Add(VerifyProof(factory));
        command.Subcommands.Add(CheckpointCommand(factory));
        return command;
    }

    private static Command Prove(CommandFactory factory)
    {
        var seq = new Option<long>("--seq") { Description = "The entry to prove (0-based sequence number)", Required = true, HelpName = "N" };
        var size = new Option<long?>("--size") { Description = "Prove against the signed head of this size (default: the latest)", HelpName = "S" };
        var output = new Option<string>("--out") { Description = "The proof file to write", Required = true, HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("prove", "Write an inclusion proof of one entry against a signed checkpoint") { seq, size, output, json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var ledger = CliContext.Journal(store).Ledger;
            var n = context.Parse.GetValue(seq);
            if (n < 0 || n >= ledger.Count)
            {
                throw CliException.Usage($"--seq: {n} is not an entry (the ledger holds 0 to {ledger.Count - 1})");
            }

            // By default the proof is against a fresh, time-stamped checkpoint: the strongest one there is.
            var against = context.Parse.GetValue(size) ?? CliContext.Journal(store).Checkpoint().Size;
            var proof = Wrap(() => ledger.ProveInclusion(n, against), "--size");
            var path = OutputPath(context.Parse.GetValue(output)!);
            var bytes = ProofFile.Serialize(proof);
            File.WriteAllBytes(path, bytes);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["path"] = path,
                    ["type"] = "inclusion",
                    ["leafIndex"] = n,
                    ["treeSize"] = proof.TreeSize,
                    ["hashes"] = proof.AuditPath.Count,
                    ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"wrote {path}: inclusion of entry {n} in the tree of {proof.TreeSize} entries ({proof.AuditPath.Count} hashes)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Consistency(CommandFactory factory)
    {
        var from = new Option<long>("--from") { Description = "The earlier tree size", Required = true, HelpName = "S1" };
        var to = new Option<long?>("--to") { Description = "The later tree size (default: the latest)", HelpName = "S2" };
        var output = new Option<string>("--out") { Description = "The proof file to write", Required = true, HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("consistency", "Write a consistency proof between two signed tree sizes") { from, to, output, json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var ledger = CliContext.Journal(store).Ledger;
            var first = context.Parse.GetValue(from);
            var second = context.Parse.GetValue(to);
            if (first < 1 || first > ledger.Count || second is { } later && (later < first || later > ledger.Count))
            {
                throw CliException.Usage($"--from/--to: no consistency proof from {first} to {second ?? ledger.Count} entries " +
                    $"(sizes must satisfy 1 <= --from <= --to <= {ledger.Count}, the ledger's size)");
            }

            var proof = Wrap(() => ledger.ProveConsistency(first, second), "--from/--to");
            var path = OutputPath(context.Parse.GetValue(output)!);
            var bytes = ProofFile.Serialize(proof);
            File.WriteAllBytes(path, bytes);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["path"] = path,
                    ["type"] = "consistency",
                    ["firstSize"] = proof.First.Size,
                    ["treeSize"] = proof.Second.Size,
                    ["hashes"] = proof.Path.Count,
                    ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"wrote {path}: the tree of {proof.Second.Size} entries extends the tree of {proof.First.Size} ({proof.Path.Count} hashes)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command VerifyProof(CommandFactory factory)
    {
        var file = new Argument<string>("FILE") { Description = "An inclusion or consistency proof file" };
        var key = new Option<string?>("--key") { Description = "The store's public key (PEM); default: the key of --store", HelpName = "PEM" };
        var tsa = new Option<string?>("--tsa") { Description = "The time-stamp authority's certificate (PEM); default: the store's", HelpName = "PEM" };
        var trusted = new Option<string[]>("--checkpoint")
        {
            Description = "A checkpoint text you already trust (e.g. checkpoint.txt of 'ledger checkpoint' or of an evidence package; repeat): " +
                "a proof checkpoint carrying no signature is accepted only when it is exactly one of these",
            HelpName = "FILE",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("verify-proof", "Check a proof file offline: checkpoint signature (or trusted checkpoint), Merkle path, time-stamps") { file, key, tsa, trusted, json };
        factory.SetAction(command, (context, _) =>
        {
            var path = context.Parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw CliException.Usage($"{path}: no such file");
            }

            Ed25519Key publicKey;
            X509Certificate2? certificate = null;
            if (context.Parse.GetValue(key) is { } keyPath)
            {
                publicKey = LoadKey(keyPath);
            }
            else
            {
                var storeKey = Path.Combine(context.StorePath, "keys", "signing.pub.pem");
                if (!File.Exists(storeKey))
                {
                    throw CliException.Usage($"--key: give the store's public key (no store at {context.StorePath})");
                }

                publicKey = LoadKey(storeKey);
                certificate = LedgerJournal.BuiltInCertificate(Path.Combine(context.StorePath, "keys", "tsa"));
            }

            if (context.Parse.GetValue(tsa) is { } tsaPath)
            {
                certificate = TimeStampVerifier.LoadCertificatePem(File.ReadAllText(tsaPath));
            }

            var trustedTexts = (context.Parse.GetValue(trusted) ?? []).Select(ReadTrustedCheckpoint).ToList();
            var result = ProofFile.VerifyFile(path, publicKey, certificate, trustedTexts);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["valid"] = result.IsValid,
                    ["type"] = result.Type,
                    ["leafIndex"] = result.LeafIndex,
                    ["treeSize"] = result.TreeSize,
                    ["firstSize"] = result.FirstSize,
                    ["problems"] = new JsonArray(result.Problems.Select(p => (JsonNode?)p).ToArray()),
                    ["notes"] = new JsonArray(result.Notes.Select(p => (JsonNode?)p).ToArray()),
                    ["checked"] = new JsonArray(result.Checked.Select(p => (JsonNode?)p).ToArray()),
                    ["anchors"] = new JsonArray(result.Anchors.Select(a => (JsonNode?)AnchorName(a)).ToArray()),
                });
            }
            else
            {
                WriteProofVerification(context, result, publicKey.Fingerprint);
            }

            return result.IsValid ? ExitCodes.Ok : ExitCodes.Problem;
        });
        return command;
    }

    /// <summary>What passed, what failed, what was not checked, and a last line that says what the verdict rests on.</summary>
    private static void WriteProofVerification(CliContext context, ProofVerification result, string fingerprint)
    {
        foreach (var passed in result.Checked)
        {
            context.Output.WriteLine("checked: " + passed);
        }

        foreach (var problem in result.Problems)
        {
            context.Output.WriteLine("PROBLEM " + problem);
        }

        foreach (var note in result.Notes)
        {
            context.Output.WriteLine("note: " + note);
        }

        if (!result.IsValid)
        {
            context.Output.WriteLine($"INVALID: {result.Problems.Count} problem(s)");
            return;
        }

        var anchor = result.Anchors.All(a => a == CheckpointAnchor.Signature)
            ? $"signed by key {fingerprint}"
            : "anchored by the trusted checkpoint(s) supplied" + (result.Anchors.Contains(CheckpointAnchor.Signature) ? $" and key {fingerprint}" : string.Empty);
        context.Output.WriteLine($"valid {result.Type} proof" + (result.LeafIndex is { } leaf
            ? $": entry {leaf} is in the tree of {result.TreeSize} entries {anchor}"
            : $": the tree of {result.TreeSize} entries extends the tree of {result.FirstSize}, both {anchor}"));
    }

    private static string AnchorName(CheckpointAnchor anchor) => anchor switch
    {
        CheckpointAnchor.Signature => "signature",
        CheckpointAnchor.TrustedCheckpoint => "trusted-checkpoint",
        _ => "none",
    };

    private static string ReadTrustedCheckpoint(string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.Usage($"--checkpoint: {path}: no such file");
        }

        var text = File.ReadAllText(path);
        if (!Recorder.Ledger.Checkpoints.CheckpointText.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out _, out var error))
        {
            throw CliException.Usage($"--checkpoint: {path}: not a checkpoint: {error}");
        }

        return text;
    }

    private static Command CheckpointCommand(CommandFactory factory)
    {
        var output = new Option<string>("--out") { Description = "Directory for checkpoint.txt, checkpoint.sig, checkpoint.tsr and tsa.pem", Required = true, HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("checkpoint", "Write the latest signed, time-stamped checkpoint for checking with openssl") { output, json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var journal = CliContext.Journal(store);
            var directory = Path.GetFullPath(context.Parse.GetValue(output)!);
            Directory.CreateDirectory(directory);
            journal.Checkpoint();
            var checkpoint = journal.Ledger.ExportCheckpoint(directory);
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["directory"] = directory,
                    ["size"] = checkpoint.Size,
                    ["rootHash"] = Convert.ToBase64String(checkpoint.RootHash),
                    ["time"] = checkpoint.Time.ToString(),
                    ["files"] = new JsonArray(((string[])["checkpoint.txt", "checkpoint.sig", "checkpoint.tsr", "tsa.pem"])
                        .Where(f => File.Exists(Path.Combine(directory, f))).Select(f => (JsonNode)Path.Combine(directory, f)).ToArray()),
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"wrote {directory}: checkpoint of {checkpoint.Size} entries, root {Convert.ToBase64String(checkpoint.RootHash)}, {checkpoint.Time}");
            context.Output.WriteLine($"  openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in {Path.Combine(directory, "checkpoint.txt")} -sigfile {Path.Combine(directory, "checkpoint.sig")}");
            context.Output.WriteLine($"  openssl ts -verify -data {Path.Combine(directory, "checkpoint.txt")} -in {Path.Combine(directory, "checkpoint.tsr")} -CAfile {Path.Combine(directory, "tsa.pem")}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static T Wrap<T>(Func<T> action, string option)
    {
        try
        {
            return action();
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage($"{option}: {CommandFactory.OneLine(e)}");
        }
        catch (InvalidOperationException e)
        {
            throw CliException.Usage($"{option}: {CommandFactory.OneLine(e)}");
        }
    }

    private static Ed25519Key LoadKey(string path)
    {
        try
        {
            return Ed25519Key.Load(path);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
        {
            throw CliException.Usage($"--key: {path}: {e.Message}");
        }
    }

    private static string OutputPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(Path.GetDirectoryName(full)))
        {
            throw CliException.Usage($"--out: directory {Path.GetDirectoryName(full)} does not exist");
        }

        return full;
    }

    private static Timestamp? Time(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return TimestampParser.TryParse(text, out var value, out var error) ? value : throw CliException.Usage($"{option}: {error}");
    }

    private static string Compact(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
