using System.CommandLine;
using Recorder.Core.Formats;
using Recorder.Synthesis;
using Recorder.Synthesis.Content;

namespace Recorder.Cli.Commands;

/// <summary><c>recorder synth --out FILE</c>: writes deterministic sample traffic and its ground truth.</summary>
internal static class SynthCommand
{
    public static Command Create(CommandFactory factory)
    {
        var output = new Option<string>("--out") { Description = "The capture file to write", Required = true, HelpName = "FILE" };
        var packets = new Option<long?>("--packets") { Description = $"Exact number of packets, {SynthesisOptions.MinimumPackets} to {SynthesisOptions.MaximumPackets} (default {SynthesisOptions.DefaultPackets})", HelpName = "N" };
        packets.Validators.Add(result => Range(result, SynthesisOptions.MinimumPackets, SynthesisOptions.MaximumPackets));
        var bytes = new Option<long?>("--bytes") { Description = "Approximate file size instead of a packet count", HelpName = "N" };
        bytes.Validators.Add(result => Range(result, SynthesisOptions.MinimumBytes, SynthesisOptions.MaximumBytes));
        var seed = new Option<ulong>("--seed") { Description = "Seed: same seed and options, same bytes", DefaultValueFactory = _ => 1, HelpName = "N" };
        var format = new Option<string>("--format") { Description = "pcap or pcapng", DefaultValueFactory = _ => "pcap", HelpName = "pcap|pcapng" };
        format.AcceptOnlyFromAmong("pcap", "pcapng");
        var microseconds = new Option<bool>("--microseconds") { Description = "Microsecond timestamps (default nanosecond)" };
        var multiLink = new Option<bool>("--multi-link") { Description = "Several link types in one pcapng (implies --format pcapng)" };
        var truth = new Option<string?>("--truth") { Description = "Also write the ground truth (JSON): counts per needle and query", HelpName = "FILE" };
        var content = new Option<bool>("--content")
        {
            Description = "Instead: conversations with known DNS, HTTP (Content-Length, chunked, gzip), TLS 1.2, SMTP (attachments), FTP (with data connections) " +
                "and QUIC (RFC 9001 Initials) content (microsecond pcap); --truth gets their content",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("synth", "Write deterministic sample traffic (and its ground truth)")
        {
            output, packets, bytes, seed, format, microseconds, multiLink, truth, content, json,
        };
        factory.SetAction(command, (context, _) =>
        {
            var parse = context.Parse;
            if (parse.GetValue(content))
            {
                if (parse.GetValue(packets) is not null || parse.GetValue(bytes) is not null || parse.GetValue(format) != "pcap" || parse.GetValue(multiLink)
                    || parse.GetValue(microseconds))
                {
                    throw CliException.Usage("--content writes a fixed set of conversations as a microsecond pcap: --packets, --bytes, --format pcapng, --multi-link and --microseconds do not apply");
                }

                return WriteContent(context, Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(seed), parse.GetValue(truth), parse.GetValue(json));
            }

            var options = new SynthesisOptions
            {
                Seed = parse.GetValue(seed),
                TargetPackets = parse.GetValue(packets),
                TargetBytes = parse.GetValue(bytes),
                Format = parse.GetValue(format) == "pcapng" || parse.GetValue(multiLink) ? CaptureFileFormat.Pcapng : CaptureFileFormat.Pcap,
                TimestampResolution = parse.GetValue(microseconds) ? SynthesisTimestampResolution.Microseconds : SynthesisTimestampResolution.Nanoseconds,
                MultipleLinkTypes = parse.GetValue(multiLink),
            };
            var problems = options.Validate();
            if (problems.Count > 0)
            {
                throw CliException.Usage(string.Join("; ", problems));
            }

            var path = Path.GetFullPath(parse.GetValue(output)!);
            var result = TrafficSynthesizer.Write(path, options);
            if (parse.GetValue(truth) is { } truthPath)
            {
                File.WriteAllText(truthPath, result.ToJson());
            }

            if (parse.GetValue(json))
            {
                context.WriteJson(new System.Text.Json.Nodes.JsonObject
                {
                    ["path"] = path,
                    ["packets"] = result.Packets,
                    ["bytes"] = result.FileBytes,
                    ["firstTimestamp"] = result.FirstTimestamp.ToString(),
                    ["lastTimestamp"] = result.LastTimestamp.ToString(),
                    ["needleFlows"] = result.Needles.Count,
                    ["truth"] = parse.GetValue(truth) is { } written ? Path.GetFullPath(written) : null,
                });
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"wrote {path}: {Format.Count(result.Packets)} packets, {Format.Bytes(result.FileBytes)}, " +
                $"{result.FirstTimestamp} .. {result.LastTimestamp}, {result.Needles.Count} needle flows");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int WriteContent(CliContext context, string path, ulong seed, string? truthPath, bool json)
    {
        var result = ContentSynthesizer.Write(path, seed);
        if (truthPath is not null)
        {
            File.WriteAllText(truthPath, result.ToJson());
        }

        if (json)
        {
            context.WriteJson(new System.Text.Json.Nodes.JsonObject
            {
                ["path"] = path,
                ["packets"] = result.Packets,
                ["bytes"] = result.FileBytes,
                ["sessions"] = result.Sessions.Count,
                ["httpObjects"] = result.HttpObjects.Count,
                ["tlsHandshakes"] = result.TlsHandshakes.Count,
                ["smtpAttachments"] = result.SmtpMessages.Sum(m => m.Attachments.Count),
                ["ftpTransfers"] = result.FtpSessions.Sum(f => f.Transfers.Count),
                ["quicConnections"] = result.QuicConnections.Count,
                ["truth"] = truthPath is null ? null : Path.GetFullPath(truthPath),
            });
            return ExitCodes.Ok;
        }

        context.Output.WriteLine($"wrote {path}: {Format.Count(result.Packets)} packets, {Format.Bytes(result.FileBytes)}, {result.Sessions.Count} conversations " +
            $"({result.DnsQueryNames.Count} DNS names, {result.HttpObjects.Count} HTTP objects, {result.TlsHandshakes.Count} TLS handshake, " +
            $"{result.SmtpMessages.Sum(m => m.Attachments.Count)} SMTP attachments, {result.FtpSessions.Sum(f => f.Transfers.Count)} FTP files, " +
            $"{result.QuicConnections.Count} QUIC connection)");
        return ExitCodes.Ok;
    }

    /// <summary>A range check that names the option, as the user typed it.</summary>
    private static void Range(System.CommandLine.Parsing.OptionResult result, long minimum, long maximum)
    {
        if (result.GetValueOrDefault<long?>() is { } value && (value < minimum || value > maximum))
        {
            result.AddError($"{result.Option.Name} must be {minimum} to {maximum}, not {value}");
        }
    }
}
