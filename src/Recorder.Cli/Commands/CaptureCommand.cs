using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Capture.Filtering;
using Recorder.Capture.Live;
using Recorder.Storage.Recording;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder capture --interface IF</c>: records live traffic (full snap length, nanosecond
/// timestamps) until a limit or Ctrl-C, then seals and reports every drop counter.
/// </summary>
internal static class CaptureCommand
{
    public static Command Create(CommandFactory factory)
    {
        var interfaceOption = new Option<string>("--interface", "-i") { Description = "Interface to capture on", Required = true, HelpName = "IF" };
        var filter = new Option<string?>("--filter") { Description = "libpcap filter applied in the kernel", HelpName = "BPF" };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds", HelpName = "SECONDS" };
        var packets = new Option<long?>("--packets") { Description = "Stop after storing this many packets", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var buildSessions = new Option<bool>("--sessions")
        {
            Description = "Build each segment's session metadata as it seals, on another thread (`recorder sessions index` builds it later otherwise)",
        };
        var command = new Command("capture", "Record live traffic into the store") { interfaceOption, filter, duration, packets, buildSessions, json };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var seconds = context.Parse.GetValue(duration);
            if (seconds is <= 0 or > 31_536_000)
            {
                throw CliException.Usage($"--duration: {seconds} is not a number of seconds between 0 and one year");
            }

            var limit = context.Parse.GetValue(packets);
            if (limit is <= 0)
            {
                throw CliException.Usage($"--packets: {limit} is not a positive count");
            }

            if (!PcapFilterCompiler.IsAvailable(out var libpcapError))
            {
                throw CliException.Usage(libpcapError);
            }

            var filterText = context.Parse.GetValue(filter);
            if (filterText is not null && !PcapFilterCompiler.Validate(filterText, out var filterError))
            {
                throw CliException.Usage($"--filter: {filterError}");
            }

            using var store = context.OpenStore(create: true);
            LivePcapSource source;
            try
            {
                source = LivePcapSource.Open(new LiveCaptureOptions { Interface = context.Parse.GetValue(interfaceOption)!, Filter = filterText });
            }
            catch (ArgumentException e)
            {
                throw CliException.Usage(e.Message);
            }
            catch (SharpPcap.PcapException e)
            {
                throw CliException.Usage($"--interface: {e.Message} (live capture needs root or CAP_NET_RAW and CAP_NET_ADMIN)");
            }

            using (source)
            {
                source.Start();
                context.Error.WriteLine($"recorder capture: recording on {source.Interface.Name} (link type {source.Interface.LinkType}); Ctrl-C stops and seals");
                var result = new LiveRecorder(store).Run(source.Interface, source.Frames, source.Stop, new LiveRecordingOptions
                {
                    Filter = filterText,
                    MaxPackets = limit,
                    Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    BuildSessions = context.Parse.GetValue(buildSessions),
                }, cancellationToken);
                if (context.Parse.GetValue(json))
                {
                    context.WriteJson(new JsonObject
                    {
                        ["captureId"] = result.CaptureId,
                        ["interface"] = source.Interface.Name,
                        ["filter"] = filterText,
                        ["packets"] = result.Packets,
                        ["packetBytes"] = result.PacketBytes,
                        ["statistics"] = result.StatisticsJson(),
                        ["stopReason"] = result.StopReason,
                        ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
                        ["segments"] = new JsonArray(result.Segments.Select(s => (JsonNode)SegmentsCommand.ToJson(s)).ToArray()),
                        ["sessions"] = new JsonArray(result.Sessions.Select(s => (JsonNode)new JsonObject
                        {
                            ["segmentId"] = s.SegmentId,
                            ["sessions"] = s.Sessions,
                            ["sha256"] = s.Sha256,
                            ["searchableSecondsAfterSeal"] = Math.Round(s.SealedToSearchable.TotalSeconds, 3),
                            ["error"] = s.Error,
                        }).ToArray()),
                    });
                }
                else
                {
                    var stats = result.Statistics;
                    context.Output.WriteLine($"captured {Format.Count(result.Packets)} packets ({Format.Bytes(result.PacketBytes)}) on {source.Interface.Name} " +
                        $"in {Format.Seconds(result.Elapsed)} ({result.StopReason}) into {result.Segments.Count} segment(s); capture {result.CaptureId}");
                    context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  drops: kernel {stats.KernelDropped}, interface {stats.InterfaceDropped}, recorder {stats.RecorderDropped}; " +
                        $"libpcap received {stats.Received}; captured after the packet limit and not stored: {result.NotStoredAfterLimit}"));
                    foreach (var built in result.Sessions)
                    {
                        context.Output.WriteLine(built.Error is null
                            ? $"  sessions of segment {built.SegmentId}: {Format.Count(built.Sessions)}, searchable {Format.Seconds(built.SealedToSearchable)} after sealing"
                            : $"  sessions of segment {built.SegmentId}: not built ({built.Error}); run `recorder sessions index`");
                    }
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
