using System.Text.Json.Nodes;
using Recorder.Api.Queries;
using Recorder.Api.Users;
using Recorder.Storage.Store;

namespace Recorder.Api.Verification;

/// <summary>
/// Verification runs requested through the API, one file each in <c>STORE/service/verifications/ID.json</c>
/// (replaced atomically): who asked, when, the state (queued, running, succeeded, failed) and, once
/// done, the whole report <c>recorder verify --json</c> would print.
/// </summary>
public sealed class VerificationRepository
{
    private readonly string _directory;

    /// <summary>Keeps runs in the store at <paramref name="layout"/>.</summary>
    public VerificationRepository(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _directory = Path.Combine(UserDirectory.ServiceDirectory(layout), "verifications");
    }

    /// <summary>The run's file (the id must have passed <see cref="QueryRepository.TryParseId"/>).</summary>
    public string PathOf(string id) =>
        QueryRepository.TryParseId(id, out var canonical) && canonical == id
            ? Path.Combine(_directory, id + ".json")
            : throw new ArgumentException($"'{id}' is not a verification id", nameof(id));

    /// <summary>Reads a run; null when unknown.</summary>
    public JsonObject? Load(string id)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(PathOf(id))) as JsonObject;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The latest <paramref name="max"/> runs, newest request first.</summary>
    public IReadOnlyList<JsonObject> Latest(int max)
    {
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(_directory, "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(id => QueryRepository.TryParseId(id, out var canonical) && canonical == id)
            .Select(Load)
            .OfType<JsonObject>()
            .OrderByDescending(r => r["requestedAt"]?.GetValue<string>(), StringComparer.Ordinal)
            .Take(max)
            .ToList();
    }

    /// <summary>Writes a run atomically (flushed to disk).</summary>
    public void Save(string id, JsonObject run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Directory.CreateDirectory(_directory);
        var path = PathOf(id);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(run.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        DurableFile.SyncDirectory(_directory);
    }
}
