using System.CommandLine;
using Recorder.Core.Store;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder key export --out FILE</c>: the store's public signing key as PEM.</summary>
internal static class KeyCommand
{
    public static Command Create(CommandFactory factory)
    {
        var output = new Option<string>("--out") { Description = "Where to write the public key (PEM, SubjectPublicKeyInfo)", Required = true, HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var export = new Command("export", "Write the store's public signing key as PEM") { output, json };
        factory.SetAction(export, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var path = Path.GetFullPath(context.Parse.GetValue(output)!);
            if (!Directory.Exists(Path.GetDirectoryName(path)))
            {
                throw CliException.Usage($"--out: directory {Path.GetDirectoryName(path)} does not exist");
            }

            File.WriteAllText(path, store.Key.PublicKeyPem());
            store.Record(LedgerActions.KeyExported, new System.Text.Json.Nodes.JsonObject { ["keyFingerprint"] = store.Key.Fingerprint },
                new Dictionary<string, string> { ["publicKey"] = store.Key.Fingerprint },
                new System.Text.Json.Nodes.JsonObject { ["path"] = path, ["part"] = "public" });
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new System.Text.Json.Nodes.JsonObject
                {
                    ["path"] = path,
                    ["algorithm"] = store.Key.Algorithm,
                    ["fingerprint"] = store.Key.Fingerprint,
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"wrote {path}: {store.Key.Algorithm} public key, fingerprint (SHA-256 of the DER) {store.Key.Fingerprint}");
            return ExitCodes.Ok;
        });
        return new Command("key", "The store's signing key") { export };
    }
}
