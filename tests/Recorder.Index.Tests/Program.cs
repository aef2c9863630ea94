using Recorder.Index.Tests.Concurrency;

namespace Recorder.Index.Tests;

/// <summary>
/// Entry point when this assembly runs as a child process (the test runner does not use it):
/// <c>dotnet exec Recorder.Index.Tests.dll reader-probe INDEX COMMITTED STOP PROGRESS</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 5 && args[0] == "reader-probe")
        {
            return ReaderProbe.Run(args[1], args[2], args[3], args[4]);
        }

        Console.Error.WriteLine("usage: reader-probe INDEX COMMITTED-FILE STOP-FILE PROGRESS-FILE");
        return 2;
    }
}
