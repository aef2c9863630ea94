using System.Globalization;
using Recorder.Synthesis;
using Recorder.Synthesis.Content;

namespace Recorder.Benchmarks.Agreement;

/// <summary>
/// Exactness against tshark (issue 12): for each capture and field, the values Recorder's session
/// builder finds and the values tshark finds, compared as multisets per capture; prints both counts,
/// how many agree, the agreement and the first differences. A synthesized capture is also compared
/// with the synthesizer's own truth.
/// </summary>
public static class AgreementFigures
{
    private const string Usage = """
        usage: dotnet run --project tests/Recorder.Benchmarks -c Release -- agreement [--capture FILE]... [--work DIR] [--seed N]
          --capture FILE   a pcap/pcapng, repeatable (default: every capture of ../shared/corpus/small, the JA4 project's
                           captures in tests/Recorder.Sessions.Tests/TestData/ja4 and two synthesized captures)
          --work DIR       where the synthesized capture and tshark's exported objects go (default: a new temporary folder)
          --seed N         the synthesized capture's seed (default 12)
        """;

    public static int Run(string[] args)
    {
        var captures = new List<string>();
        string? work = null;
        ulong seed = 12;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--capture" when i + 1 < args.Length:
                    captures.Add(args[++i]);
                    break;
                case "--work" when i + 1 < args.Length:
                    work = args[++i];
                    break;
                case "--seed" when i + 1 < args.Length && ulong.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seed):
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        work ??= Directory.CreateTempSubdirectory("recorder-agreement-").FullName;
        Directory.CreateDirectory(work);
        var truths = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        if (captures.Count == 0)
        {
            var corpus = Path.GetFullPath(Path.Combine(Comparison.RepositoryRoot(), "..", "shared", "corpus", "small"));
            if (Directory.Exists(corpus))
            {
                captures.AddRange(Directory.EnumerateFiles(corpus).Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                Console.WriteLine($"note: {corpus} is absent; only the synthesized capture is compared");
            }

            // The JA4 project's captures (in the repository): real TLS 1.2/1.3 and QUIC handshakes, with certificates.
            var vectors = Path.Combine(Comparison.RepositoryRoot(), "tests", "Recorder.Sessions.Tests", "TestData", "ja4");
            captures.AddRange(Directory.EnumerateFiles(vectors).Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
            var synthesized = Path.Combine(work, $"synth-{seed}.pcap");
            TrafficSynthesizer.Write(synthesized, new SynthesisOptions { Seed = seed, TargetPackets = 20_000, IncludeAnomalies = true });
            captures.Add(synthesized);
            var content = Path.Combine(work, $"content-{seed}.pcap");
            var truth = ContentSynthesizer.Write(content, seed);
            File.WriteAllText(content + ".truth.json", truth.ToJson());
            captures.Add(content);
            truths[content] = TruthFields.From(truth);
        }

        var rows = new List<string>();
        var differences = new List<string>();
        var totals = Fields.All.ToDictionary(f => f, _ => (Ours: 0, Theirs: 0, Matched: 0), StringComparer.Ordinal);
        foreach (var capture in captures)
        {
            var name = Path.GetFileName(capture);
            var ours = OurFields.Collect(capture);
            var theirs = TsharkFields.Collect(capture, work);
            foreach (var field in Fields.All)
            {
                var agreement = FieldAgreement.Compare(field, ours[field], theirs[field]);
                rows.Add(agreement.Row(name));
                var (o, t, m) = totals[field];
                totals[field] = (o + agreement.Ours, t + agreement.Theirs, m + agreement.Matched);
                if (!agreement.Equal)
                {
                    differences.Add($"{name} {field}:");
                    differences.AddRange(agreement.Differences("tshark"));
                }
            }

            if (truths.TryGetValue(capture, out var truthValues))
            {
                foreach (var (field, values) in truthValues)
                {
                    var agreement = FieldAgreement.Compare(field, ours[field], values);
                    rows.Add(agreement.Row(name + " (vs truth)"));
                    if (!agreement.Equal)
                    {
                        differences.Add($"{name} {field} against the synthesizer's truth:");
                        differences.AddRange(agreement.Differences("truth"));
                    }
                }
            }
        }

        Console.WriteLine("| capture | field | ours | tshark (or truth) | agreeing | agreement |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        foreach (var field in Fields.All)
        {
            var (o, t, m) = totals[field];
            var percent = Math.Max(o, t) == 0 ? 100 : 100.0 * m / Math.Max(o, t);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| **all** | {field} | {o} | {t} | {m} | {percent:F1}% |"));
        }

        Console.WriteLine();
        Console.WriteLine(differences.Count == 0 ? "no differences" : "differences (first few per field):");
        differences.ForEach(Console.WriteLine);
        return 0;
    }
}
