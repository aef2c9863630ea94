using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Sessions.Tls;
using Recorder.Storage.Store;

namespace Recorder.Application.KeyLogs;

/// <summary>A key log the ledger records as stored (its first <c>keylog.imported</c> entry).</summary>
/// <param name="Sha256">SHA-256 of the file's bytes, which is also its name in the store.</param>
/// <param name="Path">Where the store keeps it.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Entries">Secrets (valid lines) in it.</param>
/// <param name="Labels">Secrets per label.</param>
/// <param name="ClientRandoms">Connections (client randoms) it has secrets for.</param>
/// <param name="Problems">Lines that are not secrets.</param>
/// <param name="Seq">Ledger sequence of the entry that first stored it.</param>
/// <param name="Case">That entry's case.</param>
/// <param name="Source">The path it was imported from.</param>
public sealed record StoredKeyLog(string Sha256, string Path, long Bytes, int Entries, IReadOnlyDictionary<string, int> Labels, int ClientRandoms, int Problems,
    long Seq, string? Case, string? Source);

/// <summary>What <see cref="KeyLogEvidence.Import"/> did.</summary>
/// <param name="KeyLog">The stored key log as now recorded.</param>
/// <param name="ProblemLines">Every line that is not a secret, with why.</param>
/// <param name="AlreadyStored">The same bytes were stored before (this import is recorded all the same).</param>
public sealed record KeyLogImport(StoredKeyLog KeyLog, IReadOnlyList<TlsKeyLogProblem> ProblemLines, bool AlreadyStored);

/// <summary>A key log that cannot be imported: unreadable, too large, or holding no secret.</summary>
public sealed class KeyLogException : Exception
{
    /// <summary>A refusal without a message (for serializers).</summary>
    public KeyLogException()
        : this("the key log was refused")
    {
    }

    /// <summary>A refusal saying why.</summary>
    public KeyLogException(string message)
        : base(message)
    {
    }

    /// <summary>A refusal saying why, with the I/O failure behind it.</summary>
    public KeyLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// TLS key logs (NSS <c>SSLKEYLOGFILE</c> format) as evidence: the file is stored byte for byte in
/// <c>keylogs/SHA256.keylog</c> (written atomically, never changed; the same bytes imported again
/// are the same file), and each import is a <c>keylog.imported</c> ledger entry with the file's
/// SHA-256, its secrets per label and every line that is not a secret. The ledger, not the directory,
/// says which key logs the store holds: <see cref="List"/> reads it.
/// </summary>
public static class KeyLogEvidence
{
    /// <summary>The largest key log accepted (a browser's log of a long session is a few MiB).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>At most this many problem lines are written into the ledger entry (their count is always complete).</summary>
    public const int MaxProblemLinesRecorded = 100;

    /// <summary>Stores and records the key log at <paramref name="path"/> for <paramref name="caseId"/> and <paramref name="reason"/>.</summary>
    /// <exception cref="KeyLogException">The file cannot be read, is larger than <see cref="MaxBytes"/>, or has no valid secret (each bad line is named).</exception>
    public static KeyLogImport Import(EvidenceStore store, string path, string caseId, string reason)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Read(path);
        var log = TlsKeyLog.Parse(Encoding.UTF8.GetString(bytes));
        if (log.Entries.Count == 0)
        {
            var lines = log.Problems.Take(5).Select(p => $"line {p.Line}: {p.Problem}");
            throw new KeyLogException($"{path}: no TLS secret in it (NSS key log lines: LABEL CLIENT_RANDOM SECRET)" +
                (log.Problems.Count == 0 ? "; the file is empty or holds only comments" : $"; {log.Problems.Count} bad line(s): {string.Join("; ", lines)}") +
                (log.Problems.Count > 5 ? "; …" : string.Empty));
        }

        var sha256 = Hex.Lower(SHA256.HashData(bytes));
        var stored = store.Layout.KeyLogFile(sha256);
        var alreadyStored = File.Exists(stored) && Hex.Lower(SHA256.HashData(File.ReadAllBytes(stored))) == sha256;
        if (!alreadyStored)
        {
            // Stored before it is recorded: a crash in between leaves a file no entry names (a verify
            // finding, and importing it again records it), never an entry naming a missing file.
            Directory.CreateDirectory(store.Layout.KeyLogsDirectory);
            DurableFile.WriteAllBytes(stored, bytes);
        }

        var labels = Labels(log);
        var relative = store.Layout.Relative(stored);
        var details = new JsonObject
        {
            ["file"] = relative,
            ["source"] = Path.GetFullPath(path),
            ["bytes"] = bytes.LongLength,
            ["entries"] = log.Entries.Count,
            ["labels"] = new JsonObject(labels.Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
            ["clientRandoms"] = log.ClientRandoms.Count,
            ["problems"] = log.Problems.Count,
            ["problemLines"] = new JsonArray(log.Problems.Take(MaxProblemLinesRecorded)
                .Select(p => (JsonNode)new JsonObject { ["line"] = p.Line, ["problem"] = p.Problem }).ToArray()),
            ["alreadyStored"] = alreadyStored,
        };
        var seq = store.Record(LedgerActions.KeylogImported, new JsonObject { ["keylogSha256"] = sha256 },
            new Dictionary<string, string> { ["keylog"] = sha256 }, details, caseId, reason);
        var record = new StoredKeyLog(sha256, stored, bytes.LongLength, log.Entries.Count, labels, log.ClientRandoms.Count, log.Problems.Count, seq, caseId,
            Path.GetFullPath(path));
        return new KeyLogImport(record, log.Problems, alreadyStored);
    }

    /// <summary>The key logs the ledger records, each once (its first import), in ledger order.</summary>
    public static IReadOnlyList<StoredKeyLog> List(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return FromLedger(store.Layout, StoreAccess.Journal(store).Ledger.Read());
    }

    /// <summary>The key logs <paramref name="entries"/> record as stored in the store at <paramref name="layout"/>, each once.</summary>
    internal static IReadOnlyList<StoredKeyLog> FromLedger(StoreLayout layout, IEnumerable<LedgerEntry> entries)
    {
        var logs = new Dictionary<string, StoredKeyLog>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Action == LedgerActions.KeylogImported))
        {
            if (!entry.Hashes.TryGetValue("keylog", out var sha256) || logs.ContainsKey(sha256) || !IsSha256(sha256))
            {
                continue;
            }

            var details = entry.Details;
            var labels = details["labels"] is JsonObject labelObject
                ? labelObject.ToDictionary(p => p.Key, p => p.Value?.GetValue<int>() ?? 0, StringComparer.Ordinal)
                : new Dictionary<string, int>(StringComparer.Ordinal);
            logs[sha256] = new StoredKeyLog(sha256, layout.KeyLogFile(sha256), Number(details["bytes"]), (int)Number(details["entries"]), labels,
                (int)Number(details["clientRandoms"]), (int)Number(details["problems"]), entry.Seq, entry.Case, StrictJson.Text(details["source"]));
        }

        return [.. logs.Values.OrderBy(l => l.Seq)];
    }

    /// <summary>Secrets per label, labels in ordinal order.</summary>
    internal static SortedDictionary<string, int> Labels(TlsKeyLog log)
    {
        var labels = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in log.Entries)
        {
            labels[entry.Label] = labels.GetValueOrDefault(entry.Label) + 1;
        }

        return labels;
    }

    private static bool IsSha256(string text) => text.Length == 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;

    private static byte[] Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxBytes)
            {
                throw new KeyLogException($"{path}: {stream.Length} bytes; a key log may have at most {MaxBytes} bytes");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyLogException($"{path}: cannot be read ({e.Message})", e);
        }
    }
}
