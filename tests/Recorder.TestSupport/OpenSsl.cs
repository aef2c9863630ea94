namespace Recorder.TestSupport;

/// <summary>Runs the real openssl binary; tests skip visibly when it is not installed.</summary>
public static class OpenSsl
{
    private static readonly string? Path = ExternalTools.Find("openssl");

    public static bool IsAvailable => Path is not null;

    /// <summary>Runs openssl with <paramref name="arguments"/>: exit code, and standard output followed by standard error.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var (code, output, error) = ExternalTools.Run(Path ?? "openssl", arguments, TimeSpan.FromMinutes(1));
        return (code, output + error);
    }
}
