using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Application.Auditing;
using Recorder.Application.Sessions;
using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Core.Text;
using Recorder.Storage.Query;
using Recorder.Storage.Sessions;

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
        var sessions = new Option<string[]>("--session")
        {
            Description = "Extract exactly this session's packets, whole even across segments (SEGMENT:ID as `recorder sessions` prints; repeat: OR)",
            HelpName = "SEGMENT:ID",
        };
        var sessionsOf = new Option<string[]>("--sessions-of")
        {
            Description = "Extract the sessions a metadata search finds (the search is ledgered too): FIELD=VALUE with the fields of " +
                "`recorder sessions` (sni, domain, url, host-header, user-agent, ja3, ja4, cert-sha256, file-sha256, app, host, port, proto, from, to); repeat: AND",
            HelpName = "FIELD=VALUE",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var caseOption = new Option<string>("--case") { Description = "The case this extraction is for (recorded in the ledger)", Required = true, HelpName = "ID" };
        var reason = new Option<string>("--reason") { Description = "Why the packets are extracted (recorded in the ledger)", Required = true, HelpName = "TEXT" };
        var command = new Command("query", "Extract matching packets to a capture file (an audited extraction: --case and --reason are required)")
        {
            hosts, ports, protocols, from, to, bpf, sessions, sessionsOf, output, format, force, noSecrets, caseOption, reason, json,
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
            var sessionRefs = parse.GetValue(sessions) ?? [];
            var searchTerms = parse.GetValue(sessionsOf) ?? [];
            SessionChoice? chosen = null;
            if (problem is null && (sessionRefs.Length > 0 || searchTerms.Length > 0))
            {
                (chosen, problem) = ChooseSessions(store, text, sessionRefs, searchTerms, caseId, why, cancellationToken);
                query = chosen is null ? query : PacketQuery.ForConversations(chosen.Conversations, query!.From, query.To, query.Bpf);
            }

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
                    ["sessions"] = chosen?.ToJson(),
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
                if (chosen is not null)
                {
                    context.Output.WriteLine($"  sessions: {chosen.Describe()}");
                }

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

    /// <summary>The sessions a query extracts, and how they were chosen.</summary>
    private sealed record SessionChoice(IReadOnlyList<ConversationWindow> Conversations, IReadOnlyList<string> Named, string? SearchId, long? SearchSeq,
        string? AnswerSha256, int SearchMatches, JsonObject? SearchFilter)
    {
        public JsonObject ToJson() => new()
        {
            ["named"] = new JsonArray(Named.Select(n => (JsonNode)n).ToArray()),
            ["search"] = SearchId is null ? null : new JsonObject
            {
                ["searchId"] = SearchId,
                ["filter"] = SearchFilter!.DeepClone(),
                ["matches"] = SearchMatches,
                ["answerSha256"] = AnswerSha256,
                ["ledgerSeq"] = SearchSeq,
            },
            ["records"] = new JsonArray(Conversations.Select(c => (JsonNode)c.Label).ToArray()),
        };

        public string Describe() =>
            (SearchId is null ? string.Empty : $"search {SearchId} (ledger entry {SearchSeq}) found {SearchMatches}; ") +
            (Named.Count == 0 ? string.Empty : $"named {string.Join(", ", Named)}; ") +
            $"{Conversations.Count} session record(s) extracted whole (continuations across segments followed): {string.Join(", ", Conversations.Take(8).Select(c => c.Label))}" +
            (Conversations.Count > 8 ? ", …" : string.Empty);
    }

    /// <summary>
    /// Resolves <c>--session</c> and <c>--sessions-of</c> into conversations; returns the problem that
    /// refuses the query instead (nothing matched, a segment in the window without metadata, a bad term).
    /// </summary>
    private static (SessionChoice? Choice, string? Problem) ChooseSessions(Storage.Store.EvidenceStore store, QueryText text, string[] references,
        string[] terms, string caseId, string why, CancellationToken cancellationToken)
    {
        if (text.Hosts.Count > 0 || text.Ports.Count > 0 || text.Protocols.Count > 0)
        {
            return (null, "--host, --port and --proto cannot be combined with --session or --sessions-of (give them as --sessions-of host=…, port=…, proto=…)");
        }

        var named = new List<SessionReference>();
        foreach (var reference in references)
        {
            if (SessionReference.Parse(reference) is not { } parsed)
            {
                return (null, $"--session: '{reference}' is not SEGMENT:ID (two whole numbers, as `recorder sessions` prints them)");
            }

            named.Add(parsed);
        }

        Sessions.Search.SessionFilter? filter = null;
        if (terms.Length > 0)
        {
            var (arguments, termProblem) = SearchArguments(terms);
            if (termProblem is not null)
            {
                return (null, "--sessions-of: " + termProblem);
            }

            (filter, var error) = Sessions.Search.SessionFilter.Parse(arguments!);
            if (filter is null)
            {
                return (null, $"--sessions-of {error!.Option.TrimStart('-')}: {error.Message}");
            }
        }

        var (chosen, problem) = SessionConversations.Choose(store, named, filter, caseId, why, store.Record, cancellationToken);
        if (problem is not null)
        {
            return (null, (problem.FromSearch ? "--sessions-of: " : "--session: ") + problem.Message);
        }

        var search = chosen!.Search;
        return (new SessionChoice(chosen.Conversations, named.Select(n => n.ToString()).ToList(), search?.SearchId, search?.Seq, search?.Result.AnswerSha256,
            search?.Result.Matches.Count ?? 0, search?.Filter), null);
    }

    private static readonly string[] SearchFields =
        ["sni", "domain", "url", "host-header", "user-agent", "ja3", "ja4", "cert-sha256", "file-sha256", "app", "host", "port", "proto", "from", "to"];

    private static (Sessions.Search.SessionFilterArguments? Arguments, string? Problem) SearchArguments(string[] terms)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            var equals = term.IndexOf('=', StringComparison.Ordinal);
            var field = equals > 0 ? term[..equals].Trim().TrimStart('-') : string.Empty;
            if (equals <= 0 || !SearchFields.Contains(field))
            {
                return (null, $"'{term}' is not FIELD=VALUE with FIELD one of {string.Join(", ", SearchFields)}");
            }

            if (!values.TryAdd(field, term[(equals + 1)..]))
            {
                return (null, $"{field} given twice");
            }
        }

        string? Get(string name) => values.GetValueOrDefault(name);
        return (new Sessions.Search.SessionFilterArguments
        {
            Sni = Get("sni"), Domain = Get("domain"), Url = Get("url"), HostHeader = Get("host-header"), UserAgent = Get("user-agent"),
            Ja3 = Get("ja3"), Ja4 = Get("ja4"), CertSha256 = Get("cert-sha256"), FileSha256 = Get("file-sha256"), App = Get("app"),
            Host = Get("host"), Port = Get("port"), Proto = Get("proto"), From = Get("from"), To = Get("to"),
        }, null);
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
