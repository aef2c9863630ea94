using Xunit;
using System.Diagnostics;

namespace Recorder.TestSupport;

/// <summary>Finds the external programs and shared material some tests use, and runs them.</summary>
public static class ExternalTools
{
    private static readonly Lazy<string?> SharedRoot = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Recorder.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared"));
                return Directory.Exists(Path.Combine(shared, "corpus")) ? shared : null;
            }

            directory = directory.Parent;
        }

        return null;
    });

    /// <summary>The repository root (where Recorder.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Recorder.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Recorder.sln not found above the test directory");
        }
    }

    /// <summary><c>../shared</c> beside the checkout, when present (CI has it; a plain clone does not).</summary>
    public static string? Shared => SharedRoot.Value;

    /// <summary>Skips the test with a visible reason when ../shared/corpus is absent.</summary>
    public static string RequireShared()
    {
        Skip.If(Shared is null, "../shared/corpus is not present beside this checkout: conformance test skipped (CI runs it)");
        return Shared!;
    }

    /// <summary>Full path of a program on PATH, or null.</summary>
    public static string? Find(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Skips the test with a visible reason when <paramref name="program"/> is not installed.</summary>
    public static string Require(string program, string package)
    {
        var path = Find(program);
        Skip.If(path is null, $"{program} is not installed (Debian package {package}): test skipped; .ci/run installs it");
        return path!;
    }

    /// <summary>Runs a program to completion; returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
