using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Recorder.Api.Policies;
using Recorder.Api.Queries;

namespace Recorder.Api.Sinks;

/// <summary>
/// Pipes the query's PCAP stream into a program's standard input as it is written (e.g.
/// <c>tshark -r - -q -z conv,ip</c>) and keeps what it prints (<c>SINK/stdout</c>, <c>SINK/stderr</c>)
/// and any file it leaves in its working directory (<c>SINK/files/...</c>) as artifacts. The program
/// runs without a shell, exactly as the administrator defined it; it succeeds when it exits with 0.
/// </summary>
internal sealed class ProcessSink(SinkDefinition definition, SinkContext context) : SinkRunner(definition, context)
{
    private long _written;

    protected override string Delivered() => string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Read(ref _written)} bytes to standard input");

    protected override async Task<SinkOutcome> RunCoreAsync(CancellationToken stop)
    {
        var work = Path.Combine(Context.ArtifactsDirectory, "files");
        Directory.CreateDirectory(work);
        var start = new ProcessStartInfo(Definition.Command!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work,
        };
        foreach (var argument in Definition.Args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RECORDER_QUERY_ID"] = Context.Feed.QueryId;
        start.Environment["RECORDER_FORMAT"] = Context.Feed.Format;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Win32Exception e)
        {
            return new SinkOutcome(false, $"cannot start '{Definition.Command}': {e.Message}", Delivered());
        }

        using (process)
        {
            var exceeded = 0;
            void Kill()
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is InvalidOperationException or Win32Exception)
                {
                    // It has exited already.
                }
            }

            void OnExceeded()
            {
                Interlocked.Exchange(ref exceeded, 1);
                Kill();
            }

            using var stopping = stop.Register(Kill);
            var stdout = CopyCappedAsync(process.StandardOutput.BaseStream, Path.Combine(Context.ArtifactsDirectory, "stdout"), Definition.MaxOutputBytes, OnExceeded);
            var stderr = CopyCappedAsync(process.StandardError.BaseStream, Path.Combine(Context.ArtifactsDirectory, "stderr"), Definition.MaxOutputBytes, OnExceeded);
            string? inputNote = null;
            var input = process.StandardInput.BaseStream;
            try
            {
                try
                {
                    await ResultFollower.CopyAsync(Context.Feed.ResultPath, async (bytes, token) =>
                    {
                        await input.WriteAsync(bytes, token).ConfigureAwait(false);
                        await input.FlushAsync(token).ConfigureAwait(false);
                        Interlocked.Add(ref _written, bytes.Length);
                    }, () => Context.Feed.FinalLength, token => Context.Feed.WaitAsync(TimeSpan.FromMilliseconds(200), token), stop).ConfigureAwait(false);
                    input.Close();
                }
                catch (IOException e)
                {
                    // The program closed its input (it exited, or chose to read no more).
                    inputNote = $"; it stopped reading its input ({e.Message})";
                }

                await process.WaitForExitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Kill();
                await DrainAsync(stdout, stderr).ConfigureAwait(false);
                throw;
            }

            await DrainAsync(stdout, stderr).ConfigureAwait(false);
            if (Volatile.Read(ref exceeded) == 1)
            {
                return new SinkOutcome(false, $"wrote more than {Definition.MaxOutputBytes} bytes to an output stream; stopped", Delivered() + inputNote);
            }

            return process.ExitCode == 0
                ? new SinkOutcome(true, null, Delivered() + inputNote)
                : new SinkOutcome(false, $"'{Definition.Command}' exited with code {process.ExitCode}", Delivered() + inputNote);
        }
    }

    /// <summary>Once the process is gone its pipes close and the copies end; a grandchild holding them open is not waited for long.</summary>
    private static async Task DrainAsync(Task stdout, Task stderr)
    {
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The artifacts hold what arrived; the sink's outcome says the rest.
        }
    }

    private static async Task CopyCappedAsync(Stream source, string path, long cap, Action onExceeded)
    {
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                var keep = (int)Math.Min(read, Math.Max(0, cap - total));
                if (keep > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, keep)).ConfigureAwait(false);
                }

                total += read;
                if (total > cap)
                {
                    onExceeded();
                }
            }

            await file.FlushAsync().ConfigureAwait(false);
        }
    }
}
