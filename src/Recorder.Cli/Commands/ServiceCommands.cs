using System.CommandLine;
#if !RECORDER_SERVICE
using System.Runtime.InteropServices;
#endif

namespace Recorder.Cli.Commands;

/// <summary>
/// The commands that run the investigation service or manage its users (<c>serve</c>, <c>user</c>).
/// They need Recorder.Api (ASP.NET Core, Hangfire, Npgsql, Newtonsoft), which cannot be compiled
/// ahead of time. The managed build (tests, <c>dotnet run</c>, <c>recorder-service</c>) holds them;
/// the native <c>recorder</c> that <c>dotnet publish</c> makes lists them and, when one is asked for,
/// replaces itself with <c>recorder-service</c> from its own directory, given the same arguments.
/// </summary>
internal static partial class ServiceCommands
{
    /// <summary>The managed companion published beside the native <c>recorder</c>.</summary>
    public const string CompanionFileName = "recorder-service";

    public const string ServeDescription = "Run the investigation service (REST API, audited query jobs, streamed results, sinks) until Ctrl-C";

    public const string UserDescription = "The service's users and their bearer tokens";

#if RECORDER_SERVICE
    public static IEnumerable<Command> Create(CommandFactory factory) => [ServeCommand.Create(factory), UserCommand.Create(factory)];
#else
    /// <summary>Stand-ins for help: their arguments are the companion's to check.</summary>
    public static IEnumerable<Command> Create(CommandFactory _) =>
    [
        new Command("serve", ServeDescription) { TreatUnmatchedTokensAsErrors = false },
        new Command("user", UserDescription) { TreatUnmatchedTokensAsErrors = false },
    ];

    /// <summary>Whether the parsed command is one of the stand-ins.</summary>
    public static bool IsDelegated(ParseResult parse) =>
        parse.CommandResult is { Command.Name: "serve" or "user", Parent: System.CommandLine.Parsing.CommandResult { Command.Name: RecorderCli.CommandName } };

    /// <summary>
    /// Replaces this process with the companion (execv: same process id, so signals, exit code,
    /// standard streams and the environment are the companion's own). Returns only when that failed.
    /// </summary>
    public static int Exec(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var path = Path.Combine(AppContext.BaseDirectory, CompanionFileName);
        Execv(path, [path, .. args]);
        var reason = Marshal.GetLastPInvokeErrorMessage();
        error.WriteLine($"recorder {args.FirstOrDefault(a => a is "serve" or "user")}: cannot start {path}, which runs the service commands: {reason} " +
            "(dotnet publish src/Recorder.Cli puts it beside recorder)");
        return ExitCodes.Problem;
    }

    /// <summary>
    /// execv(2) with the argument vector built by hand (UTF-8 strings and a null terminator in
    /// unmanaged memory). The generated marshalling of a <c>string?[]</c> threw an OverflowException
    /// in the native build before execv was called (NativePublishTests: serve never answered); the
    /// cause inside the generated stub was not isolated, so nothing is left to it.
    /// </summary>
    private static unsafe void Execv(string path, string[] arguments)
    {
        var vector = (nint*)NativeMemory.AllocZeroed((nuint)(arguments.Length + 1), (nuint)sizeof(nint));
        var nativePath = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                vector[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            ExecvNative((byte*)nativePath, vector);
        }
        finally
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                Marshal.FreeCoTaskMem(vector[i]);
            }

            Marshal.FreeCoTaskMem(nativePath);
            NativeMemory.Free(vector);
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static unsafe partial int ExecvNative(byte* path, nint* argv);
#endif
}
