using System.Security.Cryptography;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Core.Hashing;

namespace Recorder.Api.Sinks;

/// <summary>How a sink ended.</summary>
/// <param name="Succeeded">True when it received everything and finished well.</param>
/// <param name="Error">Why not, otherwise.</param>
/// <param name="Delivered">What it received (bytes or chunks).</param>
internal sealed record SinkOutcome(bool Succeeded, string? Error, string Delivered);

/// <summary>What every sink of one query shares.</summary>
/// <param name="Feed">The query's output so far.</param>
/// <param name="ArtifactsDirectory">Where this sink keeps what it produces (<c>artifacts/SINK/</c>).</param>
/// <param name="StoreRoot">The store directory (relative folder-sink directories are resolved against it).</param>
/// <param name="Http">The client HTTP sinks post with.</param>
/// <param name="QueryEnded">Fires when the query has ended; the sink's timeout then starts.</param>
internal sealed record SinkContext(QueryFeed Feed, string ArtifactsDirectory, string StoreRoot, HttpClient Http, CancellationToken QueryEnded);

/// <summary>
/// Runs one sink of a query on its own task. The sink reads the query's files at its own pace; a
/// sink that fails, hangs or is slow only ever fails itself: it is stopped once the query has ended
/// and its timeout has passed, and its failure is recorded with the query and in the ledger.
/// </summary>
internal abstract class SinkRunner
{
    protected SinkRunner(SinkDefinition definition, SinkContext context)
    {
        Definition = definition;
        Context = context;
    }

    public SinkDefinition Definition { get; }

    protected SinkContext Context { get; }

    public static SinkRunner Create(SinkDefinition definition, SinkContext context) => definition.Type switch
    {
        SinkType.Process => new ProcessSink(definition, context),
        SinkType.Http => new HttpSink(definition, context),
        SinkType.Folder => new FolderSink(definition, context),
        _ => throw new InvalidOperationException($"unknown sink type {definition.Type}"),
    };

    /// <summary>
    /// Runs the sink to its end. <paramref name="stop"/> fires when the sink's time is up (its
    /// timeout after the query ended) or the service shuts down.
    /// </summary>
    public async Task<SinkOutcome> RunAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(Context.ArtifactsDirectory);
        try
        {
            return await RunCoreAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new SinkOutcome(false, $"did not finish within {Definition.Timeout.TotalSeconds:0.###} s after the query ended; stopped", Delivered());
        }
        catch (Exception e)
        {
            return new SinkOutcome(false, $"{e.GetType().Name}: {e.Message}", Delivered());
        }
    }

    /// <summary>The sink's files, hashed: name (<c>SINK/...</c>), size, SHA-256.</summary>
    public IReadOnlyList<ArtifactInfo> Artifacts()
    {
        if (!Directory.Exists(Context.ArtifactsDirectory))
        {
            return [];
        }

        var artifacts = new List<ArtifactInfo>();
        foreach (var file in Directory.EnumerateFiles(Context.ArtifactsDirectory, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        }).Order(StringComparer.Ordinal))
        {
            // A program may leave links in its working directory: only regular files are artifacts,
            // so nothing outside the query's directory is ever hashed or served.
            if (new FileInfo(file).LinkTarget is not null)
            {
                continue;
            }

            using var stream = File.OpenRead(file);
            var sha = Hex.Lower(SHA256.HashData(stream));
            var relative = Path.GetRelativePath(Context.ArtifactsDirectory, file).Replace('\\', '/');
            artifacts.Add(new ArtifactInfo { Name = Definition.Name + "/" + relative, Bytes = stream.Length, Sha256 = sha });
        }

        return artifacts;
    }

    protected abstract Task<SinkOutcome> RunCoreAsync(CancellationToken stop);

    /// <summary>A short account of what was delivered so far.</summary>
    protected abstract string Delivered();

    /// <summary>Waits until chunk <paramref name="index"/> exists; null once the query has ended without it.</summary>
    protected async Task<ChunkInfo?> NextChunkAsync(int index, CancellationToken stop)
    {
        while (true)
        {
            if (Context.Feed.Chunk(index) is { } chunk)
            {
                return chunk;
            }

            if (Context.Feed.FinalLength is not null)
            {
                return Context.Feed.Chunk(index);
            }

            await Context.Feed.WaitAsync(TimeSpan.FromMilliseconds(200), stop).ConfigureAwait(false);
        }
    }
}

/// <summary>A sink named by a query that the policies in force no longer define: it fails at once.</summary>
internal sealed class UnavailableSink(Queries.SinkStatus sink, SinkContext context)
    : SinkRunner(new SinkDefinition { Name = sink.Name, Type = SinkType.Process }, context)
{
    protected override string Delivered() => "nothing";

    protected override Task<SinkOutcome> RunCoreAsync(CancellationToken stop) =>
        Task.FromResult(new SinkOutcome(false, $"no sink named '{sink.Name}' is defined in the policies in force", Delivered()));
}
