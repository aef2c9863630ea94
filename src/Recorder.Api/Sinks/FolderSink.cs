using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Policies;

namespace Recorder.Api.Sinks;

/// <summary>
/// Drops each chunk, as soon as it is written, into <c>DIRECTORY/QUERYID/</c> for a tool watching
/// the folder: copied under a <c>.partial</c> name and renamed, so a watcher only ever sees whole
/// files (<c>chunk-000001.pcap</c>, ...). When the query has ended, <c>complete.json</c> lists the
/// chunks with their SHA-256. The artifact <c>SINK/deliveries.jsonl</c> records each file dropped.
/// </summary>
internal sealed class FolderSink(SinkDefinition definition, SinkContext context) : SinkRunner(definition, context)
{
    private int _delivered;

    protected override string Delivered() => string.Create(CultureInfo.InvariantCulture, $"{Volatile.Read(ref _delivered)} chunk(s) dropped");

    protected override async Task<SinkOutcome> RunCoreAsync(CancellationToken stop)
    {
        var root = Path.IsPathRooted(Definition.Directory!) ? Definition.Directory! : Path.Combine(Context.StoreRoot, Definition.Directory!);

        // The query id is a validated GUID: the only user-facing value that reaches this path.
        var target = Path.Combine(Path.GetFullPath(root), Context.Feed.QueryId);
        Directory.CreateDirectory(target);
        var log = new StreamWriter(Path.Combine(Context.ArtifactsDirectory, "deliveries.jsonl"), append: false, new UTF8Encoding(false));
        await using (log.ConfigureAwait(false))
        {
            var dropped = new JsonArray();
            for (var index = 0; ; index++)
            {
                var chunk = await NextChunkAsync(index, stop).ConfigureAwait(false);
                if (chunk is null)
                {
                    break;
                }

                var name = "chunk-" + chunk.File;
                var destination = Path.Combine(target, name);
                var partial = destination + ".partial";
                var source = new FileStream(Path.Combine(Context.Feed.ChunksDirectory, chunk.File), FileMode.Open, FileAccess.Read, FileShare.Read);
                await using (source.ConfigureAwait(false))
                {
                    var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None);
                    await using (output.ConfigureAwait(false))
                    {
                        await source.CopyToAsync(output, stop).ConfigureAwait(false);
                        output.Flush(flushToDisk: true);
                    }
                }

                File.Move(partial, destination, overwrite: true);
                Interlocked.Increment(ref _delivered);
                var entry = new JsonObject { ["chunk"] = chunk.Number, ["file"] = destination, ["bytes"] = chunk.Bytes, ["sha256"] = chunk.Sha256 };
                dropped.Add(entry.DeepClone());
                await log.WriteLineAsync(entry.ToJsonString()).ConfigureAwait(false);
                await log.FlushAsync(stop).ConfigureAwait(false);
            }

            var complete = new JsonObject
            {
                ["queryId"] = Context.Feed.QueryId,
                ["state"] = Context.Feed.FinalState?.ToString().ToLowerInvariant(),
                ["format"] = Context.Feed.Format,
                ["packets"] = Context.Feed.Result?.Packets,
                ["resultSha256"] = Context.Feed.Result?.Sha256,
                ["partial"] = Context.Feed.Result?.Partial,
                ["chunks"] = dropped,
            };
            var completePath = Path.Combine(target, "complete.json");
            await File.WriteAllTextAsync(completePath + ".partial", complete.ToJsonString(), stop).ConfigureAwait(false);
            File.Move(completePath + ".partial", completePath, overwrite: true);
            return new SinkOutcome(true, null, Delivered());
        }
    }
}
