using System.Diagnostics;
using System.Globalization;

namespace Recorder.Api.Tests.Support;

/// <summary>A real <c>recorder serve</c> process on a test store.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts <c>recorder serve</c> with <paramref name="workers"/> job workers: on PostgreSQL when
    /// <paramref name="connection"/> is given, else on the SQLite job storage inside the store.
    /// </summary>
    public static async Task<ServeProcess> StartAsync(ServiceTestStore store, int workers, string? connection = null, string schema = "hangfire",
        params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "recorder.dll"), "--store", store.StorePath, "serve", "--urls", "http://127.0.0.1:0",
            "--policies", store.PoliciesPath, "--postgres-schema", schema, "--workers", workers.ToString(CultureInfo.InvariantCulture),
        }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        // The connection string travels in the environment, not on the command line other users can read.
        start.Environment["RECORDER_POSTGRES"] = connection ?? string.Empty;
        var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = await process.StandardOutput.ReadLineAsync();
            if (line is null)
            {
                break;
            }

            const string marker = "recorder serve: listening on ";
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new ServeProcess(process, new Uri(line[marker.Length..]));
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("recorder serve did not start: " + await error);
    }

    public ApiClient As(string token) => new(new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) }, token);

    /// <summary>SIGKILL: the process dies without a word, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        Process.Start("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the service stops cleanly (as systemd stops it).
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
