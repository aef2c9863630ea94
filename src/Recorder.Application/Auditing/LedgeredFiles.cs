using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;

namespace Recorder.Application.Auditing;

/// <summary>
/// The files the ledger records with a SHA-256 and that stay in the store to be served again: query
/// results (<c>extraction.written</c>, and the partial output of <c>query.failed</c>), result chunks
/// (<c>query.chunk-written</c>), package zips kept by the service (<c>package.stored</c>) and TLS key
/// logs stored as evidence (<c>keylog.imported</c>). Fed the
/// entries in ledger order, then each file is re-hashed: a changed or missing one is a finding naming
/// the entry and the file. Chunks of an attempt that a later <c>query.restarted</c> discarded are no
/// longer expected. An extraction written outside the store was handed over and is only counted.
/// </summary>
internal sealed class LedgeredFiles
{
    private readonly StoreLayout _layout;
    private readonly List<LedgeredFile> _files = [];

    /// <summary>Collects files of the store at <paramref name="layout"/>.</summary>
    public LedgeredFiles(StoreLayout layout) => _layout = layout;

    /// <summary>Extractions recorded at a path outside the store that is no longer there (handed over).</summary>
    public int HandedOver { get; private set; }

    /// <summary>Files checked.</summary>
    public int Checked { get; private set; }

    /// <summary>Takes note of the file <paramref name="entry"/> names, if any.</summary>
    public void Add(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var queryId = Text(entry.Subjects["queryId"]);
        switch (entry.Action)
        {
            case LedgerActions.ExtractionWritten:
                Note(entry, "extraction", "output", Text(entry.Details["output"]?["path"]), queryId);
                break;
            case LedgerActions.QueryFailed:
                Note(entry, "partial extraction", "output", Text(entry.Details["partialOutput"]?["path"]), queryId);
                break;
            case LedgerActions.QueryChunkWritten:
                Note(entry, "chunk", "chunk", InStore(Text(entry.Details["file"])), queryId);
                break;
            case LedgerActions.KeylogImported:
                Note(entry, "key log", "keylog", InStore(Text(entry.Details["file"])), null);
                break;
            case LedgerActions.PackageStored:
                Note(entry, "package zip", "package", InStore(Text(entry.Details["file"])), null);
                break;
            case LedgerActions.QueryRestarted when queryId is not null:
                // The attempt's output was discarded, and the ledger says so: its chunks are gone on purpose.
                _files.RemoveAll(f => f.QueryId == queryId && f.Kind == "chunk");
                break;
        }
    }

    /// <summary>Re-hashes every file noted; one finding per file that is missing or differs.</summary>
    public IEnumerable<Finding> Check(CancellationToken cancellationToken)
    {
        foreach (var file in _files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var subject = $"ledger seq {file.Seq}";
            var check = $"{file.Kind} named by the ledger";
            var expected = $"{file.Path} with sha256 {file.Sha256}";
            if (!File.Exists(file.Path))
            {
                if (IsInStore(file.Path))
                {
                    yield return new Finding(subject, check, expected, "no such file") { Sequence = file.Seq };
                }
                else
                {
                    HandedOver++;
                }

                continue;
            }

            Checked++;
            string found;
            using (var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, FileOptions.SequentialScan))
            {
                found = Hex.Lower(SHA256.HashData(stream));
            }

            if (found != file.Sha256)
            {
                yield return new Finding(subject, check, expected, $"sha256 {found}") { Sequence = file.Seq };
            }
        }
    }

    private void Note(LedgerEntry entry, string kind, string hashName, string? path, string? queryId)
    {
        if (path is not null && entry.Hashes.TryGetValue(hashName, out var sha256))
        {
            _files.Add(new LedgeredFile(entry.Seq, kind, Path.GetFullPath(path), sha256, queryId));
        }
    }

    /// <summary>A store-relative path from an entry, resolved; null when it would leave the store.</summary>
    private string? InStore(string? relative)
    {
        if (relative is null)
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(_layout.Root, relative));
        return IsInStore(full) ? full : null;
    }

    private bool IsInStore(string path) => path.StartsWith(_layout.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private sealed record LedgeredFile(long Seq, string Kind, string Path, string Sha256, string? QueryId);
}
