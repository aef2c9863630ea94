using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using Recorder.Cli.Commands;
using Recorder.Core.Formats;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Cli;

/// <summary>
/// The <c>recorder</c> command line. Every command that reads or writes a store takes <c>--store DIR</c>; exit code 0 means
/// success, 1 that the command ran and found a problem, 2 bad arguments or unusable input, and every
/// error is one line on stderr naming the file, offset or argument at fault.
/// </summary>
public static class RecorderCli
{
    /// <summary>The name help and errors show, whichever build (native <c>recorder</c> or managed <c>recorder-service</c>) runs.</summary>
    public const string CommandName = "recorder";

    /// <summary>Runs the command line with the given arguments and writers; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var storeOption = new Option<string?>("--store")
        {
            Description = "The store directory (default: $RECORDER_STORE, else ./recorder-data)",
            HelpName = "DIR",
        };

        // Not a RootCommand: its name is the executable's, and the managed build's executable is
        // recorder-service, which help would then show as the command to type.
        var root = new Command(CommandName, "Recorder: an evidence-grade network forensic recorder. Records traffic losslessly into signed, " +
            "indexed segments and extracts it as standard PCAP with a custody record.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        var factory = new CommandFactory(storeOption, output, error);
        root.Subcommands.Add(ImportCommand.Create(factory));
        root.Subcommands.Add(CaptureCommand.Create(factory));
        root.Subcommands.Add(QueryCommand.Create(factory));
        root.Subcommands.Add(SessionsCommand.Create(factory));
        root.Subcommands.Add(FilesCommand.Create(factory));
        root.Subcommands.Add(KeyLogCommand.Create(factory));
        root.Subcommands.Add(VerifyCommand.Create(factory));
        root.Subcommands.Add(SegmentsCommand.Create(factory));
        root.Subcommands.Add(StatsCommand.Create(factory));
        root.Subcommands.Add(KeyCommand.Create(factory));
        root.Subcommands.Add(IndexCommand.Create(factory));
        root.Subcommands.Add(LedgerCommand.Create(factory));
        root.Subcommands.Add(PackageCommand.Create(factory));
        root.Subcommands.Add(PackageCommand.CreateVerify(factory));
        root.Subcommands.Add(SynthCommand.Create(factory));
        root.Subcommands.Add(DemoCommand.Create(factory));
        foreach (var command in ServiceCommands.Create(factory))
        {
            root.Subcommands.Add(command);
        }

        // --store only where a store is read or written (synth and verify-package work on files
        // alone), and before the command as well (recorder --store DIR query ...), as always.
        root.Options.Add(storeOption);
        AddToStoreCommands(root.Subcommands.Where(c => c.Name is not ("synth" or "verify-package")), storeOption);

        var parse = root.Parse(args);
#if !RECORDER_SERVICE
        if (ServiceCommands.IsDelegated(parse))
        {
            return ServiceCommands.Exec(args, error);
        }
#endif
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine($"recorder: {ParseErrors.Describe(problem, parse)}");
            }

            return ExitCodes.Usage;
        }

        // Ctrl-C and SIGTERM cancel the command's token and the command finishes its own way: a
        // capture stops, stores what is queued and seals; an import leaves nothing behind. A second
        // signal ends the process at once.
        using var interrupted = new CancellationTokenSource();
        Action<PosixSignalContext> handler = context =>
        {
            if (!interrupted.IsCancellationRequested)
            {
                context.Cancel = true;
                interrupted.Cancel();
            }
        };
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, handler);
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(configuration, interrupted.Token).ConfigureAwait(false);
    }

    private static void AddToStoreCommands(IEnumerable<Command> commands, Option<string?> storeOption)
    {
        foreach (var command in commands)
        {
            command.Options.Add(storeOption);
            AddToStoreCommands(command.Subcommands, storeOption);
        }
    }
}

/// <summary>Builds command actions that share the store option, writers and error handling.</summary>
internal sealed class CommandFactory(Option<string?> storeOption, TextWriter output, TextWriter error)
{
    /// <summary>Wraps an action: known failures become one stderr line and an exit code.</summary>
    public void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = CommandPath(command);
            try
            {
                var context = new CliContext(parse, storeOption, output, error);
                return await action(context, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                error.WriteLine($"recorder {name}: {OneLine(e)}");
                return e.ExitCode;
            }
            catch (CaptureFormatException e)
            {
                error.WriteLine($"recorder {name}: {OneLine(e)}");
                return ExitCodes.Usage;
            }
            catch (FileNotFoundException e)
            {
                error.WriteLine($"recorder {name}: {OneLine(e)}");
                return ExitCodes.Usage;
            }
            catch (DirectoryNotFoundException e)
            {
                error.WriteLine($"recorder {name}: {OneLine(e)}");
                return ExitCodes.Usage;
            }
            catch (UnauthorizedAccessException e)
            {
                error.WriteLine($"recorder {name}: permission denied: {OneLine(e)}");
                return ExitCodes.Usage;
            }
            catch (StoreException e)
            {
                error.WriteLine($"recorder {name}: {OneLine(e)}");
                return ExitCodes.Usage;
            }
            catch (SegmentCorruptException e)
            {
                error.WriteLine($"recorder {name}: corrupt segment: {OneLine(e)} (run recorder verify)");
                return ExitCodes.Problem;
            }
            catch (OperationCanceledException)
            {
                error.WriteLine($"recorder {name}: interrupted");
                return ExitCodes.Problem;
            }
            catch (Exception e)
            {
                // Anything else is a fault of Recorder or of the machine: one line, exit 1, and the
                // stack trace only when asked for (RECORDER_DEBUG=1).
                error.WriteLine($"recorder {name}: {e.GetType().Name}: {OneLine(e)}");
                if (Environment.GetEnvironmentVariable("RECORDER_DEBUG") == "1")
                {
                    error.WriteLine(e.ToString());
                }

                return ExitCodes.Problem;
            }
        });
    }

    /// <summary>Synchronous variant.</summary>
    public void SetAction(Command command, Func<CliContext, CancellationToken, int> action) =>
        SetAction(command, (context, token) => Task.FromResult(action(context, token)));

    /// <summary>
    /// An exception's message as one line: an <see cref="ArgumentException"/>'s own text without the
    /// "(Parameter 'x')" and "Actual value was" lines .NET adds, which name our internals, not the user's input.
    /// </summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            var cut = message.IndexOf($" (Parameter '{parameter}')", StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        var lines = message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("; ", lines);
    }

    /// <summary>The command as typed after <c>recorder</c>, e.g. <c>ledger consistency</c>.</summary>
    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command { Name: not RecorderCli.CommandName } named; symbol = named.Parents.FirstOrDefault())
        {
            names.Insert(0, named.Name);
        }

        return string.Join(' ', names);
    }
}
