using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Merkle;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Proofs;

/// <summary>The outcome of checking a proof file; valid only when <see cref="Problems"/> is empty.</summary>
/// <param name="Type"><c>inclusion</c> or <c>consistency</c>, when the file says.</param>
/// <param name="Problems">Every check that failed, one sentence each.</param>
/// <param name="Notes">What was not checked and why (e.g. no time-stamp certificate supplied).</param>
/// <param name="LeafIndex">The proven entry's index (inclusion).</param>
/// <param name="TreeSize">The checkpoint's size (inclusion) or the second size (consistency).</param>
/// <param name="FirstSize">The first size (consistency).</param>
/// <param name="Entry">The proven entry's text (inclusion).</param>
/// <param name="TimeStamps">The time-stamps found and how they checked out.</param>
/// <param name="Checked">Every check that passed, one sentence each, so a reader sees what a "valid" rests on.</param>
/// <param name="Anchors">How each checkpoint was tied to something the verifier trusts, in the order of the file.</param>
public sealed record ProofVerification(
    string? Type,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes,
    long? LeafIndex,
    long? TreeSize,
    long? FirstSize,
    string? Entry,
    IReadOnlyList<TimeStampVerification> TimeStamps,
    IReadOnlyList<string> Checked,
    IReadOnlyList<CheckpointAnchor> Anchors)
{
    /// <summary>
    /// True when every check passed, which includes that every checkpoint is anchored: its signature
    /// verifies with the key given, or its text is a checkpoint the caller supplied as trusted.
    /// </summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>What ties a proof's checkpoint to something the verifier trusts.</summary>
public enum CheckpointAnchor
{
    /// <summary>Nothing: no signature (or one that does not verify) and no trusted checkpoint matched. The proof is invalid.</summary>
    None,

    /// <summary>Its signature verifies with the public key given.</summary>
    Signature,

    /// <summary>It carries no signature, but its text is exactly a checkpoint the caller supplied as trusted.</summary>
    TrustedCheckpoint,
}

/// <summary>
/// Proof files: self-contained canonical JSON (docs/proof-format.md) that a verifier checks offline
/// with nothing but the store's public key (and, for the time-stamps, the authority's certificate).
/// </summary>
public static class ProofFile
{
    /// <summary>The proof file format version.</summary>
    public const int Version = 1;

    /// <summary>The canonical JSON of an inclusion proof.</summary>
    public static byte[] Serialize(InclusionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return CanonicalJson.Serialize(new JsonObject
        {
            ["checkpoint"] = CheckpointJson(proof.Checkpoint),
            ["entry"] = Encoding.UTF8.GetString(proof.Entry),
            ["leafIndex"] = proof.LeafIndex,
            ["path"] = PathJson(proof.AuditPath),
            ["treeSize"] = proof.TreeSize,
            ["type"] = "inclusion",
            ["v"] = (long)Version,
        });
    }

    /// <summary>The canonical JSON of a consistency proof.</summary>
    public static byte[] Serialize(ConsistencyProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return CanonicalJson.Serialize(new JsonObject
        {
            ["first"] = CheckpointJson(proof.First),
            ["firstSize"] = proof.First.Size,
            ["path"] = PathJson(proof.Path),
            ["second"] = CheckpointJson(proof.Second),
            ["secondSize"] = proof.Second.Size,
            ["type"] = "consistency",
            ["v"] = (long)Version,
        });
    }

    /// <summary>Checks a proof file read from <paramref name="path"/> (see <see cref="Verify"/>).</summary>
    public static ProofVerification VerifyFile(string path, ISigner publicKey, X509Certificate2? timeStampCertificate = null,
        IReadOnlyCollection<string>? trustedCheckpoints = null) =>
        Verify(File.ReadAllBytes(path), publicKey, timeStampCertificate, trustedCheckpoints);

    /// <summary>
    /// Checks a proof file completely: its form, that each checkpoint is anchored (its signature
    /// verifies with <paramref name="publicKey"/>, or, for a checkpoint carrying no signature, its
    /// text is exactly one of <paramref name="trustedCheckpoints"/>), the Merkle path by RFC 9162
    /// §2.1.3.2 or §2.1.4.2, that the entry says it is the leaf it is proven as, and each time-stamp
    /// (against <paramref name="timeStampCertificate"/>, or only for integrity when none is given).
    /// A checkpoint anchored by neither makes the proof invalid: a path to a root nobody vouches for
    /// proves nothing, since anyone can build a tree around a forged entry.
    /// </summary>
    public static ProofVerification Verify(ReadOnlySpan<byte> json, ISigner publicKey, X509Certificate2? timeStampCertificate = null,
        IReadOnlyCollection<string>? trustedCheckpoints = null)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var checks = new Checks(publicKey, timeStampCertificate, trustedCheckpoints ?? []);
        var problems = checks.Problems;
        var notes = checks.Notes;
        var stamps = checks.Stamps;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            problems.Add("not a JSON proof file: " + e.Message);
            return checks.Result(null, null, null, null, null);
        }

        string? type = null;
        try
        {
            if (Integer(root, "v") != Version)
            {
                problems.Add($"proof format version {root["v"]} is not {Version}");
                return checks.Result(null, null, null, null, null);
            }

            type = Text(root, "type");
            return type switch
            {
                "inclusion" => VerifyInclusion(root, checks),
                "consistency" => VerifyConsistency(root, checks),
                _ => checks.Fail(type, $"unknown proof type '{type}'"),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            problems.Add("malformed proof file: " + e.Message);
            return checks.Result(type, null, null, null, null);
        }
    }

    private static ProofVerification VerifyInclusion(JsonObject root, Checks checks)
    {
        var leafIndex = Integer(root, "leafIndex");
        var treeSize = Integer(root, "treeSize");
        var entryText = Text(root, "entry");
        var entry = Encoding.UTF8.GetBytes(entryText);
        var path = Path(root);
        var checkpoint = checks.ReadCheckpoint(Object(root, "checkpoint"), "checkpoint");
        if (checkpoint is not null)
        {
            if (checkpoint.Size != treeSize)
            {
                checks.Problems.Add($"treeSize {treeSize} is not the checkpoint's size {checkpoint.Size}");
            }

            if (MerkleProofs.VerifyInclusion(leafIndex, checkpoint.Size, MerkleHash.Leaf(entry), path, checkpoint.RootHash))
            {
                checks.Passed.Add($"the audit path leads from entry {leafIndex} to the checkpoint's root (RFC 9162 §2.1.3.2)");
            }
            else
            {
                checks.Problems.Add($"the audit path does not lead from entry {leafIndex} to the checkpoint's root (RFC 9162 §2.1.3.2)");
            }
        }

        if (EntryCodec.TryParse(entry, out var parsed, out var error))
        {
            if (parsed.Seq != leafIndex)
            {
                checks.Problems.Add($"the entry says it is seq {parsed.Seq}, the proof says leaf {leafIndex}");
            }
        }
        else
        {
            checks.Problems.Add("the entry is not a ledger entry: " + error);
        }

        return checks.Result("inclusion", leafIndex, treeSize, null, entryText);
    }

    private static ProofVerification VerifyConsistency(JsonObject root, Checks checks)
    {
        var firstSize = Integer(root, "firstSize");
        var secondSize = Integer(root, "secondSize");
        var path = Path(root);
        var first = checks.ReadCheckpoint(Object(root, "first"), "first checkpoint");
        var second = checks.ReadCheckpoint(Object(root, "second"), "second checkpoint");
        if (first is not null && second is not null)
        {
            if (first.Size != firstSize || second.Size != secondSize)
            {
                checks.Problems.Add($"firstSize/secondSize {firstSize}/{secondSize} are not the checkpoints' sizes {first.Size}/{second.Size}");
            }

            if (first.Origin != second.Origin)
            {
                checks.Problems.Add($"the checkpoints are of different logs ('{first.Origin}' and '{second.Origin}')");
            }

            if (MerkleProofs.VerifyConsistency(first.Size, second.Size, first.RootHash, second.RootHash, path))
            {
                checks.Passed.Add($"the consistency path proves the tree of {first.Size} a prefix of the tree of {second.Size} (RFC 9162 §2.1.4.2)");
            }
            else
            {
                checks.Problems.Add($"the consistency path does not prove the tree of {first.Size} a prefix of the tree of {second.Size} (RFC 9162 §2.1.4.2)");
            }
        }

        return checks.Result("consistency", null, secondSize, firstSize, null);
    }

    private static JsonObject CheckpointJson(Checkpoint checkpoint) => new()
    {
        ["key"] = checkpoint.KeyFingerprint,
        ["signature"] = Convert.ToBase64String(checkpoint.Signature),
        ["text"] = checkpoint.Text,
        ["timeStamp"] = checkpoint.TimeStampResponse is null ? null : Convert.ToBase64String(checkpoint.TimeStampResponse),
    };

    private static JsonArray PathJson(IReadOnlyList<byte[]> path)
    {
        var array = new JsonArray();
        foreach (var hash in path)
        {
            array.Add((JsonNode)Hex.Lower(hash));
        }

        return array;
    }

    private static List<byte[]> Path(JsonObject root)
    {
        var array = root["path"] as JsonArray ?? throw new FormatException("path is not an array");
        var path = new List<byte[]>(array.Count);
        foreach (var item in array)
        {
            var hex = item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException("path holds a non-string");
            if (!Hex.IsLowerHex(hex, 32))
            {
                throw new FormatException("path holds something other than 64 lower-case hex digits");
            }

            path.Add(Hex.Parse(hex));
        }

        return path;
    }

    private static long Integer(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : throw new FormatException($"{name} is not an integer");

    internal static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException($"{name} is not a string");

    private static JsonObject Object(JsonObject o, string name) =>
        o[name] as JsonObject ?? throw new FormatException($"{name} is not an object");
}
