using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Core.Store;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder index rebuild</c>: rebuilds the index from the segments alone.</summary>
internal static class IndexCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var rebuild = new Command("rebuild", "Rebuild the index from the sealed segments alone") { json };
        factory.SetAction(rebuild, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var stopwatch = Stopwatch.StartNew();
            var update = store.RebuildIndex();
            long size;
            using (var index = store.OpenIndexReader())
            {
                size = index?.SizeOnDisk() ?? 0;
            }

            store.Record(LedgerActions.IndexRebuilt, new JsonObject { ["segmentIds"] = new JsonArray(update.Added.Select(i => (JsonNode)i).ToArray()) },
                new Dictionary<string, string>(), new JsonObject { ["indexBytes"] = size, ["elapsedSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3) });
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["segments"] = update.Added.Count,
                    ["segmentIds"] = new JsonArray(update.Added.Select(i => (JsonNode)i).ToArray()),
                    ["indexBytes"] = size,
                    ["elapsedSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"rebuilt the index from {update.Added.Count} segment(s) in {Format.Seconds(stopwatch.Elapsed)}; {Format.Bytes(size)} on disk");
            return ExitCodes.Ok;
        });
        return new Command("index", "The packet index") { rebuild };
    }
}
