using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Application;
using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Storage.Import;
using Recorder.Storage.Query;
using Recorder.Synthesis;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder demo [FILE...]</c>: the main job in one command. Makes a small realistic sample capture
/// with the built-in synthesizer (or takes the files given), imports it into the store, extracts a
/// needle with an indexed query, verifies the whole store, and says what happened at each step.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CommandFactory factory)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.ZeroOrMore, Description = "Captures to use instead of the synthesized sample" };
        var workDirectory = new Option<string>("--work")
        {
            Description = "Where the sample and the extracted files go",
            DefaultValueFactory = _ => "recorder-demo",
            HelpName = "DIR",
        };
        var json = new Option<bool>("--json") { Description = "Machine-readable output: each step's line and the facts behind it (hashes, ledger entries, verification)" };
        var command = new Command("demo", "Synthesize (or take) traffic, import it, query it, verify the store") { files, workDirectory, json };
        factory.SetAction(command, (context, cancellationToken) =>
        {
            var asJson = context.Parse.GetValue(json);
            var steps = new JsonArray();
            var document = new JsonObject();
            var text = context.Output;

            // One line per step: printed, or kept for the JSON document.
            void Say(string line)
            {
                steps.Add((JsonNode)line);
                if (!asJson)
                {
                    text.WriteLine(line);
                }
            }

            var work = Path.GetFullPath(context.Parse.GetValue(workDirectory)!);
            Directory.CreateDirectory(work);
            var inputs = context.Parse.GetValue(files) ?? [];
            Synthesis.Truth.SynthesisTruth? truth = null;
            var step = 0;
            if (inputs.Length == 0)
            {
                var sample = Path.Combine(work, "sample.pcap");
                var stopwatch = Stopwatch.StartNew();
                truth = TrafficSynthesizer.Write(sample, new SynthesisOptions { TargetPackets = 20_000, Seed = 1 });
                File.WriteAllText(Path.Combine(work, "sample.truth.json"), truth.ToJson());
                Say($"{++step}. synthesized {sample}: {Format.Count(truth.Packets)} packets ({Format.Bytes(truth.FileBytes)}), " +
                    $"{truth.Flows} flows, {truth.Needles.Count} needles, in {Format.Seconds(stopwatch.Elapsed)}");
                inputs = [sample];
            }

            foreach (var input in inputs)
            {
                if (!File.Exists(input))
                {
                    throw CliException.Usage($"{input}: no such file");
                }
            }

            using var store = context.OpenStore(create: true);
            try
            {
                var result = new CaptureImporter(store).Import(inputs, new ImportOptions(), null, cancellationToken);
                Say($"{++step}. imported {Format.Count(result.Packets)} packets into {store.Layout.Root}: " +
                    $"{result.Segments.Count} sealed, signed segment(s) in {Format.Seconds(result.Elapsed)} ({Format.Rate(result.InputBytes, result.Elapsed)})");
                document["imported"] = new JsonObject
                {
                    ["importId"] = result.ImportId,
                    ["packets"] = result.Packets,
                    ["segments"] = result.Segments.Count,
                    ["files"] = new JsonArray(result.Files.Select(f => (JsonNode)new JsonObject { ["name"] = f.Source.Name, ["sha256"] = f.Source.Sha256 }).ToArray()),
                };
                foreach (var file in result.Files)
                {
                    Say($"   {Path.GetFileName(file.Source.Name)}: sha256 {file.Source.Sha256}");
                }
            }
            catch (DuplicateCaptureException e)
            {
                // A second demo on the same store: the importer refuses (and ledgers) what the store
                // already holds, so the demo goes on with what is there.
                Say($"{++step}. the store at {store.Layout.Root} already holds these captures; not importing them twice ({e.File}: sha256 {e.Sha256})");
            }

            var compiler = PcapFilterCompiler.IsAvailable(out var libpcapMissing) ? new PcapFilterCompiler() : null;
            var executor = new QueryExecutor(store, compiler);
            PacketQuery query;
            string label;
            long? expected = null;
            if (truth is not null)
            {
                var needle = truth.Needles[0];
                query = needle.Query.ToPacketQuery();
                label = $"needle '{needle.Name}' ({needle.Bpf})";
                expected = needle.Packets;
            }
            else
            {
                query = PacketQuery.All;
                label = "every packet";
            }

            // Extractions are evidence the ledger names and are never written over: each run's get
            // names of their own (the query id's first part), so the demo can be run again.
            var queryId = Guid.NewGuid().ToString();
            var extract = Path.Combine(work, $"extract-{queryId[..8]}.pcap");
            var extraction = AuditedExtraction.Run(store, compiler, query, extract, forcePcapng: false, "DEMO-1",
                "Recorder demonstration: extract one needle flow", queryId, cancellationToken);
            var (written, run) = (extraction.Output, extraction.Run);
            Say($"{++step}. extracted {label}: {Format.Count(written.Packets)} packets to {extract} in {extraction.QueryTime.TotalMilliseconds:0.0} ms " +
                $"({run.SegmentsFromIndex} segment(s) via the index, {Format.Count(run.PacketsExamined)} packets read); sha256 {written.Sha256}; " +
                $"ledger entries {extraction.SubmittedSeq} and {extraction.ExtractionSeq}, checkpoint of {extraction.Checkpoint.Size} entries");
            document["extraction"] = Extraction(extraction, extract);
            if (expected is not null && expected != written.Packets)
            {
                throw new CliException(ExitCodes.Problem, $"the needle should have {expected} packets, the query returned {written.Packets}");
            }

            if (truth is not null && libpcapMissing.Length == 0)
            {
                var elephant = truth.Elephant;
                var bpfQuery = QueryParser.Parse(new QueryText { Hosts = [elephant.Server], Bpf = "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0" }).Query!;
                var synId = Guid.NewGuid().ToString();
                var handshake = Path.Combine(work, $"elephant-syn-fin-{synId[..8]}.pcap");
                var syn = AuditedExtraction.Run(store, compiler, bpfQuery, handshake, forcePcapng: false, "DEMO-1",
                    "Recorder demonstration: the elephant flow's handshake and close, by BPF", synId, cancellationToken);
                document["bpfExtraction"] = Extraction(syn, handshake);
                Say($"{++step}. with a BPF filter: {Format.Count(syn.Output.Packets)} SYN/FIN packets of the elephant flow ({elephant.Server}) to {handshake}");
            }

            else if (libpcapMissing.Length > 0)
            {
                document["bpfSkipped"] = libpcapMissing;
                Say($"{++step}. skipped the BPF example: {libpcapMissing}");
            }

            var package = Path.Combine(work, "package");
            if (Directory.Exists(package))
            {
                // The demo's own output from an earlier run; a package is never written over anything.
                Directory.Delete(package, recursive: true);
            }

            var built = Recorder.Application.Packaging.PackageBuilder.Build(store, new Recorder.Application.Packaging.PackageRequest
            {
                QueryIds = [extraction.QueryId],
                OutputPath = package,
                Title = "Recorder demonstration",
            });
            var packageCheck = Recorder.Application.Packaging.PackageVerifier.Verify(package);
            Say($"{++step}. built the evidence package {package} ({built.Files.Count} files: evidence, signed manifest, custody proofs, CASE/UCO, report.pdf) " +
                $"and checked it offline: {(packageCheck.Passed ? "every hash, signature, proof and time-stamp holds" : $"{packageCheck.Findings.Count} finding(s)")}");

            var timer = Stopwatch.StartNew();
            var report = StoreAudit.Verify(store, [], cancellationToken);
            Say($"{++step}. verified the store in {Format.Seconds(timer.Elapsed)}: {report.SegmentsChecked} segment(s), " +
                $"{Format.Count(report.PacketsChecked)} packets re-hashed and re-indexed: {(report.Passed ? "all signatures, hashes, the chain and the index hold" : $"{report.Findings.Count} finding(s)")}");
            document["package"] = new JsonObject
            {
                ["path"] = package,
                ["files"] = built.Files.Count,
                ["verified"] = packageCheck.Passed,
                ["findings"] = new JsonArray(packageCheck.Findings.Select(f => (JsonNode)f.ToString()).ToArray()),
            };
            document["verification"] = new JsonObject
            {
                ["passed"] = report.Passed,
                ["segments"] = report.SegmentsChecked,
                ["packets"] = report.PacketsChecked,
                ["findings"] = new JsonArray(report.Findings.Select(f => (JsonNode)f.ToString()).ToArray()),
            };
            if (asJson)
            {
                document["store"] = store.Layout.Root;
                document["work"] = work;
                document["steps"] = steps;
                document["passed"] = report.Passed && packageCheck.Passed;
                context.WriteJson(document);
            }
            else
            {
                FindingPrinter.Print(text, report, "   ");
                text.WriteLine();
                text.WriteLine("next: recorder segments | recorder stats | recorder ledger | recorder query --host IP --port N --case ID --reason TEXT --out FILE | recorder verify");
                text.WriteLine($"      open {Path.Combine(package, "report.pdf")}, or check the package by hand as {Path.Combine(package, "VERIFY.txt")} says");
            }

            return report.Passed && packageCheck.Passed ? ExitCodes.Ok : ExitCodes.Problem;
        });
        return command;
    }

    private static JsonObject Extraction(ExtractionResult extraction, string path) => new()
    {
        ["queryId"] = extraction.QueryId,
        ["path"] = path,
        ["packets"] = extraction.Output.Packets,
        ["sha256"] = extraction.Output.Sha256,
        ["submittedSeq"] = extraction.SubmittedSeq,
        ["extractionSeq"] = extraction.ExtractionSeq,
    };
}
