using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>The outcome of one <c>recorder</c> run.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON on stdout");

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs the CLI in this process (fast) or as a real child process (for kills, signals and concurrency).</summary>
public static class Cli
{
    /// <summary>The built <c>recorder.dll</c> copied next to the tests.</summary>
    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "recorder.dll");

    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = RecorderCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static CliResult RunProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartProcess(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("recorder did not finish: " + string.Join(' ', args));
        }

        return new CliResult(process.ExitCode, output.Result, error.Result);
    }

    public static Process StartProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>A deterministic sample capture (and its truth) in <paramref name="directory"/>.</summary>
    public static (string Path, Synthesis.Truth.SynthesisTruth Truth) Sample(TempDirectory directory, long packets = 5000, ulong seed = 1,
        Core.Formats.CaptureFileFormat format = Core.Formats.CaptureFileFormat.Pcap)
    {
        var path = directory.File($"sample-{seed}-{packets}.{(format == Core.Formats.CaptureFileFormat.Pcap ? "pcap" : "pcapng")}");
        var truth = Synthesis.TrafficSynthesizer.Write(path, new Synthesis.SynthesisOptions { TargetPackets = packets, Seed = seed, Format = format });
        return (path, truth);
    }
}
