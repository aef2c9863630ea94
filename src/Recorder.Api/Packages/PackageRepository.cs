using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Api.Queries;
using Recorder.Api.Users;
using Recorder.Storage.Store;

namespace Recorder.Api.Packages;

/// <summary>
/// Evidence packages built through the API: <c>STORE/service/packages/ID.zip</c> (the package, as
/// <c>recorder package --out ID.zip</c> writes it) beside <c>ID.json</c> (who built it, when, for
/// which queries, its hashes and ledger entries), both written before the API answers.
/// </summary>
public sealed class PackageRepository
{
    /// <summary>Keeps packages in the store at <paramref name="layout"/>.</summary>
    public PackageRepository(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory = Path.Combine(UserDirectory.ServiceDirectory(layout), "packages");
    }

    /// <summary>The folder holding the packages.</summary>
    public string Directory { get; }

    /// <summary>The zip of package <paramref name="id"/> (which must be canonical).</summary>
    public string ZipPath(string id) => Path.Combine(Directory, Checked(id) + ".zip");

    /// <summary>The record of package <paramref name="id"/>.</summary>
    public string RecordPath(string id) => Path.Combine(Directory, Checked(id) + ".json");

    /// <summary>Reads a package's record; null when unknown.</summary>
    public JsonObject? Load(string id)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(RecordPath(id))) as JsonObject;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Every package's record, newest first.</summary>
    public IReadOnlyList<JsonObject> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Where(path => QueryRepository.TryParseId(Path.GetFileNameWithoutExtension(path), out _))
            .Select(path => JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject)
            .OfType<JsonObject>()
            .OrderByDescending(record => record["builtAt"]?.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes a record atomically and durably.</summary>
    public void Save(string id, JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        System.IO.Directory.CreateDirectory(Directory);
        DurableFile.WriteAllBytes(RecordPath(id), JsonSerializer.SerializeToUtf8Bytes(record, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Checked(string id) =>
        QueryRepository.TryParseId(id, out var canonical) && canonical == id ? id : throw new ArgumentException($"'{id}' is not a package id", nameof(id));
}
