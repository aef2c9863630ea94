using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Proofs;

/// <summary>
/// The findings of one proof check as it goes: what failed, what passed, what was not checked, and
/// how each checkpoint is anchored. Anchoring is the rule that makes a proof mean anything: a
/// checkpoint's root counts only when the store key signed it, or when the verifier already holds
/// exactly that checkpoint as trusted (RFC 9162 §8.1.2: a client verifies the signed tree head
/// before trusting any proof against it).
/// </summary>
internal sealed class Checks(ISigner key, X509Certificate2? timeStampAuthority, IReadOnlyCollection<string> trustedCheckpoints)
{
    public List<string> Problems { get; } = [];

    public List<string> Notes { get; } = [];

    public List<string> Passed { get; } = [];

    public List<TimeStampVerification> Stamps { get; } = [];

    public List<CheckpointAnchor> Anchors { get; } = [];

    public ProofVerification Result(string? type, long? leafIndex, long? treeSize, long? firstSize, string? entry)
    {
        if (Problems.Count == 0)
        {
            Notes.Add("not checked, and no proof can check it: that the key holder signed no other history; " +
                "consistency proofs between checkpoints obtained at different times, and independent time-stamps, constrain that (docs/proof-format.md §4)");
        }

        return new ProofVerification(type, Problems, Notes, leafIndex, treeSize, firstSize, entry, Stamps, Passed, Anchors);
    }

    public ProofVerification Fail(string? type, string problem)
    {
        Problems.Add(problem);
        return Result(type, null, null, null, null);
    }

    /// <summary>Parses and anchors one checkpoint object; null when its text is not a checkpoint.</summary>
    public CheckpointBody? ReadCheckpoint(JsonObject node, string what)
    {
        var text = ProofFile.Text(node, "text");
        var textBytes = Encoding.UTF8.GetBytes(text);
        var signature = Convert.FromBase64String(ProofFile.Text(node, "signature"));
        if (!CheckpointText.TryParse(textBytes, out var body, out var error))
        {
            Problems.Add($"{what}: {error}");
            Anchors.Add(CheckpointAnchor.None);
            return null;
        }

        Anchors.Add(Anchor(what, text, textBytes, signature));
        var named = ProofFile.Text(node, "key");
        if (named != key.Fingerprint)
        {
            Notes.Add($"{what}: names signing key {named}, checked with {key.Fingerprint}");
        }

        CheckTimeStamp(node, what, textBytes);
        return body;
    }

    private CheckpointAnchor Anchor(string what, string text, byte[] textBytes, byte[] signature)
    {
        var trusted = trustedCheckpoints.Contains(text, StringComparer.Ordinal);
        if (signature.Length == 0)
        {
            if (trusted)
            {
                Passed.Add($"{what}: carries no signature, but is exactly the trusted checkpoint supplied; its root is taken from that");
                return CheckpointAnchor.TrustedCheckpoint;
            }

            Problems.Add($"{what}: carries no signature and matches no trusted checkpoint supplied: " +
                $"nothing ties its root to the store key {key.Fingerprint}, so the proof proves nothing");
            return CheckpointAnchor.None;
        }

        if (!key.Verify(textBytes, signature))
        {
            // A bad signature is a finding even when the text is trusted: someone altered the file.
            Problems.Add($"{what}: the signature does not verify with the public key {key.Fingerprint}");
            return CheckpointAnchor.None;
        }

        Passed.Add($"{what}: the signature verifies with the public key {key.Fingerprint} (Ed25519, RFC 8032)");
        if (trusted)
        {
            Passed.Add($"{what}: is exactly the trusted checkpoint supplied");
        }
        else if (trustedCheckpoints.Count > 0)
        {
            Notes.Add($"{what}: is none of the trusted checkpoints supplied; it is anchored by its signature alone");
        }

        return CheckpointAnchor.Signature;
    }

    private void CheckTimeStamp(JsonObject node, string what, byte[] textBytes)
    {
        if (node["timeStamp"] is null)
        {
            Notes.Add($"{what}: not time-stamped, so nothing but the key holder's word dates it");
            return;
        }

        var stamp = TimeStampVerifier.Verify(Convert.FromBase64String(ProofFile.Text(node, "timeStamp")), textBytes, timeStampAuthority);
        Stamps.Add(stamp);
        if (!stamp.IsValid)
        {
            Problems.Add($"{what}: time-stamp does not verify: {stamp.Failure}");
        }
        else if (!stamp.CheckedAgainstTrustedCertificate)
        {
            Passed.Add($"{what}: time-stamp of {stamp.GenTime:O} matches the text");
            Notes.Add($"{what}: time-stamp checked against the certificate it carries only (no authority certificate supplied), so who stamped it is not checked");
        }
        else
        {
            Passed.Add($"{what}: time-stamp of {stamp.GenTime:O} verifies against the authority certificate supplied ({stamp.SignerSubject})");
        }
    }
}
