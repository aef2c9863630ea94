using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Sessions;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>What indexing one segment's sessions gave.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Sessions">Records written (0 on failure).</param>
/// <param name="Sha256">The metadata file's SHA-256, or null on failure.</param>
/// <param name="Path">The metadata file, relative to the store.</param>
/// <param name="BuildTime">Reading the segment and building the records.</param>
/// <param name="SealedToSearchable">From the moment the segment was handed over (just sealed) to its file being in place.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record SessionIndexOutcome(long SegmentId, long Sessions, string? Sha256, string Path, TimeSpan BuildTime,
    TimeSpan SealedToSearchable, string? Error);

/// <summary>
/// Builds session metadata for sealed segments on its own thread (another core), in the order they
/// were sealed, so sealing never waits for it: a recording session hands each segment over as it
/// is sealed (<see cref="Enqueue"/>) and <see cref="Complete"/> waits for the rest. A failure is
/// recorded in the segment's outcome, never thrown into the writer; the segment then has no
/// metadata file ("not built") until <c>recorder sessions index</c> builds it.
/// </summary>
public sealed class SessionIndexer : IDisposable
{
    private readonly EvidenceStore _store;
    private readonly SessionOptions _options;
    private readonly BlockingCollection<(SealedSegment Segment, long HandedOver)> _queue = new();
    private readonly ConcurrentQueue<SessionIndexOutcome> _outcomes = new();
    private readonly Thread _worker;

    /// <summary>Starts the worker for <paramref name="store"/>.</summary>
    public SessionIndexer(EvidenceStore store, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new SessionOptions();
        _worker = new Thread(Run) { IsBackground = true, Name = "session metadata" };
        _worker.Start();
    }

    /// <summary>Queues a segment that was just sealed.</summary>
    public void Enqueue(SealedSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        _queue.Add((segment, Stopwatch.GetTimestamp()));
    }

    /// <summary>Waits until every queued segment is done; returns each one's outcome in order.</summary>
    public IReadOnlyList<SessionIndexOutcome> Complete()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        _worker.Join();
        return _outcomes.ToList();
    }

    /// <summary>
    /// Builds, ledgers and puts in place the metadata of <paramref name="segment"/> (the block file,
    /// <c>.sessions.jsonl.zst</c>, records and term index in one file). The ledger entry (with the
    /// file's SHA-256 and that of the JSON lines it holds) comes first, then the file is written atomically under the seal lock
    /// (every write into <c>segments/</c> is; the temporary file of a failed write is removed, and one
    /// a crash left is removed by the next opener's clean-up): a crash in between leaves an entry
    /// whose file is absent, which verification reports as "not built", never a file no entry names.
    /// </summary>
    public static SessionIndexOutcome IndexOne(EvidenceStore store, SealedSegment segment, SessionOptions? options = null,
        long handedOver = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(segment);
        var layout = store.Layout;
        var path = layout.SessionBlocksFile(segment.Id);
        var metadata = SessionMetadataBuilder.Build(layout, segment, options);
        store.Record(LedgerActions.SessionsIndexed,
            new JsonObject { ["segmentId"] = segment.Id },
            new Dictionary<string, string> { ["sessions"] = metadata.Sha256, ["records"] = metadata.RecordsSha256, ["manifest"] = segment.ManifestSha256 },
            new JsonObject
            {
                ["path"] = layout.Relative(path),
                ["format"] = "jsonl.zst/1",
                ["bytes"] = metadata.Contents.Length,
                ["recordsBytes"] = metadata.RecordsBytes,
                ["indexBytes"] = metadata.IndexBytes,
                ["blocks"] = metadata.Blocks,
                ["sessions"] = metadata.Sessions,
                ["continuing"] = metadata.Continuing,
                ["openAtEnd"] = metadata.OpenAtEnd,
                ["notIp"] = metadata.Statistics.NotIp,
                ["laterFragments"] = metadata.Statistics.LaterFragments,
                ["evicted"] = metadata.Statistics.Evicted,
                ["dissectorFailures"] = metadata.Statistics.DissectorFailures,
                ["buildSeconds"] = Math.Round(metadata.BuildTime.TotalSeconds, 3),
            });
        using (FileLock.Acquire(layout.SealLockFile, store.Options.LockTimeout))
        {
            DurableFile.WriteAllBytes(path, metadata.Contents);

            // A segment indexed in the first layout and rebuilt: the plain file is superseded (the
            // search and verification read the block file when both exist, so a crash before this
            // delete leaves a stray, not a wrong answer).
            File.Delete(layout.SessionsFile(segment.Id));
        }

        var searchable = handedOver == 0 ? metadata.BuildTime : Stopwatch.GetElapsedTime(handedOver);
        return new SessionIndexOutcome(segment.Id, metadata.Sessions, metadata.Sha256, layout.Relative(path), metadata.BuildTime, searchable, null);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Complete();
        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var (segment, handedOver) in _queue.GetConsumingEnumerable())
        {
            try
            {
                _outcomes.Enqueue(IndexOne(_store, segment, _options, handedOver));
            }
            catch (Exception e)
            {
                // The worker's boundary: the segment stays sealed and searchable by packets; its
                // metadata is "not built" and the outcome says why.
                _outcomes.Enqueue(new SessionIndexOutcome(segment.Id, 0, null, _store.Layout.Relative(_store.Layout.SessionBlocksFile(segment.Id)),
                    TimeSpan.Zero, Stopwatch.GetElapsedTime(handedOver), $"{e.GetType().Name}: {e.Message}"));
            }
        }
    }
}
