using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Storage.Import;
using Recorder.Storage.Store;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder import FILE...</c>: stores every packet of pcap and pcapng files, all or nothing.</summary>
internal static class ImportCommand
{
    public static Command Create(CommandFactory factory)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "pcap or pcapng files to import" };
        var acceptTruncated = new Option<bool>("--accept-truncated")
        {
            Description = "Keep the complete records of a file whose last record is cut off, and record exactly what was cut",
        };
        var allowDuplicate = new Option<bool>("--allow-duplicate")
        {
            Description = "Import a file whose SHA-256 the store already holds (its packets are then stored twice; recorded in the ledger)",
        };
        var buildSessions = new Option<bool>("--sessions")
        {
            Description = "Also build the segments' session metadata, after sealing, before exiting (about the import's time again; otherwise `recorder sessions index` builds it later)",
        };
        var noSessions = new Option<bool>("--no-sessions")
        {
            Description = "Do not build session metadata (the default; kept for scripts)",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("import", "Import capture files into the store (all files or nothing; a file already imported is refused)")
        {
            files, acceptTruncated, allowDuplicate, buildSessions, noSessions, json,
        };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var paths = context.Parse.GetValue(files)!;
            foreach (var path in paths)
            {
                if (Directory.Exists(path))
                {
                    throw CliException.Usage($"{path}: is a directory, not a capture file");
                }

                if (!File.Exists(path))
                {
                    throw CliException.Usage($"{path}: no such file");
                }
            }

            using var store = context.OpenStore(create: true);
            var totalBytes = paths.Sum(p => new FileInfo(CaptureImporter.ResolveInput(p)).Length);
            if (context.Parse.GetValue(buildSessions) && context.Parse.GetValue(noSessions))
            {
                throw CliException.Usage("--sessions and --no-sessions: give one of them");
            }

            var options = new ImportOptions
            {
                AcceptTruncated = context.Parse.GetValue(acceptTruncated),
                AllowDuplicate = context.Parse.GetValue(allowDuplicate),
                BuildSessions = context.Parse.GetValue(buildSessions) && !context.Parse.GetValue(noSessions),
            };
            var result = ProgressReporter.Run("importing", totalBytes, update =>
            {
                long done = 0;
                string? current = null;
                long currentBytes = 0;
                var progress = new SynchronousProgress<ImportProgress>(p =>
                {
                    if (p.File != current)
                    {
                        done += currentBytes;
                        current = p.File;
                    }

                    currentBytes = p.BytesRead;
                    update(done + p.BytesRead, $"importing {Path.GetFileName(p.File)}");
                });
                try
                {
                    return new CaptureImporter(store).Import(paths, options, progress, cancellationToken);
                }
                catch (DuplicateCaptureException e)
                {
                    // Unusable input, like a malformed file: exit 2, and the refusal is already in the ledger.
                    throw CliException.Usage(e.Message);
                }
            });

            var exitCode = CatchUpIndex(store, result, context);
            foreach (var failed in result.Sessions.Where(s => s.Error is not null))
            {
                // The segment is stored and recorded; only its session metadata is missing.
                context.Error.WriteLine($"recorder import: session metadata of segment {failed.SegmentId} not built ({failed.Error}); " +
                    "run `recorder sessions index`");
                exitCode = ExitCodes.Problem;
            }

            if (context.Parse.GetValue(json))
            {
                context.WriteJson(ToJson(result, context));
                return exitCode;
            }

            context.Output.WriteLine($"imported {Format.Count(result.Packets)} packets from {result.Files.Count} file(s) " +
                $"({Format.Bytes(result.InputBytes)}) into {result.Segments.Count} segment(s) in {Format.Seconds(result.Elapsed)} " +
                $"({Format.Rate(result.InputBytes, result.Elapsed)}); import {result.ImportId}");
            foreach (var file in result.Files)
            {
                context.Output.WriteLine($"  {file.Source.Name}: {file.Source.Format}, {Format.Bytes(file.Source.Bytes ?? 0)}, " +
                    $"{Format.Count(file.Packets)} packets, sha256 {file.Source.Sha256}");
                if (file.Source.Truncation is { } cut)
                {
                    context.Output.WriteLine($"    truncated: the record at offset {cut.Offset} announced {cut.ExpectedBytes} bytes, " +
                        $"only {cut.AvailableBytes} were present; it was not stored");
                }

                foreach (var (type, count) in file.SkippedBlocks)
                {
                    context.Output.WriteLine($"    not stored: {count} pcapng block(s) of type 0x{type:x8} (not packets)");
                }

                if (file.PacketsWithOptions > 0)
                {
                    context.Output.WriteLine($"    not stored: the pcapng options (comments, flags) of {file.PacketsWithOptions} packet(s)");
                }
            }

            foreach (var segment in result.Segments)
            {
                context.Output.WriteLine($"  segment {segment.Id}: {Format.Count(segment.Manifest.Packets)} packets, " +
                    $"{Format.Bytes(segment.Manifest.Bytes)}, sha256 {segment.Manifest.Sha256}");
            }

            foreach (var built in result.Sessions.Where(s => s.Error is null))
            {
                context.Output.WriteLine($"  sessions of segment {built.SegmentId}: {Format.Count(built.Sessions)} in {built.Path}, " +
                    $"searchable {Format.Seconds(built.SealedToSearchable)} after sealing (built in {Format.Seconds(built.BuildTime)})");
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>
    /// Segments sealed but not indexed are stored (they are the evidence) but not findable by the
    /// index: one more attempt catches the index up; if that fails too the import exits 1, never 0
    /// with a warning nobody reads.
    /// </summary>
    private static int CatchUpIndex(EvidenceStore store, ImportResult result, CliContext context)
    {
        if (result.IndexProblems.Count == 0)
        {
            return ExitCodes.Ok;
        }

        try
        {
            var update = store.UpdateIndex([]);
            context.Error.WriteLine($"recorder import: the index missed segment(s) {string.Join(", ", update.CaughtUp)} ({result.IndexProblems[0]}); caught up");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Error.WriteLine($"recorder import: {string.Join("; ", result.IndexProblems)}; catching the index up failed too " +
                $"({e.GetType().Name}: {e.Message}); the segments are sealed and recorded, run `recorder index rebuild`");
            return ExitCodes.Problem;
        }
    }

    private static JsonObject ToJson(ImportResult result, CliContext context)
    {
        var files = new JsonArray();
        foreach (var file in result.Files)
        {
            var json = file.Source.ToJson();
            json["packets"] = file.Packets;
            json["packetBytes"] = file.PacketBytes;
            json["linkTypes"] = new JsonArray(file.LinkTypes.Select(l => (JsonNode)l).ToArray());
            json["interfaces"] = file.Interfaces;
            json["skippedBlocks"] = new JsonObject(file.SkippedBlocks.Select(p =>
                new KeyValuePair<string, JsonNode?>("0x" + p.Key.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), p.Value)));
            json["packetsWithOptionsNotKept"] = file.PacketsWithOptions;
            files.Add((JsonNode)json);
        }

        return new JsonObject
        {
            ["importId"] = result.ImportId,
            ["store"] = context.StorePath,
            ["packets"] = result.Packets,
            ["inputBytes"] = result.InputBytes,
            ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 6),
            ["phaseSeconds"] = new JsonObject(result.Phases.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, Math.Round(p.Value.TotalSeconds, 3)))),
            ["files"] = files,
            ["segments"] = new JsonArray(result.Segments.Select(s => (JsonNode)SegmentsCommand.ToJson(s)).ToArray()),
            ["sessions"] = new JsonArray(result.Sessions.Select(s => (JsonNode)new JsonObject
            {
                ["segmentId"] = s.SegmentId,
                ["sessions"] = s.Sessions,
                ["path"] = s.Path,
                ["sha256"] = s.Sha256,
                ["buildSeconds"] = Math.Round(s.BuildTime.TotalSeconds, 3),
                ["searchableSecondsAfterSeal"] = Math.Round(s.SealedToSearchable.TotalSeconds, 3),
                ["error"] = s.Error,
            }).ToArray()),
        };
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (no synchronization context hop).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
