using System.Text.Json;
using System.Text.Json.Serialization;
using Recorder.Storage.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// Where queries live in the store: <c>STORE/extractions/ID/</c> holds <c>query.json</c> (the
/// working state), the result file, <c>chunks/</c> and <c>artifacts/</c>. Query ids are GUIDs; a
/// path is only ever built from an id that <see cref="TryParseId"/> accepted, and case numbers or
/// other user text never reach a path.
/// </summary>
public sealed class QueryRepository
{
    /// <summary>The JSON form of records and API answers.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const string RecordFileName = "query.json";

    /// <summary>Keeps queries in <paramref name="layout"/>'s extractions directory.</summary>
    public QueryRepository(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        Summaries = new QuerySummaries(this);
    }

    /// <summary>The query history in memory, for listings (see <see cref="QuerySummaries"/>).</summary>
    public QuerySummaries Summaries { get; }

    /// <summary>The store layout.</summary>
    public StoreLayout Layout { get; }

    /// <summary>Accepts a GUID in its canonical form (32 hex digits with dashes) and returns it lower-case.</summary>
    public static bool TryParseId(string? text, out string id)
    {
        id = string.Empty;
        if (text is null || text.Length != 36 || !Guid.TryParseExact(text, "D", out var guid))
        {
            return false;
        }

        id = guid.ToString("D");
        return true;
    }

    /// <summary>A new query id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("D");

    /// <summary>The query's directory.</summary>
    public string Directory(string id) => Path.Combine(Layout.ExtractionsDirectory, Checked(id));

    /// <summary>The query's chunk directory.</summary>
    public string ChunksDirectory(string id) => Path.Combine(Directory(id), "chunks");

    /// <summary>The query's artifact directory.</summary>
    public string ArtifactsDirectory(string id) => Path.Combine(Directory(id), "artifacts");

    /// <summary>The lock held by whichever worker runs the query.</summary>
    public string JobLockPath(string id) => Path.Combine(Directory(id), "job.lock");

    /// <summary>Written by a cancellation request while the job runs (possibly on another node).</summary>
    public string CancelMarkerPath(string id) => Path.Combine(Directory(id), "cancel.json");

    /// <summary>The query's state file.</summary>
    public string RecordPath(string id) => Path.Combine(Directory(id), RecordFileName);

    /// <summary>Creates the query's directory and writes its first state durably.</summary>
    public void Create(QueryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        System.IO.Directory.CreateDirectory(Directory(record.Id));
        Save(record, durable: true);
    }

    /// <summary>Reads a query's state; null when there is no such query.</summary>
    public QueryRecord? Load(string id)
    {
        var path = RecordPath(id);
        try
        {
            return JsonSerializer.Deserialize<QueryRecord>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the state file atomically (a reader sees the old or the new whole file). With
    /// <paramref name="durable"/> it is also flushed to disk, with its directory entry.
    /// </summary>
    public void Save(QueryRecord record, bool durable)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = RecordPath(record.Id);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, record, Json);
            if (durable)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temporary, path, overwrite: true);
        Summaries.Saved(record);
        if (durable)
        {
            DurableFile.SyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Every query in the store, newest first.</summary>
    public IReadOnlyList<QueryRecord> List()
    {
        if (!System.IO.Directory.Exists(Layout.ExtractionsDirectory))
        {
            return [];
        }

        var records = new List<QueryRecord>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Layout.ExtractionsDirectory))
        {
            if (TryParseId(Path.GetFileName(directory), out var id) && Load(id) is { } record)
            {
                records.Add(record);
            }
        }

        return records.OrderByDescending(r => r.SubmittedAt, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private static string Checked(string id) =>
        TryParseId(id, out var canonical) && canonical == id ? id : throw new ArgumentException($"'{id}' is not a query id", nameof(id));
}
