using System.Security.Cryptography;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Merkle;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Support;

/// <summary>
/// An attacker with write access to the files: rewrites ledger.jsonl directly, in Recorder's own
/// format, signing with whatever key it has (or none).
/// </summary>
public static class Forger
{
    private static readonly LedgerActor Mallory = new(LedgerActorKind.OsUser, "mallory", "host1");

    public static List<string> Lines(string ledgerFile) => File.ReadAllLines(ledgerFile).ToList();

    public static bool IsHead(string line) => line.StartsWith("{\"sth\":", StringComparison.Ordinal);

    public static void Write(string ledgerFile, IEnumerable<string> lines) =>
        File.WriteAllText(ledgerFile, string.Concat(lines.Select(l => l + "\n")));

    /// <summary>Index in <paramref name="lines"/> of entry <paramref name="seq"/>.</summary>
    public static int LineOf(List<string> lines, long seq)
    {
        var count = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!IsHead(lines[i]) && ++count == seq)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(seq));
    }

    /// <summary>Appends a well-formed batch continuing the chain and the tree, signed by <paramref name="key"/> (null: with a copied, invalid signature).</summary>
    public static void AppendBatch(string ledgerFile, ISigner? key, string origin, int entries, Timestamp time)
    {
        var lines = Lines(ledgerFile);
        var existing = lines.Where(l => !IsHead(l)).Select(Encoding.UTF8.GetBytes).ToList();
        var range = new CompactRange();
        foreach (var line in existing)
        {
            range.Append(MerkleHash.Leaf(line));
        }

        var prev = existing.Count == 0 ? new byte[32] : SHA256.HashData(existing[^1]);
        var added = new List<string>();
        for (var i = 0; i < entries; i++)
        {
            var prepared = EntryCodec.Prepare(new LedgerDraft("extraction.written") { Case = "FORGED" }, Mallory);
            var line = EntryCodec.Encode(prepared, existing.Count + i, time, EntryCodec.ClockJson(new ClockInfo("system-utc", ClockInfo.Unknown, null)), Hex.Lower(prev));
            range.Append(MerkleHash.Leaf(line));
            prev = SHA256.HashData(line);
            added.Add(Encoding.UTF8.GetString(line));
        }

        var size = existing.Count + entries;
        var root = range.Root();
        var text = Encoding.UTF8.GetBytes(CheckpointText.Format(origin, size, root, time));
        var signature = key?.Sign(text) ?? Convert.FromBase64String(System.Text.Json.Nodes.JsonNode.Parse(lines.Last(IsHead))!["sth"]!["sig"]!.GetValue<string>());
        var head = new Checkpoint(origin, size, root, time, signature, key?.Fingerprint ?? new string('0', 64));
        Write(ledgerFile, [.. lines, Encoding.UTF8.GetString(HeadRecord.Encode(head)), .. added]);
    }
}
