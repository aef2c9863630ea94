using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Query;
using Recorder.Storage.Recording;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>
/// A segment a live capture is still writing, as a query sees it: the complete packet blocks within
/// the length the writer had handed to the operating system when the snapshot was taken. The file
/// is held open, so the view stays readable when the segment is sealed (renamed) meanwhile, and
/// nothing written after the snapshot is ever read.
/// </summary>
public sealed class OpenSegmentView : IDisposable
{
    internal OpenSegmentView(string sessionId, string? captureId, string path, SegmentReader reader)
    {
        SessionId = sessionId;
        CaptureId = captureId;
        Path = path;
        Reader = reader;
    }

    /// <summary>The writing session's id (its directory name under <c>open/</c>).</summary>
    public string SessionId { get; }

    /// <summary>The capture's id, as its session describes it.</summary>
    public string? CaptureId { get; }

    /// <summary>The open segment file when the snapshot was taken.</summary>
    public string Path { get; }

    /// <summary>The file's name inside its session directory.</summary>
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The link type of every packet in the segment.</summary>
    public int LinkType => Reader.Interfaces[0].LinkType;

    /// <summary>The bytes the snapshot covers (the file's length when it was taken).</summary>
    public long Length => Reader.Length;

    /// <summary>The reader, bounded by <see cref="Length"/>.</summary>
    internal SegmentReader Reader { get; }

    /// <inheritdoc />
    public void Dispose() => Reader.Dispose();
}

/// <summary>
/// What a query reads, fixed when it starts: the sealed segments overlapping its window and,
/// optionally, the segments live captures are still writing (see <see cref="OpenSegmentView"/>).
/// Both lists are taken under the store's seal lock, so no segment is in both or in neither: a
/// segment sealed meanwhile is sealed either before (listed as sealed) or after (read as open,
/// through the handle taken here).
/// </summary>
public sealed class StoreSnapshot : IDisposable
{
    private StoreSnapshot(SegmentSelection selection, IReadOnlyList<OpenSegmentView> open)
    {
        Selection = selection;
        Open = open;
    }

    /// <summary>The sealed segments the query reads and those it cannot read.</summary>
    public SegmentSelection Selection { get; }

    /// <summary>Sealed segments overlapping the query's window, checked as sealed.</summary>
    public IReadOnlyList<SealedSegment> Sealed => Selection.Segments;

    /// <summary>Sealed segments that may hold matches but cannot be read: a run over this snapshot is partial.</summary>
    public IReadOnlyList<SegmentLeftOut> LeftOut => Selection.LeftOut;

    /// <summary>Open capture segments (empty unless asked for).</summary>
    public IReadOnlyList<OpenSegmentView> Open { get; }

    /// <summary>
    /// Takes the snapshot for <paramref name="query"/>. With <paramref name="includeOpenCaptures"/>,
    /// the open segments of every live capture writing into the store (sessions whose
    /// <c>session.json</c> says <c>sealMode</c> "immediately" and <c>origin.kind</c> "capture") are
    /// included; imports are never included before they commit (they may still be refused whole).
    /// </summary>
    public static StoreSnapshot Take(EvidenceStore store, PacketQuery query, bool includeOpenCaptures)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (!includeOpenCaptures)
        {
            return new StoreSnapshot(new QueryExecutor(store, null).Snapshot(query), []);
        }

        Directory.CreateDirectory(store.Layout.LocksDirectory);
        using var sealLock = FileLock.Acquire(store.Layout.SealLockFile, store.Options.LockTimeout);
        var sealedSegments = new QueryExecutor(store, null).Snapshot(query);
        var open = new List<OpenSegmentView>();
        try
        {
            foreach (var session in LiveCaptureSessions(store.Layout))
            {
                foreach (var file in Directory.EnumerateFiles(session.Directory, "*.pcapng").Order(StringComparer.Ordinal))
                {
                    var reader = TryOpen(file);
                    if (reader is not null)
                    {
                        open.Add(new OpenSegmentView(session.SessionId, session.CaptureId, file, reader));
                    }
                }
            }
        }
        catch
        {
            foreach (var view in open)
            {
                view.Dispose();
            }

            throw;
        }

        return new StoreSnapshot(sealedSegments, open);
    }

    /// <summary>JSON describing the open part (for query status and the ledger).</summary>
    public JsonArray OpenToJson(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new JsonArray(Open.Select(o => (JsonNode)new JsonObject
        {
            ["sessionId"] = o.SessionId,
            ["captureId"] = o.CaptureId,
            ["file"] = layout.Relative(o.Path),
            ["linkType"] = o.LinkType,
            ["bytesIncluded"] = o.Length,
        }).ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var view in Open)
        {
            view.Dispose();
        }
    }

    private static SegmentReader? TryOpen(string file)
    {
        try
        {
            // A file whose header blocks are not written yet holds no packet either.
            return new SegmentReader(file);
        }
        catch (Exception e) when (e is SegmentCorruptException or IOException)
        {
            return null;
        }
    }

    private static IEnumerable<(string Directory, string SessionId, string? CaptureId)> LiveCaptureSessions(StoreLayout layout)
    {
        if (!Directory.Exists(layout.OpenDirectory))
        {
            yield break;
        }

        foreach (var directory in Directory.EnumerateDirectories(layout.OpenDirectory).Order(StringComparer.Ordinal))
        {
            var description = Path.Combine(directory, RecordingSession.SessionFileName);
            JsonObject? session;
            try
            {
                session = JsonNode.Parse(File.ReadAllBytes(description)) as JsonObject;
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                continue;
            }

            if (session?["sealMode"]?.GetValue<string>() != "immediately" || session["origin"]?["kind"]?.GetValue<string>() != "capture")
            {
                continue;
            }

            yield return (directory, Path.GetFileName(directory), session["origin"]?["captureId"]?.GetValue<string>());
        }
    }
}
