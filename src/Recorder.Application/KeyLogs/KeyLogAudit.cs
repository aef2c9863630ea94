using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;

namespace Recorder.Application.KeyLogs;

/// <summary>
/// The verification of stored key logs that the ledger's file check does not cover: a file in
/// <c>keylogs/</c> that no <c>keylog.imported</c> entry records is a finding (a changed or missing
/// recorded key log is found by <c>LedgeredFiles</c>, which re-hashes every file an entry names).
/// </summary>
internal static class KeyLogAudit
{
    /// <summary>Notes the key log <paramref name="entry"/> records, if it is an import.</summary>
    public static void Collect(LedgerEntry entry, HashSet<string> recorded)
    {
        if (entry.Action == LedgerActions.KeylogImported && entry.Hashes.TryGetValue("keylog", out var sha256))
        {
            recorded.Add(sha256);
        }
    }

    /// <summary>One finding per file of <c>keylogs/</c> whose name is not a recorded key log's SHA-256.</summary>
    public static IEnumerable<Finding> Unrecorded(StoreLayout layout, IReadOnlySet<string> recorded)
    {
        if (!Directory.Exists(layout.KeyLogsDirectory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(layout.KeyLogsDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (DurableFile.IsTemporary(name))
            {
                // A write a crash interrupted; the import that made it was not recorded and is no evidence.
                continue;
            }

            if (!name.EndsWith(".keylog", StringComparison.Ordinal) || !recorded.Contains(name[..^".keylog".Length]))
            {
                yield return new Finding(layout.Relative(path), "stored key log", "a keylog.imported entry recording this file's SHA-256", "no ledger entry");
            }
        }
    }
}
