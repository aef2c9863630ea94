using System.CommandLine;
using System.Text.Json.Nodes;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder stats</c>: totals of the store, including what the index costs on disk.</summary>
internal static class StatsCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("stats", "Store totals: segments, packets, data and index bytes") { json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false, ledgerOnDemand: true);
            var segments = store.ListSegments();
            long indexBytes;
            using (var index = store.OpenIndexReader())
            {
                indexBytes = index?.SizeOnDisk() ?? 0;
            }

            var dataBytes = segments.Sum(s => s.Manifest.Bytes);
            var packets = segments.Sum(s => s.Manifest.Packets);
            var openSessions = Directory.Exists(store.Layout.OpenDirectory) ? Directory.GetDirectories(store.Layout.OpenDirectory).Length : 0;
            var stats = new JsonObject
            {
                ["store"] = store.Layout.Root,
                ["storeId"] = store.StoreId,
                ["segments"] = segments.Count,
                ["packets"] = packets,
                ["dataBytes"] = dataBytes,
                ["packetBytes"] = segments.Sum(s => s.Manifest.PacketBytes),
                ["indexBytes"] = indexBytes,
                ["indexRatio"] = dataBytes == 0 ? 0 : Math.Round((double)indexBytes / dataBytes, 6),
                ["firstTimestamp"] = segments.Count == 0 ? null : segments.Min(s => s.Manifest.FirstTimestamp).ToString(),
                ["lastTimestamp"] = segments.Count == 0 ? null : segments.Max(s => s.Manifest.LastTimestamp).ToString(),
                ["openSessions"] = openSessions,
                ["keyFingerprint"] = store.Key.Fingerprint,
                ["ledgerPath"] = Path.Combine(store.Layout.LedgerDirectory, "ledger.jsonl"),
                ["ledgerEntries"] = LedgerEntries(store),
            };
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(stats);
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"store {store.Layout.Root} ({store.StoreId})");
            context.Output.WriteLine($"  {segments.Count} segment(s), {Format.Count(packets)} packets, {Format.Bytes(dataBytes)} of segments");
            context.Output.WriteLine($"  index {Format.Bytes(indexBytes)} ({(dataBytes == 0 ? 0 : 100.0 * indexBytes / dataBytes):0.00}% of segment bytes)");
            context.Output.WriteLine($"  signing key {store.Key.Algorithm} {store.Key.Fingerprint}");
            context.Output.WriteLine($"  ledger {stats["ledgerPath"]}: {stats["ledgerEntries"]?.ToJsonString() ?? "unreadable"} entries");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static long? LedgerEntries(Storage.Store.EvidenceStore store)
    {
        try
        {
            return CliContext.Journal(store).Ledger.Count;
        }
        catch (Ledger.LedgerIntegrityException)
        {
            return null;
        }
    }
}
