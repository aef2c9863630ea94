using System.Diagnostics;
using System.Globalization;

namespace Recorder.Benchmarks;

/// <summary>A finished child process: exit code, wall time, peak resident memory, output.</summary>
public sealed record Measured(int ExitCode, TimeSpan Elapsed, long PeakBytes, string Output, string Error)
{
    public double Seconds => Elapsed.TotalSeconds;
}

/// <summary>Runs programs and measures wall time and peak memory (VmHWM, sampled from /proc until exit).</summary>
public static class Processes
{
    public static Measured Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(10))
        {
            peak = Math.Max(peak, PeakResident(process.Id));
        }

        stopwatch.Stop();
        process.WaitForExit();
        return new Measured(process.ExitCode, stopwatch.Elapsed, peak, output.Result, error.Result);
    }

    /// <summary>Runs under /usr/bin/time when present, which reports the exact peak (maxrss) at exit.</summary>
    public static Measured RunTimed(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists("/usr/bin/time"))
        {
            return Run(program, arguments, environment);
        }

        var marker = "RECORDER-BENCH-MAXRSS-KB=";
        var result = Run("/usr/bin/time", ["-f", marker + "%M", program, .. arguments], environment);
        var line = result.Error.Split('\n').LastOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal));
        var peak = line is null ? result.PeakBytes : long.Parse(line[marker.Length..], CultureInfo.InvariantCulture) * 1024;
        var error = string.Join('\n', result.Error.Split('\n').Where(l => !l.StartsWith(marker, StringComparison.Ordinal)));
        return result with { PeakBytes = peak, Error = error };
    }

    private static long PeakResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between two samples.
        }

        return 0;
    }
}
