using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.Application.Sessions;
using Recorder.Core.Text;
using Recorder.Core.Store;
using Recorder.Sessions.Export;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder sessions</c>: searches the sessions' metadata (names, URLs, fingerprints, addresses,
/// a time window), an audited search like a query (case and reason, ledgered with the answer's
/// SHA-256); <c>recorder sessions index</c> builds the metadata of segments that have none.
/// </summary>
internal static class SessionsCommand
{
    public static Command Create(CommandFactory factory)
    {
        var sni = Text("--sni", "TLS or QUIC server name (wildcards: *.example.com)", "NAME");
        var domain = Text("--domain", "A DNS question name, TLS/QUIC server name or HTTP Host (wildcards)", "NAME");
        var url = Text("--url", "An HTTP request target, or host + target (wildcards)", "URL");
        var hostHeader = Text("--host-header", "An HTTP Host header (wildcards)", "NAME");
        var userAgent = Text("--user-agent", "An HTTP User-Agent (wildcards)", "TEXT");
        var ja3 = Text("--ja3", "JA3 or JA3S (32 hex digits)", "HASH");
        var ja4 = Text("--ja4", "JA4 (TLS or QUIC) or JA4S", "FINGERPRINT");
        var cert = Text("--cert-sha256", "SHA-256 of a certificate of the TLS chain", "HASH");
        var file = Text("--file-sha256", "SHA-256 of a file the session carried (an HTTP body, decoded; an SMTP attachment)", "HASH");
        var app = Text("--app", "Application identified from the payload: dns, http, tls, quic, ssh, smtp, ftp, dhcp, unknown", "NAME");
        var host = Text("--host", "Address, either side", "IP");
        var port = Text("--port", "Port, either side", "N");
        var proto = Text("--proto", "tcp, udp, icmp, icmp6, sctp or a protocol number", "PROTO");
        var from = Text("--from", "Sessions active at or after this time: RFC 3339 UTC or Unix seconds", "TIME");
        var to = Text("--to", "Sessions that began before this time", "TIME");
        var caseOption = Text("--case", "The case this search is for (recorded in the ledger; required)", "ID");
        var reason = Text("--reason", "Why the sessions are searched (recorded in the ledger; required)", "TEXT");
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("sessions",
            "Search session metadata (an audited search: --case and --reason are required); `sessions index` builds missing metadata")
        {
            sni, domain, url, hostHeader, userAgent, ja3, ja4, cert, file, app, host, port, proto, from, to, caseOption, reason, json,
        };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var caseId = CheckText(parse.GetValue(caseOption), "--case", 200);
            var why = CheckText(parse.GetValue(reason), "--reason", 4000);
            var arguments = new SessionFilterArguments
            {
                Sni = parse.GetValue(sni), Domain = parse.GetValue(domain), Url = parse.GetValue(url), HostHeader = parse.GetValue(hostHeader),
                UserAgent = parse.GetValue(userAgent), Ja3 = parse.GetValue(ja3), Ja4 = parse.GetValue(ja4), CertSha256 = parse.GetValue(cert), FileSha256 = parse.GetValue(file),
                App = parse.GetValue(app), Host = parse.GetValue(host), Port = parse.GetValue(port), Proto = parse.GetValue(proto),
                From = parse.GetValue(from), To = parse.GetValue(to),
            };
            var (filter, error) = SessionFilter.Parse(arguments);
            if (filter is null)
            {
                throw CliException.Usage($"{error!.Option}: {error.Message}");
            }

            using var store = context.OpenStore(create: false);
            var search = AuditedSessionSearch.Run(store, filter, caseId, why, store.Record, cancellationToken);
            var (searchId, seq, result) = (search.SearchId, search.Seq, search.Result);
            if (parse.GetValue(json))
            {
                context.WriteJson(AuditedSessionSearch.Answer(search, caseId, why));
                return ExitCodes.Ok;
            }

            PrintTable(context.Output, result);
            context.Output.WriteLine($"{result.Matches.Count} session(s) in {result.SegmentsScanned.Count} segment(s) " +
                $"in {result.Elapsed.TotalMilliseconds:0.0} ms; answer sha256 {result.AnswerSha256}; search {searchId} for case {caseId}, ledger entry {seq}");
            if (result.SegmentsNotBuilt.Count > 0)
            {
                context.Output.WriteLine($"  note: {result.SegmentsNotBuilt.Count} segment(s) in the window have no session metadata " +
                    $"({string.Join(", ", result.SegmentsNotBuilt)}) and were not searched: run `recorder sessions index`");
            }

            foreach (var fallback in result.SegmentsFullyScanned)
            {
                context.Output.WriteLine($"  note: segment {fallback.SegmentId} was scanned record by record, not answered from an index: {fallback.Reason}");
            }

            if (result.OptionsNotIndexed.Count > 0)
            {
                context.Output.WriteLine($"  note: {string.Join(", ", result.OptionsNotIndexed)} could not be looked up in the index (non-ASCII value): every record was read for it");
            }

            return ExitCodes.Ok;
        });
        command.Subcommands.Add(CreateIndex(factory));
        command.Subcommands.Add(CreateExport(factory));
        return command;
    }

    private static Command CreateExport(CommandFactory factory)
    {
        var from = Text("--from", "Sessions active at or after this time: RFC 3339 UTC or Unix seconds", "TIME");
        var to = Text("--to", "Sessions that began before this time", "TIME");
        var output = new Option<string>("--out") { Description = "The JSON-lines file to write (must not exist)", Required = true, HelpName = "FILE" };
        var format = new Option<string>("--format") { Description = "Record schema: ecs (Elastic Common Schema " + EcsWriter.EcsVersion + ")", DefaultValueFactory = _ => "ecs", HelpName = "ecs" };
        format.AcceptOnlyFromAmong("ecs");
        var caseOption = Text("--case", "The case this export is for (recorded in the ledger; required)", "ID");
        var reason = Text("--reason", "Why the records are exported (recorded in the ledger; required)", "TEXT");
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var export = new Command("export",
            "Export the session, DNS, HTTP, TLS and file records of a time window as ECS JSON lines for a SIEM (audited: --case and --reason are required)")
        {
            from, to, output, format, caseOption, reason, json,
        };
        factory.SetAction(export, (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var caseId = CheckText(parse.GetValue(caseOption), "--case", 200);
            var why = CheckText(parse.GetValue(reason), "--reason", 4000);
            var (window, error) = SessionFilter.Parse(new SessionFilterArguments { From = parse.GetValue(from), To = parse.GetValue(to) });
            if (window is null)
            {
                throw CliException.Usage($"{error!.Option}: {error.Message}");
            }

            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(outPath) || Directory.Exists(outPath))
            {
                throw CliException.Usage($"--out: {outPath} already exists; an export never writes over a file");
            }

            if (!Directory.Exists(Path.GetDirectoryName(outPath)))
            {
                throw CliException.Usage($"--out: directory {Path.GetDirectoryName(outPath)} does not exist");
            }

            using var store = context.OpenStore(create: false);
            SessionExportResult result;
            try
            {
                result = SessionExport.Run(store, window.FromNanoseconds, window.ToNanoseconds, outPath, cancellationToken: cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new CliException(ExitCodes.Problem, "sessions export: " + e.Message);
            }

            var exportId = Guid.NewGuid().ToString();
            var records = new JsonObject
            {
                ["sessions"] = result.Counts.Sessions,
                ["dns"] = result.Counts.Dns,
                ["http"] = result.Counts.Http,
                ["tls"] = result.Counts.Tls,
                ["files"] = result.Counts.Files,
                ["total"] = result.Counts.Total,
            };
            long seq;
            try
            {
                seq = store.Record(LedgerActions.SessionsExported, new JsonObject { ["exportId"] = exportId, ["output"] = result.Path },
                    new Dictionary<string, string> { ["output"] = result.Sha256 },
                    new JsonObject
                    {
                        ["format"] = "ecs",
                        ["ecsVersion"] = EcsWriter.EcsVersion,
                        ["from"] = parse.GetValue(from),
                        ["to"] = parse.GetValue(to),
                        ["bytes"] = result.Bytes,
                        ["records"] = records.DeepClone(),
                        ["segments"] = Ids(result.Segments),
                        ["segmentsWithoutMetadata"] = Ids(result.SegmentsWithoutMetadata),
                    },
                    caseId, why);
            }
            catch
            {
                SessionExport.Discard(result);
                throw;
            }

            SessionExport.Publish(result);
            if (parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["exportId"] = exportId,
                    ["case"] = caseId,
                    ["reason"] = why,
                    ["path"] = result.Path,
                    ["format"] = "ecs",
                    ["ecsVersion"] = EcsWriter.EcsVersion,
                    ["bytes"] = result.Bytes,
                    ["sha256"] = result.Sha256,
                    ["records"] = records,
                    ["segments"] = Ids(result.Segments),
                    ["segmentsWithoutMetadata"] = Ids(result.SegmentsWithoutMetadata),
                    ["ledgerSeq"] = seq,
                    ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"exported {Format.Count(result.Counts.Total)} record(s) ({Format.Count(result.Counts.Sessions)} sessions, " +
                $"{Format.Count(result.Counts.Dns)} DNS, {Format.Count(result.Counts.Http)} HTTP, {Format.Count(result.Counts.Tls)} TLS, " +
                $"{Format.Count(result.Counts.Files)} files) from {result.Segments.Count} segment(s) to {result.Path}");
            context.Output.WriteLine($"  {Format.Count(result.Bytes)} bytes, sha256 {result.Sha256}; ECS {EcsWriter.EcsVersion}; export {exportId} for case {caseId}, ledger entry {seq}");
            if (result.SegmentsWithoutMetadata.Count > 0)
            {
                context.Output.WriteLine($"  note: segment(s) {string.Join(", ", result.SegmentsWithoutMetadata)} have no session metadata: their records were " +
                    "built from the packets, and their recorder.session ids are searchable only after `recorder sessions index`");
            }

            return ExitCodes.Ok;
        });
        return export;
    }

    private static Command CreateIndex(CommandFactory factory)
    {
        var all = new Option<bool>("--all") { Description = "Rebuild every segment's metadata, not only missing ones" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var index = new Command("index", "Build the session metadata of sealed segments that have none (segments sealed before it existed)") { all, json };
        factory.SetAction(index, (context, cancellationToken) =>
        {
            using var store = context.OpenStore(create: false);
            var stopwatch = Stopwatch.StartNew();
            var outcomes = new List<SessionIndexOutcome>();
            var rebuild = context.Parse.GetValue(all);
            foreach (var segment in store.ListSegments())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (rebuild || store.Layout.ExistingSessionsFile(segment.Id) is null)
                {
                    outcomes.Add(SessionIndexer.IndexOne(store, segment));
                }
            }

            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject
                {
                    ["segments"] = outcomes.Count,
                    ["built"] = new JsonArray(outcomes.Select(o => (JsonNode)new JsonObject
                    {
                        ["segmentId"] = o.SegmentId,
                        ["sessions"] = o.Sessions,
                        ["path"] = o.Path,
                        ["sha256"] = o.Sha256,
                        ["buildSeconds"] = Math.Round(o.BuildTime.TotalSeconds, 3),
                    }).ToArray()),
                    ["elapsedSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
                });
                return ExitCodes.Ok;
            }

            foreach (var o in outcomes)
            {
                context.Output.WriteLine($"  segment {o.SegmentId}: {Format.Count(o.Sessions)} session(s) in {o.Path}, sha256 {o.Sha256}");
            }

            context.Output.WriteLine($"built the session metadata of {outcomes.Count} segment(s) in {Format.Seconds(stopwatch.Elapsed)}");
            return ExitCodes.Ok;
        });
        return index;
    }

    private static Option<string?> Text(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    private static JsonArray Ids(IReadOnlyList<long> ids) => AuditedSessionSearch.Ids(ids);

    private static void PrintTable(TextWriter output, SessionSearchResult result)
    {
        if (result.Matches.Count == 0)
        {
            output.WriteLine("no sessions matched");
            return;
        }

        output.WriteLine($"{"first (UTC)",-24} {"seg",5} {"proto",5} {"client",-40} {"server",-40} {"app",-7} {"pkts",8} {"bytes",12}  names");
        foreach (var match in result.Matches)
        {
            var d = match.Document;
            var first = DateTimeOffset.UnixEpoch.AddTicks(d.FirstNanoseconds / 100).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var names = string.Join(" ", d.DnsQueries.Concat(d.HttpHosts).Concat(new[] { d.TlsSni, d.QuicSni }.OfType<string>()).Distinct().Take(4));
            output.WriteLine($"{first,-24} {d.SegmentId,5} {Protocol(d.Protocol),5} {Endpoint(d.Client, d.ClientPort),-40} {Endpoint(d.Server, d.ServerPort),-40} " +
                $"{d.Application ?? "-",-7} {d.ClientPackets + d.ServerPackets,8} {d.ClientBytes + d.ServerBytes,12}  {names}");
        }
    }

    private static string Protocol(int protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "icmp6",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static string Endpoint(string address, int port) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";

    internal static string CheckText(string? value, string option, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw CliException.Usage($"{option}: required and must not be empty (this command is audited)");
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
}
