using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Storage.Query;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder query</c>: writes the packets matching hosts, ports, protocols, a time window and a BPF
/// expression to a capture file, in capture-time order, and prints the count, size and SHA-256.
/// </summary>
internal static class QueryCommand
{
    public static Command Create(CommandFactory factory)
    {
        var hosts = new Option<string[]>("--host") { Description = "Address or CIDR block; source or destination (repeat: OR)", HelpName = "IP|CIDR" };
        var ports = new Option<string[]>("--port") { Description = "Port; source or destination (repeat: OR)", HelpName = "N" };
        var protocols = new Option<string[]>("--proto") { Description = "tcp, udp, icmp, icmp6 or a protocol number (repeat: OR)", HelpName = "PROTO" };
        var from = new Option<string?>("--from") { Description = "Window start (inclusive): RFC 3339 UTC or Unix epoch seconds with a fraction", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Window end (exclusive)", HelpName = "TIME" };
        var bpf = new Option<string?>("--bpf") { Description = "libpcap filter expression applied to the candidates", HelpName = "EXPR" };
        var output = new Option<string>("--out") { Description = "Output capture file", Required = true, HelpName = "FILE" };
        var format = new Option<string?>("--format") { Description = "pcap (one link type only) or pcapng; default: pcap when all packets share a link type", HelpName = "pcap|pcapng" };
        format.AcceptOnlyFromAmong("pcap", "pcapng");
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("query", "Extract matching packets to a capture file")
        {
            hosts, ports, protocols, from, to, bpf, output, format, json,
        };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var parsed = QueryParser.Parse(new QueryText
            {
                Hosts = parse.GetValue(hosts) ?? [],
                Ports = parse.GetValue(ports) ?? [],
                Protocols = parse.GetValue(protocols) ?? [],
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Bpf = parse.GetValue(bpf),
            });
            if (!parsed.Success)
            {
                throw CliException.Usage(string.Join("; ", parsed.Errors.Select(e => e.ToString())));
            }

            var query = parsed.Query!;
            IPacketFilterCompiler? compiler = null;
            if (query.Bpf is not null)
            {
                compiler = CliContext.RequireBpf();
                if (!PcapFilterCompiler.Validate(query.Bpf, out var bpfError))
                {
                    throw CliException.Usage($"--bpf: {bpfError}");
                }
            }

            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (Directory.Exists(outPath))
            {
                throw CliException.Usage($"--out: {outPath} is a directory");
            }

            if (!Directory.Exists(Path.GetDirectoryName(outPath)))
            {
                throw CliException.Usage($"--out: directory {Path.GetDirectoryName(outPath)} does not exist");
            }

            using var store = context.OpenStore(create: false);
            var queryId = Guid.NewGuid().ToString();
            var total = Stopwatch.StartNew();
            var executor = new QueryExecutor(store, compiler);
            using var file = new CaptureFileOutput(outPath, parse.GetValue(format) == "pcapng", store.Options.Application);
            var queryTime = Stopwatch.StartNew();
            var segments = executor.Snapshot(query);
            var run = executor.Execute(query, segments, file, cancellationToken);
            queryTime.Stop();
            var written = file.Complete(segments.Count > 0 ? segments[0].Manifest.LinkType : 1);
            total.Stop();

            if (parse.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["queryId"] = queryId,
                    ["filter"] = query.ToJson(),
                    ["description"] = query.Describe(),
                    ["path"] = written.Path,
                    ["format"] = written.Format == Core.Formats.CaptureFileFormat.Pcap ? "pcap" : "pcapng",
                    ["packets"] = written.Packets,
                    ["bytes"] = written.Bytes,
                    ["sha256"] = written.Sha256,
                    ["linkTypes"] = new JsonArray(written.LinkTypes.Select(l => (JsonNode)l).ToArray()),
                    ["run"] = run.ToJson(),
                    ["queryMilliseconds"] = Math.Round(queryTime.Elapsed.TotalMilliseconds, 3),
                    ["elapsedSeconds"] = Math.Round(total.Elapsed.TotalSeconds, 6),
                };
                context.WriteJson(result);
            }
            else
            {
                context.Output.WriteLine($"{Format.Count(written.Packets)} packets, {Format.Count(written.Bytes)} bytes, sha256 {written.Sha256}");
                context.Output.WriteLine($"  wrote {written.Path} ({(written.Format == Core.Formats.CaptureFileFormat.Pcap ? "pcap, nanosecond" : "pcapng")})");
                context.Output.WriteLine($"  query {queryId}: {query.Describe()}; {run.SegmentsConsidered.Count} segment(s) in the window, " +
                    $"{run.SegmentsFromIndex} via the index, {run.SegmentsScanned} read in full; {Format.Count(run.PacketsExamined)} packets examined " +
                    $"in {queryTime.Elapsed.TotalMilliseconds:0.0} ms");
                if (run.IndexProblem is not null)
                {
                    context.Output.WriteLine($"  note: the index could not be used ({run.IndexProblem}); every segment was read in full. Run recorder index rebuild");
                }

                foreach (var (linkType, message) in run.BpfNotApplicable)
                {
                    context.Output.WriteLine($"  note: the BPF expression does not apply to link type {linkType} ({message}); none of its packets matched");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
