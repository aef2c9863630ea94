namespace Recorder.Cli;

/// <summary>Exit codes of every command (the CLI contract).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found a problem (e.g. verification failed).</summary>
    public const int Problem = 1;

    /// <summary>Bad arguments or unusable input.</summary>
    public const int Usage = 2;

    /// <summary>What was asked for is not in the store (e.g. no session carried a file with that hash).</summary>
    public const int NotFound = 3;
}

/// <summary>A failure the CLI reports as one line on stderr with a given exit code.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Problem;

    /// <summary>Bad arguments or unusable input (exit code 2).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
