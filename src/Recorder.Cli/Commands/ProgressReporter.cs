using Spectre.Console;

namespace Recorder.Cli.Commands;

/// <summary>
/// A progress bar on an interactive terminal (Spectre.Console), nothing when output is redirected
/// (scripts and tests read only the final summary).
/// </summary>
internal static class ProgressReporter
{
    public static bool Interactive => !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a task whose value the work updates (0..max).</summary>
    public static T Run<T>(string description, double max, Func<Action<double, string?>, T> work)
    {
        if (!Interactive)
        {
            return work((_, _) => { });
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, max));
                result = work((value, label) =>
                {
                    task.Value = value;
                    if (label is not null)
                    {
                        task.Description = Markup.Escape(label);
                    }
                });
                task.Value = task.MaxValue;
            });
        return result;
    }
}
