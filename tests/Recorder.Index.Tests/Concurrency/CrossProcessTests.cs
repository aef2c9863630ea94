using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Recorder.Index.Tests.Concurrency;

public sealed class CrossProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReaderInAnotherProcess_WhileAWriterAddsSegments_SeesEveryCommittedSegment_AndNeverFails()
    {
        var indexPath = _temp.Sub("index");
        var committed = _temp.Sub("committed");
        var stop = _temp.Sub("stop");
        var progress = _temp.Sub("progress");
        long added = 0;
        using (var writer = RocksPacketIndex.OpenWriter(indexPath))
        {
            Add(writer, ++added);
        }

        Publish(committed, added);
        using var child = StartReader(indexPath, committed, stop, progress);
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();

        // Like the store: a writer opened per sealed segment, sometimes kept open over a few.
        var stopwatch = Stopwatch.StartNew();
        while ((added < 40 || ReadersOpened(progress) < 15) && added < 2000 && stopwatch.Elapsed < TimeSpan.FromMinutes(2) && !child.HasExited)
        {
            using var writer = RocksPacketIndex.OpenWriter(indexPath, new RocksIndexOptions { LockWait = TimeSpan.FromSeconds(10) });
            var batch = added % 3 == 0 ? 3 : 1;
            for (var i = 0; i < batch; i++)
            {
                Add(writer, ++added);
                Publish(committed, added);
            }
        }

        await File.WriteAllTextAsync(stop, "stop");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);
        var stdout = await output;
        var stderr = await errors;

        Assert.True(child.ExitCode == 0, $"reader process failed (exit {child.ExitCode}): {stderr}{stdout}");
        var figures = stdout.Split(' ', StringSplitOptions.TrimEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        Assert.True(figures["readers"] >= 15, stdout);
        Assert.True(figures["distinctCounts"] >= 2, $"the reader never saw the writer progress: {stdout}");
        using var final = RocksPacketIndex.OpenReader(indexPath);
        Assert.Equal(added, final.Segments().Count);
    }

    private static void Add(RocksPacketIndex writer, long segmentId)
    {
        var segment = Synthetic.ForId(segmentId, ReaderProbe.SegmentPackets);
        writer.Add(segment.Segment, segment.Data);
    }

    private static void Publish(string path, long value)
    {
        File.WriteAllText(path + ".tmp", value.ToString(CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static int ReadersOpened(string progress)
    {
        try
        {
            return File.Exists(progress) ? int.Parse(File.ReadAllText(progress), CultureInfo.InvariantCulture) : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static Process StartReader(string indexPath, string committed, string stop, string progress)
    {
        var assembly = typeof(ReaderProbe).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", assembly, "reader-probe", indexPath, committed, stop, progress })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the reader process");
    }

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH for its child processes).</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }
}
