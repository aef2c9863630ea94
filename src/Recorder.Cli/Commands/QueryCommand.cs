using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Application.Auditing;
using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Core.Text;
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
        var format = new Option<string?>("--format") { Description = "pcap (one link type only: exit 2 naming the link types when the answer holds more) or pcapng; default: pcap when all packets share a link type, else pcapng", HelpName = "pcap|pcapng" };
        format.AcceptOnlyFromAmong("pcap", "pcapng");
        var force = new Option<bool>("--force")
        {
            Description = "Replace a file already at --out, provided no ledger entry names it (a recorded extraction is never replaced)",
        };
        var noSecrets = new Option<bool>("--no-secrets")
        {
            Description = "Do not write the secrets of stored TLS key logs (recorder keylog import) into the output; by default a pcapng output carries those of the TLS connections whose ClientHello it holds",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var caseOption = new Option<string>("--case") { Description = "The case this extraction is for (recorded in the ledger)", Required = true, HelpName = "ID" };
        var reason = new Option<string>("--reason") { Description = "Why the packets are extracted (recorded in the ledger)", Required = true, HelpName = "TEXT" };
        var command = new Command("query", "Extract matching packets to a capture file (an audited extraction: --case and --reason are required)")
        {
            hosts, ports, protocols, from, to, bpf, output, format, force, noSecrets, caseOption, reason, json,
        };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var caseId = CheckText(parse.GetValue(caseOption), "--case", 200);
            var why = CheckText(parse.GetValue(reason), "--reason", 4000);
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            var text = new QueryText
            {
                Hosts = parse.GetValue(hosts) ?? [],
                Ports = parse.GetValue(ports) ?? [],
                Protocols = parse.GetValue(protocols) ?? [],
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Bpf = parse.GetValue(bpf),
            };
            using var store = context.OpenStore(create: false);
            var queryId = Guid.NewGuid().ToString();
            var replace = parse.GetValue(force);
            var problem = Validate(text, outPath, out var query, out var compiler) ?? CheckOutputFree(store, outPath, replace);
            if (problem is not null)
            {
                // A refused extraction is an attempt on evidence: it is recorded too.
                store.Record(LedgerActions.QueryRefused, new JsonObject { ["queryId"] = queryId }, new Dictionary<string, string>(),
                    new JsonObject { ["arguments"] = TextJson(text), ["output"] = outPath, ["error"] = problem }, caseId, why);
                throw CliException.Usage(problem);
            }

            var formatChoice = parse.GetValue(format) switch
            {
                "pcap" => OutputFormatChoice.Pcap,
                "pcapng" => OutputFormatChoice.Pcapng,
                _ => OutputFormatChoice.Automatic,
            };
            ExtractionResult extraction;
            try
            {
                extraction = AuditedExtraction.Run(store, compiler, query!, outPath, formatChoice, caseId, why, queryId, cancellationToken,
                    replaceExisting: replace, withSecrets: !parse.GetValue(noSecrets));
            }
            catch (OutputFormatException e)
            {
                // Recorded as query.failed by the extraction; for the user it is a bad combination of
                // arguments (--format pcap for an answer pcap cannot hold).
                throw CliException.Usage("--format pcap: " + e.Message);
            }

            var (written, run, checkpoint) = (extraction.Output, extraction.Run, extraction.Checkpoint);
            var (submittedSeq, extractionSeq, queryTime, total) = (extraction.SubmittedSeq, extraction.ExtractionSeq, extraction.QueryTime, extraction.Total);

            if (parse.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["queryId"] = queryId,
                    ["case"] = caseId,
                    ["reason"] = why,
                    ["filter"] = query!.ToJson(),
                    ["description"] = query.Describe(),
                    ["path"] = written.Path,
                    ["format"] = written.Format == Core.Formats.CaptureFileFormat.Pcap ? "pcap" : "pcapng",
                    ["matched"] = written.Packets > 0,
                    ["packets"] = written.Packets,
                    ["bytes"] = written.Bytes,
                    ["sha256"] = written.Sha256,
                    ["linkTypes"] = new JsonArray(written.LinkTypes.Select(l => (JsonNode)l).ToArray()),
                    ["partial"] = run.Partial,
                    ["segmentsLeftOut"] = SegmentLeftOut.ToJson(run.SegmentsLeftOut),
                    ["run"] = run.ToJson(),
                    ["secrets"] = extraction.Secrets.ToJson(),
                    ["ledger"] = new JsonObject
                    {
                        ["submittedSeq"] = submittedSeq,
                        ["extractionSeq"] = extractionSeq,
                        ["checkpointSize"] = checkpoint.Size,
                        ["checkpointRoot"] = Convert.ToBase64String(checkpoint.RootHash),
                        ["checkpointTime"] = checkpoint.Time.ToString(),
                    },
                    ["queryMilliseconds"] = Math.Round((run.LookupTime + run.ReadTime).TotalMilliseconds, 3),
                    ["queryWithIndexOpenMilliseconds"] = Math.Round(queryTime.TotalMilliseconds, 3),
                    ["elapsedSeconds"] = Math.Round(total.TotalSeconds, 6),
                };
                context.WriteJson(result);
            }
            else
            {
                if (written.Packets == 0)
                {
                    // Still an audited extraction (an empty capture file, hashed and ledgered): exit 0, but said plainly.
                    context.Output.WriteLine(run.Partial
                        ? "no packets matched in the segments that could be read (the answer is partial: see below)"
                        : "no packets matched the query");
                }

                context.Output.WriteLine($"{Format.Count(written.Packets)} packets, {Format.Count(written.Bytes)} bytes, sha256 {written.Sha256}");
                context.Output.WriteLine($"  wrote {written.Path} ({(written.Format == Core.Formats.CaptureFileFormat.Pcap ? "pcap, nanosecond" : "pcapng")})");
                context.Output.WriteLine($"  query {queryId} for case {caseId}: {query!.Describe()}; {run.SegmentsConsidered.Count} segment(s) in the window, " +
                    $"{run.SegmentsFromIndex} via the index, {run.SegmentsScanned} read in full; {Format.Count(run.PacketsExamined)} packets examined " +
                    $"in {(run.LookupTime + run.ReadTime).TotalMilliseconds:0.0} ms (index lookup {run.LookupTime.TotalMilliseconds:0.0} ms, packets {run.ReadTime.TotalMilliseconds:0.0} ms; opening the index {run.IndexOpenTime.TotalMilliseconds:0.0} ms)");
                context.Output.WriteLine("  " + extraction.Secrets.Describe());
                context.Output.WriteLine($"  ledger: entries {submittedSeq} and {extractionSeq}; checkpoint of {checkpoint.Size} entries, time-stamped {checkpoint.Time}");
                if (run.IndexProblem is not null)
                {
                    context.Output.WriteLine($"  note: the index could not be used ({run.IndexProblem}); every segment was read in full. Run recorder index rebuild");
                }

                foreach (var (linkType, message) in run.BpfNotApplicable)
                {
                    context.Output.WriteLine($"  note: the BPF expression does not apply to link type {linkType} ({message}); none of its packets matched");
                }

                foreach (var leftOut in run.SegmentsLeftOut)
                {
                    context.Output.WriteLine($"  PARTIAL: left out {leftOut}");
                }
            }

            // The packets that could be read are kept (ledgered with their hash, as partial): an examiner
            // may need them, but the exit code and stderr make sure nobody takes them for the whole answer.
            return extraction.Partial ? throw new CliException(ExitCodes.Problem, PartialExtraction.Message(written.Path, run.SegmentsLeftOut)) : ExitCodes.Ok;
        });
        return command;
    }

    private static string? Validate(QueryText text, string outPath, out PacketQuery? query, out IPacketFilterCompiler? compiler)
    {
        query = null;
        compiler = null;
        var parsed = QueryParser.Parse(text);
        if (!parsed.Success)
        {
            return string.Join("; ", parsed.Errors.Select(e => e.ToString()));
        }

        query = parsed.Query!;
        if (query.Bpf is not null)
        {
            if (!PcapFilterCompiler.IsAvailable(out var missing))
            {
                return "--bpf: " + missing;
            }

            if (!PcapFilterCompiler.Validate(query.Bpf, out var bpfError))
            {
                return $"--bpf: {bpfError}";
            }

            compiler = new PcapFilterCompiler();
        }

        if (Directory.Exists(outPath))
        {
            return $"--out: {outPath} is a directory";
        }

        if (!Directory.Exists(Path.GetDirectoryName(outPath)))
        {
            return $"--out: directory {Path.GetDirectoryName(outPath)} does not exist";
        }

        return null;
    }

    /// <summary>
    /// An extraction never writes over a file by accident: an existing --out needs --force, and even
    /// then a file that a ledger entry names (an earlier extraction, a package) stays, or that entry's
    /// hash could never be verified again.
    /// </summary>
    private static string? CheckOutputFree(Storage.Store.EvidenceStore store, string outPath, bool force)
    {
        if (!File.Exists(outPath))
        {
            return null;
        }

        if (!force)
        {
            return $"--out: {outPath} already exists; an extraction never writes over a file (choose another name, or --force to replace a file no ledger entry names)";
        }

        return LedgerReferences.EntryNaming(store, outPath) is { } entry
            ? $"--out: {outPath} is evidence named by ledger entry {entry.Seq} ({entry.Action}); it is never replaced, even with --force"
            : null;
    }

    /// <summary>Checks a --case/--reason text: not empty, not too long, no control or bidirectional characters.</summary>
    internal static string CheckText(string? value, string option, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw CliException.Usage($"{option}: must not be empty");
        }

        if (value.Length > maxLength)
        {
            throw CliException.Usage($"{option}: at most {maxLength} characters");
        }

        if (UserText.Problem(value) is { } unsafeText)
        {
            throw CliException.Usage($"{option}: {unsafeText}: no control characters or bidirectional overrides");
        }

        return value.Trim();
    }

    private static JsonObject TextJson(QueryText text) => new()
    {
        ["hosts"] = new JsonArray(text.Hosts.Select(h => (JsonNode?)h).ToArray()),
        ["ports"] = new JsonArray(text.Ports.Select(p => (JsonNode?)p).ToArray()),
        ["protocols"] = new JsonArray(text.Protocols.Select(p => (JsonNode?)p).ToArray()),
        ["from"] = text.From,
        ["to"] = text.To,
        ["bpf"] = text.Bpf,
    };
}
