using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Ledger.Entries;
using Recorder.Storage.Store;

namespace Recorder.Application.Auditing;

/// <summary>
/// Whether the ledger names a file as evidence: an entry that records at least one SHA-256 and names
/// the file's path (absolute, or relative to the store) anywhere in its details. Such a file is what
/// some entry vouches for, so replacing it would make that entry false for ever; a file only named by
/// entries without a hash (a refused or submitted query's intended output) vouches for nothing.
/// </summary>
public static class LedgerReferences
{
    /// <summary>The first entry naming <paramref name="path"/> as evidence, or null when none does.</summary>
    public static LedgerEntry? EntryNaming(EvidenceStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var relative = store.Layout.Relative(full);
        var names = relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? new[] { full } : [full, relative];
        return StoreAccess.Journal(store).Ledger.Read().FirstOrDefault(e => e.Hashes.Count > 0 && Names(e.Details, names));
    }

    private static bool Names(JsonNode? node, string[] names) => node switch
    {
        JsonObject o => o.Any(p => Names(p.Value, names)),
        JsonArray a => a.Any(item => Names(item, names)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => names.Contains(v.GetValue<string>(), StringComparer.Ordinal),
        _ => false,
    };
}
