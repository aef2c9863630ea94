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
public sealed record ProofVerification(
    string? Type,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes,
    long? LeafIndex,
    long? TreeSize,
    long? FirstSize,
    string? Entry,
    IReadOnlyList<TimeStampVerification> TimeStamps)
{
    /// <summary>True when every check passed.</summary>
    public bool IsValid => Problems.Count == 0;
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

    /// <summary>Checks a proof file read from <paramref name="path"/>.</summary>
    public static ProofVerification VerifyFile(string path, ISigner publicKey, X509Certificate2? timeStampCertificate = null) =>
        Verify(File.ReadAllBytes(path), publicKey, timeStampCertificate);

    /// <summary>
    /// Checks a proof file completely: its form, each checkpoint's signature with
    /// <paramref name="publicKey"/>, the Merkle path by RFC 9162 §2.1.3.2 or §2.1.4.2, that the entry
    /// says it is the leaf it is proven as, and each time-stamp (against
    /// <paramref name="timeStampCertificate"/>, or only for integrity when none is given).
    /// </summary>
    public static ProofVerification Verify(ReadOnlySpan<byte> json, ISigner publicKey, X509Certificate2? timeStampCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var problems = new List<string>();
        var notes = new List<string>();
        var stamps = new List<TimeStampVerification>();
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return new ProofVerification(null, ["not a JSON proof file: " + e.Message], notes, null, null, null, null, stamps);
        }

        string? type = null;
        try
        {
            if (Integer(root, "v") != Version)
            {
                problems.Add($"proof format version {root["v"]} is not {Version}");
                return new ProofVerification(null, problems, notes, null, null, null, null, stamps);
            }

            type = Text(root, "type");
            return type switch
            {
                "inclusion" => VerifyInclusion(root, publicKey, timeStampCertificate, problems, notes, stamps),
                "consistency" => VerifyConsistency(root, publicKey, timeStampCertificate, problems, notes, stamps),
                _ => new ProofVerification(type, [$"unknown proof type '{type}'"], notes, null, null, null, null, stamps),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            problems.Add("malformed proof file: " + e.Message);
            return new ProofVerification(type, problems, notes, null, null, null, null, stamps);
        }
    }

    private static ProofVerification VerifyInclusion(JsonObject root, ISigner key, X509Certificate2? tsa, List<string> problems, List<string> notes, List<TimeStampVerification> stamps)
    {
        var leafIndex = Integer(root, "leafIndex");
        var treeSize = Integer(root, "treeSize");
        var entryText = Text(root, "entry");
        var entry = Encoding.UTF8.GetBytes(entryText);
        var path = Path(root);
        var checkpoint = CheckCheckpoint(Object(root, "checkpoint"), "checkpoint", key, tsa, problems, notes, stamps);
        if (checkpoint is not null)
        {
            if (checkpoint.Size != treeSize)
            {
                problems.Add($"treeSize {treeSize} is not the checkpoint's size {checkpoint.Size}");
            }

            if (!MerkleProofs.VerifyInclusion(leafIndex, checkpoint.Size, MerkleHash.Leaf(entry), path, checkpoint.RootHash))
            {
                problems.Add($"the audit path does not lead from entry {leafIndex} to the checkpoint's root (RFC 9162 §2.1.3.2)");
            }
        }

        if (EntryCodec.TryParse(entry, out var parsed, out var error))
        {
            if (parsed.Seq != leafIndex)
            {
                problems.Add($"the entry says it is seq {parsed.Seq}, the proof says leaf {leafIndex}");
            }
        }
        else
        {
            problems.Add("the entry is not a ledger entry: " + error);
        }

        return new ProofVerification("inclusion", problems, notes, leafIndex, treeSize, null, entryText, stamps);
    }

    private static ProofVerification VerifyConsistency(JsonObject root, ISigner key, X509Certificate2? tsa, List<string> problems, List<string> notes, List<TimeStampVerification> stamps)
    {
        var firstSize = Integer(root, "firstSize");
        var secondSize = Integer(root, "secondSize");
        var path = Path(root);
        var first = CheckCheckpoint(Object(root, "first"), "first checkpoint", key, tsa, problems, notes, stamps);
        var second = CheckCheckpoint(Object(root, "second"), "second checkpoint", key, tsa, problems, notes, stamps);
        if (first is not null && second is not null)
        {
            if (first.Size != firstSize || second.Size != secondSize)
            {
                problems.Add($"firstSize/secondSize {firstSize}/{secondSize} are not the checkpoints' sizes {first.Size}/{second.Size}");
            }

            if (first.Origin != second.Origin)
            {
                problems.Add($"the checkpoints are of different logs ('{first.Origin}' and '{second.Origin}')");
            }

            if (!MerkleProofs.VerifyConsistency(first.Size, second.Size, first.RootHash, second.RootHash, path))
            {
                problems.Add($"the consistency path does not prove the tree of {first.Size} a prefix of the tree of {second.Size} (RFC 9162 §2.1.4.2)");
            }
        }

        return new ProofVerification("consistency", problems, notes, null, secondSize, firstSize, null, stamps);
    }

    private static CheckpointBody? CheckCheckpoint(JsonObject node, string what, ISigner key, X509Certificate2? tsa, List<string> problems, List<string> notes, List<TimeStampVerification> stamps)
    {
        var textBytes = Encoding.UTF8.GetBytes(Text(node, "text"));
        var signature = Convert.FromBase64String(Text(node, "signature"));
        if (!CheckpointText.TryParse(textBytes, out var body, out var error))
        {
            problems.Add($"{what}: {error}");
            return null;
        }

        if (signature.Length == 0)
        {
            notes.Add($"{what}: no signature (a checkpoint supplied without one); its root was taken as given");
        }
        else if (!key.Verify(textBytes, signature))
        {
            problems.Add($"{what}: the signature does not verify with the public key {key.Fingerprint}");
        }

        if (Text(node, "key") != key.Fingerprint)
        {
            notes.Add($"{what}: names signing key {Text(node, "key")}, checked with {key.Fingerprint}");
        }

        if (node["timeStamp"] is null)
        {
            notes.Add($"{what}: not time-stamped");
        }
        else
        {
            var stamp = TimeStampVerifier.Verify(Convert.FromBase64String(Text(node, "timeStamp")), textBytes, tsa);
            stamps.Add(stamp);
            if (!stamp.IsValid)
            {
                problems.Add($"{what}: time-stamp does not verify: {stamp.Failure}");
            }
            else if (!stamp.CheckedAgainstTrustedCertificate)
            {
                notes.Add($"{what}: time-stamp checked against the certificate it carries only (no authority certificate supplied)");
            }
        }

        return body;
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

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException($"{name} is not a string");

    private static JsonObject Object(JsonObject o, string name) =>
        o[name] as JsonObject ?? throw new FormatException($"{name} is not an object");
}
