using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Sessions.Tls;
using Recorder.Storage.Store;

namespace Recorder.Application.KeyLogs;

/// <summary>A secret of a stored key log: its key log text line and the key log it comes from.</summary>
/// <param name="Label">Its label.</param>
/// <param name="Line">The line as a Decryption Secrets Block carries it (<c>LABEL RANDOM SECRET</c>, no newline).</param>
/// <param name="KeyLogSha256">The stored key log holding it.</param>
public sealed record KeyLogSecret(string Label, string Line, string KeyLogSha256);

/// <summary>A stored key log an extraction could not use, and why.</summary>
/// <param name="Sha256">The SHA-256 the ledger recorded for it.</param>
/// <param name="Problem">Why (missing, or no longer the bytes recorded).</param>
public sealed record UnusableKeyLog(string Sha256, string Problem);

/// <summary>
/// The secrets of every key log the ledger records as stored, by client random, for extractions.
/// Each file is re-hashed against its ledgered SHA-256 before a secret of it is used: a key log
/// changed or lost since its import gives no secret and is named in <see cref="Unusable"/>. When a
/// client random has the same secret line in several key logs, the first imported is named.
/// </summary>
public sealed class KeyLogSecrets
{
    private readonly Dictionary<string, List<KeyLogSecret>> _byRandom;

    private KeyLogSecrets(Dictionary<string, List<KeyLogSecret>> byRandom, IReadOnlyList<StoredKeyLog> used, IReadOnlyList<UnusableKeyLog> unusable)
    {
        _byRandom = byRandom;
        KeyLogs = used;
        Unusable = unusable;
    }

    /// <summary>No secrets (no key log stored, or secrets not wanted).</summary>
    public static KeyLogSecrets None { get; } = new([], [], []);

    /// <summary>The key logs whose secrets are here.</summary>
    public IReadOnlyList<StoredKeyLog> KeyLogs { get; }

    /// <summary>Key logs the ledger records that could not be used.</summary>
    public IReadOnlyList<UnusableKeyLog> Unusable { get; }

    /// <summary>Connections (client randoms) with secrets.</summary>
    public int Connections => _byRandom.Count;

    /// <summary>
    /// Loads the key logs of <paramref name="store"/>. The ledger is read only when the store's
    /// <c>keylogs/</c> directory holds a file, so extractions from a store without key logs cost
    /// nothing more.
    /// </summary>
    public static KeyLogSecrets Load(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var directory = store.Layout.KeyLogsDirectory;
        if (!Directory.Exists(directory) || !Directory.EnumerateFiles(directory).Any())
        {
            return None;
        }

        var byRandom = new Dictionary<string, List<KeyLogSecret>>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var used = new List<StoredKeyLog>();
        var unusable = new List<UnusableKeyLog>();
        foreach (var stored in KeyLogEvidence.List(store))
        {
            if (!File.Exists(stored.Path))
            {
                unusable.Add(new UnusableKeyLog(stored.Sha256, $"{store.Layout.Relative(stored.Path)} is missing"));
                continue;
            }

            var bytes = File.ReadAllBytes(stored.Path);
            var actual = Hex.Lower(SHA256.HashData(bytes));
            if (actual != stored.Sha256)
            {
                unusable.Add(new UnusableKeyLog(stored.Sha256, $"{store.Layout.Relative(stored.Path)} has sha256 {actual}, not the one recorded at ledger seq {stored.Seq}"));
                continue;
            }

            used.Add(stored);
            foreach (var entry in TlsKeyLog.Parse(Encoding.UTF8.GetString(bytes)).Entries)
            {
                var line = $"{entry.Label} {entry.ClientRandom} {entry.Secret}";
                if (seen.Add(line))
                {
                    if (!byRandom.TryGetValue(entry.ClientRandom, out var secrets))
                    {
                        byRandom[entry.ClientRandom] = secrets = [];
                    }

                    secrets.Add(new KeyLogSecret(entry.Label, line, stored.Sha256));
                }
            }
        }

        return new KeyLogSecrets(byRandom, used, unusable);
    }

    /// <summary>The secrets of the connection whose client random is <paramref name="clientRandom"/> (lower-case hex).</summary>
    public bool TryGet(string clientRandom, out IReadOnlyList<KeyLogSecret> secrets)
    {
        ArgumentNullException.ThrowIfNull(clientRandom);
        var found = _byRandom.TryGetValue(clientRandom, out var list);
        secrets = list ?? [];
        return found;
    }

    /// <summary>The unusable key logs as JSON.</summary>
    internal JsonArray UnusableJson() =>
        new(Unusable.Select(u => (JsonNode)new JsonObject { ["sha256"] = u.Sha256, ["problem"] = u.Problem }).ToArray());
}
