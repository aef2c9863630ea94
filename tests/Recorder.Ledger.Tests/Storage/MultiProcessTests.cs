using System.Diagnostics;
using System.Globalization;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Tests.Support;
using Xunit.Abstractions;

namespace Recorder.Ledger.Tests.Storage;

/// <summary>Real processes: several writers at once, and a writer killed with SIGKILL mid-append.</summary>
public sealed class MultiProcessTests : IDisposable
{
    private readonly TestLedger _t = new(directory: null);
    private readonly string _keyFile;
    private readonly ITestOutputHelper _output;

    public MultiProcessTests(ITestOutputHelper output)
    {
        _output = output;
        _keyFile = Path.Combine(_t.Root, "store-key.pem");
        File.WriteAllText(_keyFile, _t.Key.PrivateKeyPem());
    }

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Append_FromSeveralProcessesAtOnce_NeitherLosesNorDuplicatesNorInterleaves()
    {
        var children = new[]
        {
            ChildProcess.Start(_t.Directory, _keyFile, Path.Combine(_t.Root, "tsa"), 300, 1, "a"),
            ChildProcess.Start(_t.Directory, _keyFile, Path.Combine(_t.Root, "tsa"), 300, 7, "b"),
            ChildProcess.Start(_t.Directory, _keyFile, Path.Combine(_t.Root, "tsa"), 300, 50, "c"),
        };
        var acks = children.Select(c => c.StandardOutput.ReadToEndAsync()).ToArray();
        for (var i = 0; i < 100; i++)
        {
            _t.Ledger.Append(new LedgerDraft("parent.appended") { Subjects = new System.Text.Json.Nodes.JsonObject { ["writer"] = "parent", ["item"] = i } });
        }

        foreach (var child in children)
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "child did not finish");
            Assert.True(child.ExitCode == 0, child.StandardError.ReadToEnd());
        }

        var entries = _t.Ledger.Read().ToList();
        var keys = entries.Select(e => (e.Subjects["writer"]!.GetValue<string>(), e.Subjects["item"]!.GetValue<int>())).ToList();
        Assert.Equal(1000, entries.Count);
        Assert.Equal(1000, keys.Distinct().Count());
        foreach (var line in acks.SelectMany(a => a.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
        {
            var parts = line.Split(' ');
            var seq = long.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.Equal((parts[2], int.Parse(parts[3], CultureInfo.InvariantCulture)), keys[(int)seq]);
        }

        var report = _t.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Findings));
    }

    [Fact]
    public void Append_WhenTheWriterIsKilledWithSigkill_AcknowledgedEntriesSurviveAndTheLedgerRecovers()
    {
        var acknowledged = new List<(long Seq, string Writer, int Item)>();
        var random = new Random(1234);
        for (var round = 0; round < 6; round++)
        {
            var child = ChildProcess.Start(_t.Directory, _keyFile, Path.Combine(_t.Root, "tsa"), 1_000_000, round % 2 == 0 ? 400 : 3, "k" + round);
            var seen = 0;
            while (seen < 5 + random.Next(20))
            {
                var line = child.StandardOutput.ReadLine();
                Assert.NotNull(line);
                Record(line, acknowledged);
                seen++;
            }

            Thread.Sleep(random.Next(0, 15));
            child.Kill(); // SIGKILL on Unix: no chance to finish the write or the fsync
            child.WaitForExit();
            foreach (var line in child.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Record(line, acknowledged);
            }
        }

        _t.Open();
        var entries = _t.Ledger.Read().ToDictionary(e => e.Seq);
        foreach (var (seq, writer, item) in acknowledged)
        {
            Assert.True(entries.TryGetValue(seq, out var entry), $"acknowledged entry {seq} is gone");
            Assert.Equal((writer, item), (entry.Subjects["writer"]!.GetValue<string>(), entry.Subjects["item"]!.GetValue<int>()));
        }

        var recoveries = entries.Values.Count(e => e.Action == LedgerActions.TornTailRecovered);
        _output.WriteLine($"{acknowledged.Count} acknowledged entries survived 6 kills; {recoveries} torn tails were recovered: "
            + string.Join(", ", entries.Values.Where(e => e.Action == LedgerActions.TornTailRecovered).Select(e => e.Details["kind"] + "/" + e.Details["length"])));
        var report = _t.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Findings));
        Assert.Equal(recoveries, report.Notes.Count(n => n.Contains(LedgerActions.TornTailRecovered, StringComparison.Ordinal)));
    }

    [Fact]
    public void Append_WhenKilledWhileItsBatchIsBeingWritten_TheNextOpenMovesTheBatchAsideAndRecordsIt()
    {
        _t.AppendMany(3);
        var attempts = 0;
        LedgerEntry? recovery = null;
        while (recovery is null && attempts++ < 10)
        {
            var before = new FileInfo(_t.LedgerFile).Length;

            // One batch of 40 000 entries (~20 MB) is one write of several milliseconds: kill as soon as it starts.
            var child = ChildProcess.Start(_t.Directory, _keyFile, Path.Combine(_t.Root, "tsa"), 40_000, 40_000, "big" + attempts);
            var watch = Stopwatch.StartNew();
            while (new FileInfo(_t.LedgerFile).Length == before && !child.HasExited && watch.Elapsed < TimeSpan.FromMinutes(1))
            {
                Thread.SpinWait(100);
            }

            child.Kill();
            child.WaitForExit();
            var after = new FileInfo(_t.LedgerFile).Length;
            _t.Open();
            recovery = _t.Ledger.Read(new LedgerFilter { Actions = [LedgerActions.TornTailRecovered] }).LastOrDefault();
            _output.WriteLine($"attempt {attempts}: ledger grew by {after - before} bytes before the kill; recovered: {recovery?.Details.ToJsonString() ?? "nothing (the kill came before or after the write)"}");
        }

        Assert.NotNull(recovery);
        Assert.Equal("interrupted-batch", recovery.Details["kind"]!.GetValue<string>());
        Assert.Equal(recovery.Seq + 40_000, recovery.Details["announcedSize"]!.GetValue<long>());
        var cut = File.ReadAllBytes(Path.Combine(_t.Directory, recovery.Details["file"]!.GetValue<string>()));
        Assert.Equal(recovery.Details["length"]!.GetValue<long>(), cut.Length);
        Assert.StartsWith("{\"sth\":", System.Text.Encoding.UTF8.GetString(cut, 0, 7), StringComparison.Ordinal);
        var report = _t.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Findings));
    }

    private static void Record(string line, List<(long, string, int)> acknowledged)
    {
        var parts = line.Split(' ');
        if (parts.Length == 4 && parts[0] == "acked")
        {
            acknowledged.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], int.Parse(parts[3], CultureInfo.InvariantCulture)));
        }
    }
}
