using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Recorder.Core.Capture;
using Recorder.Core.Formats;
using Recorder.Core.Store;
using Recorder.Storage.Segments;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Storage.Recording;

/// <summary>Limits and identity of a live capture.</summary>
public sealed record LiveRecordingOptions
{
    /// <summary>The filter the capture applies, recorded as given.</summary>
    public string? Filter { get; init; }

    /// <summary>Stop after this many packets are stored.</summary>
    public long? MaxPackets { get; init; }

    /// <summary>Stop after this long.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Build each sealed segment's session metadata on its own thread as the capture goes on (off by
    /// default: it costs a core's time and memory per concurrent session; docs/sessions.md "In the store").
    /// </summary>
    public bool BuildSessions { get; init; }

    /// <summary>How often open segments are handed to the OS and checked against the age limit.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>What a live capture stored and what it lost.</summary>
/// <param name="CaptureId">The capture's id.</param>
/// <param name="Packets">Packets stored.</param>
/// <param name="PacketBytes">Captured bytes stored.</param>
/// <param name="Statistics">Counters from libpcap and Recorder's queue.</param>
/// <param name="NotStoredAfterLimit">Packets captured after the packet limit was reached, not stored.</param>
/// <param name="Segments">Segments sealed.</param>
/// <param name="Elapsed">How long it ran.</param>
/// <param name="StopReason">packets, duration, interrupted or source-ended.</param>
public sealed record LiveRecordingResult(
    string CaptureId,
    long Packets,
    long PacketBytes,
    LiveStatistics Statistics,
    long NotStoredAfterLimit,
    IReadOnlyList<SealedSegment> Segments,
    TimeSpan Elapsed,
    string StopReason)
{
    /// <summary>Session metadata built per segment after it sealed (on the indexer's thread, while the capture went on).</summary>
    public IReadOnlyList<SessionIndexOutcome> Sessions { get; init; } = [];

    /// <summary>The statistics as recorded in manifests and the ledger.</summary>
    public JsonObject StatisticsJson() => new()
    {
        ["received"] = Statistics.Received,
        ["kernelDropped"] = Statistics.KernelDropped,
        ["interfaceDropped"] = Statistics.InterfaceDropped,
        ["recorderDropped"] = Statistics.RecorderDropped,
        ["stored"] = Packets,
        ["notStoredAfterLimit"] = NotStoredAfterLimit,
    };
}

/// <summary>
/// Writes a live capture's packets into a store: segments seal at the size and age limits and at the
/// end, every segment is indexed and ledgered as it seals, open segments are handed to the OS
/// several times a second (so a crash loses at most that much and recovery seals the rest), and the
/// drop counters end up in the ledger and in the last segments' manifests.
/// </summary>
public sealed class LiveRecorder
{
    private readonly EvidenceStore _store;

    /// <summary>Creates a recorder for <paramref name="store"/>.</summary>
    public LiveRecorder(EvidenceStore store) => _store = store;

    /// <summary>
    /// Records until a limit is reached or <paramref name="cancellationToken"/> fires (Ctrl-C), then
    /// calls <paramref name="stop"/>, stores what was already queued, and seals.
    /// </summary>
    public LiveRecordingResult Run(CaptureInterface captureInterface, ChannelReader<LiveFrame> frames, Func<LiveStatistics> stop,
        LiveRecordingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(captureInterface);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(options);
        var captureId = Guid.NewGuid().ToString();
        var origin = new JsonObject
        {
            ["kind"] = "capture",
            ["captureId"] = captureId,
            ["interface"] = captureInterface.Name,
            ["filter"] = options.Filter,
            ["snapLength"] = captureInterface.SnapLength,
            ["linkType"] = captureInterface.LinkType,
            ["host"] = Environment.MachineName,
        };
        _store.Record(LedgerActions.CaptureStarted, new JsonObject { ["captureId"] = captureId, ["interface"] = captureInterface.Name },
            new Dictionary<string, string>(), origin.DeepClone().AsObject());
        var session = RecordingSession.Start(_store, SealMode.Immediately, origin);

        // Each segment's session metadata is built on the indexer's own thread as it seals.
        using var sessions = options.BuildSessions ? new SessionIndexer(_store) : null;
        if (sessions is not null)
        {
            session.Sealed += sessions.Enqueue;
        }

        var stopwatch = Stopwatch.StartNew();
        var lastFlush = stopwatch.Elapsed;
        long stored = 0, notStored = 0;
        string? stopReason = null;
        LiveStatistics? statistics = null;
        try
        {
            while (true)
            {
                if (stopReason is null)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        stopReason = "interrupted";
                    }
                    else if (options.Duration is { } duration && stopwatch.Elapsed >= duration)
                    {
                        stopReason = "duration";
                    }
                    else if (options.MaxPackets is { } max && stored >= max)
                    {
                        stopReason = "packets";
                    }

                    if (stopReason is not null)
                    {
                        statistics = stop();
                    }
                }

                if (frames.TryRead(out var frame))
                {
                    if (options.MaxPackets is { } limit && stored >= limit)
                    {
                        notStored++;
                    }
                    else
                    {
                        session.Append(captureInterface, 0, (ulong)frame.Nanoseconds, frame.Nanoseconds, frame.OriginalLength, frame.Data);
                        stored++;
                    }

                    frame.Release();
                }
                else if (frames.Completion.IsCompleted)
                {
                    stopReason ??= "source-ended";
                    statistics ??= stop();
                    break;
                }
                else if (stopReason is null)
                {
                    // Nothing queued: wait a little for the next packet without spinning.
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    wait.CancelAfter(options.FlushInterval);
                    try
                    {
                        frames.WaitToReadAsync(wait.Token).AsTask().GetAwaiter().GetResult();
                    }
                    catch (OperationCanceledException)
                    {
                        // Timed out or interrupted: the loop decides.
                    }
                }

                if (stopwatch.Elapsed - lastFlush >= options.FlushInterval)
                {
                    session.SealAged();
                    session.FlushToOperatingSystem();
                    lastFlush = stopwatch.Elapsed;
                }
            }

            frames.Completion.GetAwaiter().GetResult();
        }
        catch
        {
            // The open segments stay where they are; recovery seals their complete packets.
            session.Dispose();
            throw;
        }

        var partial = new LiveRecordingResult(captureId, stored, session.PacketBytes, statistics!, notStored, [], stopwatch.Elapsed, stopReason!);
        var segments = session.Commit("end-of-capture", new JsonObject { ["statistics"] = partial.StatisticsJson(), ["stopReason"] = stopReason });
        var result = partial with { Segments = segments, Sessions = sessions?.Complete() ?? [] };
        _store.Record(LedgerActions.CaptureStopped,
            new JsonObject
            {
                ["captureId"] = captureId,
                ["interface"] = captureInterface.Name,
                ["segmentIds"] = new JsonArray(segments.Select(s => (JsonNode)s.Id).ToArray()),
            },
            new Dictionary<string, string>(),
            new JsonObject
            {
                ["filter"] = options.Filter,
                ["snapLength"] = captureInterface.SnapLength,
                ["statistics"] = result.StatisticsJson(),
                ["stopReason"] = stopReason,
                ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
            });
        return result;
    }
}
