using System.Text.Json.Nodes;

namespace Recorder.Api.Queries;

/// <summary>
/// The file a cancel request leaves in the query's directory (<c>cancel.json</c>, who and when).
/// A file rather than a message because the job may run on another node: every node sees the
/// store, and a worker looks for the marker four times a second.
/// </summary>
internal sealed class CancelMarker(QueryRepository repository, string queryId)
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Who cancelled the query (<c>?</c> when the marker cannot be read), or null when nobody has.</summary>
    public string? CancelledBy()
    {
        var path = repository.CancelMarkerPath(queryId);
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(path))?["by"]?.GetValue<string>() ?? "?";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return "?";
        }
    }

    /// <summary>Cancels <paramref name="cancel"/> once the marker appears; watching stops when the result is disposed.</summary>
    public IDisposable Watch(CancellationTokenSource cancel)
    {
        var path = repository.CancelMarkerPath(queryId);
        return new Timer(_ =>
        {
            if (File.Exists(path))
            {
                TryCancel(cancel);
            }
        }, null, WatchInterval, WatchInterval);
    }

    /// <summary>Cancels <paramref name="source"/> unless it is already disposed (its work is done).</summary>
    public static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already done.
        }
    }
}
