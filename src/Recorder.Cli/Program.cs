namespace Recorder.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => RecorderCli.RunAsync(args, Console.Out, Console.Error);
}
