using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Proofs;
using Recorder.Ledger.Verification;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Benchmarks.Harnesses;

/// <summary>What <see cref="LedgerBenchmark.Run"/> measures; the defaults are the targets of issue 3.</summary>
public sealed record LedgerBenchmarkOptions
{
    /// <summary>A directory the benchmark may fill (ledgers of several hundred MB) and leaves in place.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Durable appends to time, one entry per Append call, from <see cref="ConcurrentWriters"/> threads.</summary>
    public int AppendCount { get; init; } = 20_000;

    /// <summary>Threads appending concurrently (group commit merges their entries into batches).</summary>
    public int ConcurrentWriters { get; init; } = 64;

    /// <summary>Untimed rounds of <see cref="AppendCount"/> concurrent appends between the first (cold) round and the measured one.</summary>
    public int WarmUpRounds { get; init; } = 3;

    /// <summary>Entries per Append call in the batched measurement (several threads, one batch per call).</summary>
    public int BatchedAppendSize { get; init; } = 100;

    /// <summary>Appends timed from a single thread, one at a time (each waits for its own fsync).</summary>
    public int SequentialAppendCount { get; init; } = 1_000;

    /// <summary>Entries in the ledger whose verification is timed.</summary>
    public int VerifyEntries { get; init; } = 1_000_000;

    /// <summary>Entries per batch (one signed head each) when building that ledger.</summary>
    public int BuildBatchSize { get; init; } = 1_000;

    /// <summary>Inclusion and consistency proofs timed against it.</summary>
    public int ProofSamples { get; init; } = 1_000;
}

/// <summary>Figures measured by <see cref="LedgerBenchmark.Run"/>.</summary>
/// <param name="AppendCount">Durable appends timed.</param>
/// <param name="ConcurrentWriters">Threads appending.</param>
/// <param name="DurableAppendsPerSecond">Entries durable per second under concurrency (group commit), in a warmed-up process.</param>
/// <param name="ColdAppendsPerSecond">The same in the first round of a fresh process, while the JIT still compiles the append path.</param>
/// <param name="AppendCpuMicrosecondsPerEntry">Processor time (all threads) spent per appended entry: the cost on an idle machine.</param>
/// <param name="AppendBatches">Signed batches those appends were written in.</param>
/// <param name="BatchedAppendsPerSecond">Entries durable per second when callers append lists of <see cref="LedgerBenchmarkOptions.BatchedAppendSize"/>.</param>
/// <param name="SequentialAppendsPerSecond">Entries durable per second from one thread, one at a time.</param>
/// <param name="VerifyEntries">Entries in the verified ledger.</param>
/// <param name="VerifyHeads">Signed heads in it.</param>
/// <param name="LedgerBytes">Its size on disk (ledger.jsonl).</param>
/// <param name="BuildSeconds">Time to append those entries.</param>
/// <param name="VerifySeconds">Time of the full offline verification.</param>
/// <param name="VerifyCpuSeconds">Processor time (all threads) the verification used.</param>
/// <param name="VerifyValid">Whether it found nothing (it must).</param>
/// <param name="InclusionProofMedianMicroseconds">Median time of ProveInclusion for a random entry against the latest head.</param>
/// <param name="InclusionProofP99Microseconds">99th percentile of the same.</param>
/// <param name="InclusionPathLength">Hashes in such a proof's path (⌈log2 n⌉ at most).</param>
/// <param name="InclusionProofFileBytes">Bytes of its proof file (canonical JSON, with the checkpoint).</param>
/// <param name="ProofFileVerifyMedianMicroseconds">Median time to check a proof file offline.</param>
/// <param name="ConsistencyProofMedianMicroseconds">Median time of ProveConsistency between a random head and the latest.</param>
/// <param name="ConsistencyPathLength">Hashes in the longest such path seen.</param>
public sealed record LedgerBenchmarkResult(
    int AppendCount,
    int ConcurrentWriters,
    double DurableAppendsPerSecond,
    double ColdAppendsPerSecond,
    double AppendCpuMicrosecondsPerEntry,
    long AppendBatches,
    double BatchedAppendsPerSecond,
    double SequentialAppendsPerSecond,
    long VerifyEntries,
    long VerifyHeads,
    long LedgerBytes,
    double BuildSeconds,
    double VerifySeconds,
    double VerifyCpuSeconds,
    bool VerifyValid,
    double InclusionProofMedianMicroseconds,
    double InclusionProofP99Microseconds,
    int InclusionPathLength,
    int InclusionProofFileBytes,
    double ProofFileVerifyMedianMicroseconds,
    double ConsistencyProofMedianMicroseconds,
    int ConsistencyPathLength)
{
    /// <summary>The figures as aligned text lines, for a benchmark report.</summary>
    public override string ToString() => string.Join(Environment.NewLine,
        F($"durable appends ({AppendCount}, {ConcurrentWriters} writers, {AppendBatches} batches), warm", DurableAppendsPerSecond, "entries/s (target >= 20 000)"),
        F("  the same, first round of a fresh process", ColdAppendsPerSecond, "entries/s"),
        F("  processor time per appended entry", AppendCpuMicrosecondsPerEntry, "µs"),
        F("durable appends (lists of entries per call, 4 writers)", BatchedAppendsPerSecond, "entries/s"),
        F("durable appends (1 writer, one at a time)", SequentialAppendsPerSecond, "entries/s"),
        F($"verify {VerifyEntries} entries, {VerifyHeads} heads, {LedgerBytes / 1e6:0} MB", VerifySeconds, $"s (target < 10 s), {(VerifyValid ? "valid" : "INVALID")}"),
        F("  processor time of the verification", VerifyCpuSeconds, "s"),
        F("build that ledger", BuildSeconds, "s"),
        F("inclusion proof, median", InclusionProofMedianMicroseconds, "µs (target < 1000 µs)"),
        F("inclusion proof, p99", InclusionProofP99Microseconds, "µs"),
        F("inclusion proof size", InclusionPathLength, $"hashes, proof file {InclusionProofFileBytes} bytes"),
        F("proof file offline check, median", ProofFileVerifyMedianMicroseconds, "µs"),
        F("consistency proof, median", ConsistencyProofMedianMicroseconds, $"µs, longest path {ConsistencyPathLength} hashes"));

    private static string F(string what, double value, string unit) =>
        what.PadRight(62) + value.ToString(value >= 100 ? "#,0" : "0.00", CultureInfo.InvariantCulture).PadLeft(12) + " " + unit;
}

/// <summary>
/// Measures the ledger against issue 3's targets: durable appends per second (group commit),
/// verification of a million entries, and inclusion proof time and size. Called by the benchmark
/// project; not a timed test.
/// </summary>
public static class LedgerBenchmark
{
    private const string Origin = "recorder.store/benchmark";

    /// <summary>Runs every measurement in <see cref="LedgerBenchmarkOptions.WorkDirectory"/>; <paramref name="progress"/> receives a line per phase.</summary>
    public static LedgerBenchmarkResult Run(LedgerBenchmarkOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = Ed25519Key.Generate();
        var clock = TimeProvider.System;
        var tsa = BuiltInTimeStampAuthority.OpenOrCreate(Path.Combine(options.WorkDirectory, "tsa"), clock);
        var ledgerOptions = new LedgerOptions { Origin = Origin, TimeStampInterval = null, DefaultActor = LedgerActor.CurrentOsUser() };

        // 1. Durable appends, concurrent writers, one entry per call.
        var appendDir = Fresh(options.WorkDirectory, "append");
        var ledger = CustodyLedger.Open(appendDir, ledgerOptions, key, tsa, clock);
        ledger.Append(Draft(-1)); // warm-up: JIT, files
        // The first round runs while the JIT is still compiling and re-compiling the append path
        // (tiered compilation), as in a freshly started process; the measured round follows
        // WarmUpRounds more, as in a service that has been running for a while.
        progress?.WriteLine($"appending {options.AppendCount} entries from {options.ConcurrentWriters} threads, {options.WarmUpRounds + 2} rounds");
        var (coldSeconds, _, _) = AppendConcurrently(ledger, options);
        for (var round = 0; round < options.WarmUpRounds; round++)
        {
            AppendConcurrently(ledger, options);
        }

        var (appendSeconds, appendCpu, batches) = AppendConcurrently(ledger, options);

        progress?.WriteLine($"appending {options.AppendCount} entries in lists of {options.BatchedAppendSize} from 4 threads");
        var next = -1;
        var watch = Stopwatch.StartNew();
        var calls = (options.AppendCount + options.BatchedAppendSize - 1) / options.BatchedAppendSize;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            int call;
            while ((call = Interlocked.Increment(ref next)) < calls)
            {
                ledger.Append(Enumerable.Range(call * options.BatchedAppendSize, options.BatchedAppendSize).Select(Draft));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var batchedSeconds = watch.Elapsed.TotalSeconds;

        progress?.WriteLine($"appending {options.SequentialAppendCount} entries one at a time");
        watch.Restart();
        for (var i = 0; i < options.SequentialAppendCount; i++)
        {
            ledger.Append(Draft(i));
        }

        var sequentialSeconds = watch.Elapsed.TotalSeconds;

        // 2. A large ledger: build, verify.
        var bigDir = Fresh(options.WorkDirectory, "verify");
        var big = CustodyLedger.Open(bigDir, ledgerOptions, key, tsa, clock);
        progress?.WriteLine($"building a ledger of {options.VerifyEntries} entries in batches of {options.BuildBatchSize}");
        watch.Restart();
        var batchCount = (options.VerifyEntries + options.BuildBatchSize - 1) / options.BuildBatchSize;
        Parallel.For(0, batchCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
        {
            var first = b * options.BuildBatchSize;
            big.Append(Enumerable.Range(first, Math.Min(options.BuildBatchSize, options.VerifyEntries - first)).Select(Draft));
        });
        var buildSeconds = watch.Elapsed.TotalSeconds;
        var checkpoint = big.Checkpoint();
        progress?.WriteLine("verifying it");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var report = LedgerVerifier.Verify(bigDir, key, TimeStampVerifier.LoadCertificatePem(tsa.CertificatePem));

        var verifyCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        // 3. Proofs against it.
        progress?.WriteLine($"timing {options.ProofSamples} inclusion and consistency proofs");
        var random = new Random(42);
        var size = checkpoint.Size;
        var inclusion = new List<double>(options.ProofSamples);
        var fileChecks = new List<double>(options.ProofSamples);
        var consistency = new List<double>(options.ProofSamples);
        var pathLength = 0;
        var fileBytes = 0;
        var consistencyLength = 0;
        var heads = big.SignedHeadSizes();
        big.ProveInclusion(0);
        for (var i = 0; i < options.ProofSamples; i++)
        {
            var seq = random.NextInt64(size);
            watch.Restart();
            var proof = big.ProveInclusion(seq);
            inclusion.Add(watch.Elapsed.TotalMicroseconds);
            pathLength = Math.Max(pathLength, proof.AuditPath.Count);
            var file = ProofFile.Serialize(proof);
            fileBytes = Math.Max(fileBytes, file.Length);
            watch.Restart();
            var checkedFile = ProofFile.Verify(file, key);
            fileChecks.Add(watch.Elapsed.TotalMicroseconds);
            if (!checkedFile.IsValid)
            {
                throw new InvalidOperationException("benchmark proof did not verify: " + string.Join("; ", checkedFile.Problems));
            }

            var from = heads[random.Next(heads.Count)];
            watch.Restart();
            var consistent = big.ProveConsistency(from, size);
            consistency.Add(watch.Elapsed.TotalMicroseconds);
            consistencyLength = Math.Max(consistencyLength, consistent.Path.Count);
        }

        return new LedgerBenchmarkResult(
            options.AppendCount,
            options.ConcurrentWriters,
            options.AppendCount / appendSeconds,
            options.AppendCount / coldSeconds,
            appendCpu,
            batches,
            (double)calls * options.BatchedAppendSize / batchedSeconds,
            options.SequentialAppendCount / sequentialSeconds,
            report.Entries,
            report.Heads,
            new FileInfo(Path.Combine(bigDir, "ledger.jsonl")).Length,
            buildSeconds,
            report.Elapsed.TotalSeconds,
            verifyCpu,
            report.IsValid,
            Percentile(inclusion, 0.5),
            Percentile(inclusion, 0.99),
            pathLength,
            fileBytes,
            Percentile(fileChecks, 0.5),
            Percentile(consistency, 0.5),
            consistencyLength);
    }

    /// <summary>A realistic entry (~450 bytes): a sealed segment with its ids, hash and counts.</summary>
    /// <summary>Appends <see cref="LedgerBenchmarkOptions.AppendCount"/> entries, one per call, from <see cref="LedgerBenchmarkOptions.ConcurrentWriters"/> threads: seconds, processor µs per entry, signed batches.</summary>
    private static (double Seconds, double CpuMicrosecondsPerEntry, long Batches) AppendConcurrently(CustodyLedger ledger, LedgerBenchmarkOptions options)
    {
        var headsBefore = ledger.SignedHeadSizes().Count;
        var next = -1;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, options.ConcurrentWriters).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < options.AppendCount)
            {
                ledger.Append(Draft(i));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuPerEntry = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / options.AppendCount;
        return (seconds, cpuPerEntry, ledger.SignedHeadSizes().Count - headsBefore);
    }

    private static LedgerDraft Draft(int i)
    {
        var id = "seg-" + i.ToString("D10", CultureInfo.InvariantCulture);
        return new LedgerDraft(LedgerActions.SegmentSealed)
        {
            Subjects = new JsonObject { ["segmentIds"] = new JsonArray(id), ["storeId"] = "benchmark" },
            Hashes = new Dictionary<string, string>
            {
                ["segment"] = Hex.Lower(SHA256.HashData(BitConverter.GetBytes(i))),
                ["manifest"] = Hex.Lower(SHA256.HashData(BitConverter.GetBytes(~i))),
            },
            Details = new JsonObject
            {
                ["packets"] = 100_000L + i,
                ["bytes"] = 64_000_000L + i,
                ["path"] = "segments/" + id + ".pcapng",
            },
        };
    }

    private static string Fresh(string root, string name)
    {
        var path = Path.Combine(root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];
    }
}
