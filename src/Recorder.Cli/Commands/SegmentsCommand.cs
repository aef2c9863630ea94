using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Storage.Segments;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder segments</c>: the sealed segments and their manifests' key facts.</summary>
internal static class SegmentsCommand
{
    public static Command Create(CommandFactory factory)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output (an array)" };
        var command = new Command("segments", "List sealed segments") { json };
        factory.SetAction(command, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var segments = store.ListSegments();
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonArray(segments.Select(s => (JsonNode)ToJson(s)).ToArray()));
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"{"id",6}  {"packets",12}  {"bytes",10}  {"first",-30}  {"last",-30}  sha256");
            foreach (var segment in segments)
            {
                var m = segment.Manifest;
                context.Output.WriteLine($"{m.SegmentId,6}  {Format.Count(m.Packets),12}  {Format.Bytes(m.Bytes),10}  {m.FirstTimestamp,-30}  {m.LastTimestamp,-30}  {m.Sha256}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static JsonObject ToJson(SealedSegment segment)
    {
        var m = segment.Manifest;
        return new JsonObject
        {
            ["id"] = m.SegmentId,
            ["path"] = segment.Path,
            ["manifestPath"] = segment.ManifestPath,
            ["signaturePath"] = segment.SignaturePath,
            ["sha256"] = m.Sha256,
            ["manifestSha256"] = segment.ManifestSha256,
            ["packets"] = m.Packets,
            ["bytes"] = m.Bytes,
            ["packetBytes"] = m.PacketBytes,
            ["linkType"] = m.LinkType,
            ["firstTimestamp"] = m.FirstTimestamp.ToString(),
            ["lastTimestamp"] = m.LastTimestamp.ToString(),
            ["sealedAt"] = m.SealedAt.ToString(),
            ["sealReason"] = m.SealReason,
            ["origin"] = m.Origin.DeepClone(),
        };
    }
}
