using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Merkle;
using Recorder.Ledger.Proofs;
using Recorder.Ledger.Tests.Support;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Proofs;

public sealed class ProofFileTests : IDisposable
{
    private readonly TestLedger _t = new();

    public ProofFileTests()
    {
        _t.AppendMany(40, perBatch: 7);
    }

    public void Dispose() => _t.Dispose();

    [Fact]
    public void InclusionProofFile_IsCanonicalAndVerifiesOfflineWithThePublicKeyAlone()
    {
        _t.Ledger.Checkpoint();
        var file = ProofFile.Serialize(_t.Ledger.ProveInclusion(17));
        using var tsa = TimeStampVerifier.LoadCertificatePem(_t.Tsa.CertificatePem);

        var result = ProofFile.Verify(file, _t.PublicKey, tsa);

        Assert.True(CanonicalJson.IsCanonical(file));
        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(("inclusion", 17L, 40L), (result.Type, result.LeafIndex!.Value, result.TreeSize!.Value));
        Assert.True(Assert.Single(result.TimeStamps).CheckedAgainstTrustedCertificate);
        Assert.Contains("\"seq\":17", result.Entry, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsistencyProofFile_VerifiesOffline()
    {
        var result = ProofFile.Verify(ProofFile.Serialize(_t.Ledger.ProveConsistency(14, 35)), _t.PublicKey);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal((14L, 35L), (result.FirstSize!.Value, result.TreeSize!.Value));
    }

    [Theory]
    [InlineData("entry", "entry number 17", "entry number 18", "audit path")]
    [InlineData("leafIndex", null, null, "audit path")]
    [InlineData("path", null, null, "audit path")]
    [InlineData("checkpoint.text", "\n40\n", "\n41\n", "signature")]
    [InlineData("checkpoint.signature", null, null, "signature")]
    [InlineData("treeSize", null, null, "treeSize")]
    public void InclusionProofFile_AnyChangedPart_FailsNamingTheCheck(string part, string? find, string? replace, string expected)
    {
        var proof = JsonNode.Parse(ProofFile.Serialize(_t.Ledger.ProveInclusion(17)))!.AsObject();
        switch (part)
        {
            case "entry":
                proof["entry"] = proof["entry"]!.GetValue<string>().Replace(find!, replace, StringComparison.Ordinal);
                break;
            case "leafIndex":
                proof["leafIndex"] = 16L;
                break;
            case "path":
                var path = proof["path"]!.AsArray();
                path[1] = new string('0', 64);
                break;
            case "checkpoint.text":
                proof["checkpoint"]!["text"] = proof["checkpoint"]!["text"]!.GetValue<string>().Replace(find!, replace, StringComparison.Ordinal);
                break;
            case "checkpoint.signature":
                var sig = Convert.FromBase64String(proof["checkpoint"]!["signature"]!.GetValue<string>());
                sig[10] ^= 1;
                proof["checkpoint"]!["signature"] = Convert.ToBase64String(sig);
                break;
            case "treeSize":
                proof["treeSize"] = 39L;
                break;
        }

        var result = ProofFile.Verify(Encoding.UTF8.GetBytes(proof.ToJsonString()), _t.PublicKey);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void InclusionProof_OfAForgedEntry_WithAnEmptySignature_IsInvalid()
    {
        // Anyone can build a one-leaf tree around an entry of their own and leave the signature out.
        var real = _t.Ledger.ProveInclusion(0);
        var forgedEntry = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(real.Entry).Replace("test.appended", "test.FORGED", StringComparison.Ordinal));
        var checkpoint = new Checkpoint(TestLedger.Origin, 1, MerkleHash.Leaf(forgedEntry), real.Checkpoint.Time, [], _t.PublicKey.Fingerprint);
        var forged = ProofFile.Serialize(new InclusionProof(0, forgedEntry, [], checkpoint));

        var result = ProofFile.Verify(forged, _t.PublicKey);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains("carries no signature", StringComparison.Ordinal));
        Assert.Equal([CheckpointAnchor.None], result.Anchors);
    }

    [Fact]
    public void InclusionProof_WithAnEmptySignature_IsValidOnlyAgainstTheSameTrustedCheckpoint()
    {
        var proof = JsonNode.Parse(ProofFile.Serialize(_t.Ledger.ProveInclusion(17)))!.AsObject();
        var text = proof["checkpoint"]!["text"]!.GetValue<string>();
        proof["checkpoint"]!["signature"] = string.Empty;
        var unsigned = Encoding.UTF8.GetBytes(proof.ToJsonString());
        var otherCheckpoint = _t.Ledger.ProveInclusion(17, 35).Checkpoint.Text;

        var trusted = ProofFile.Verify(unsigned, _t.PublicKey, trustedCheckpoints: [text]);
        var untrusted = ProofFile.Verify(unsigned, _t.PublicKey, trustedCheckpoints: [otherCheckpoint]);

        Assert.True(trusted.IsValid, string.Join("; ", trusted.Problems));
        Assert.Equal([CheckpointAnchor.TrustedCheckpoint], trusted.Anchors);
        Assert.Contains(trusted.Checked, c => c.Contains("trusted checkpoint", StringComparison.Ordinal));
        Assert.False(untrusted.IsValid);
    }

    [Fact]
    public void ConsistencyProof_WithAnEmptySignature_IsInvalidUnlessThatCheckpointIsTrusted()
    {
        var proof = JsonNode.Parse(ProofFile.Serialize(_t.Ledger.ProveConsistency(14, 35)))!.AsObject();
        var firstText = proof["first"]!["text"]!.GetValue<string>();
        proof["first"]!["signature"] = string.Empty;
        var unsigned = Encoding.UTF8.GetBytes(proof.ToJsonString());

        var plain = ProofFile.Verify(unsigned, _t.PublicKey);
        var trusted = ProofFile.Verify(unsigned, _t.PublicKey, trustedCheckpoints: [firstText]);

        Assert.False(plain.IsValid);
        Assert.Contains(plain.Problems, p => p.StartsWith("first checkpoint: carries no signature", StringComparison.Ordinal));
        Assert.True(trusted.IsValid, string.Join("; ", trusted.Problems));
        Assert.Equal([CheckpointAnchor.TrustedCheckpoint, CheckpointAnchor.Signature], trusted.Anchors);
    }

    [Fact]
    public void ValidProof_SaysWhatWasChecked()
    {
        var result = ProofFile.Verify(ProofFile.Serialize(_t.Ledger.ProveInclusion(3)), _t.PublicKey);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal([CheckpointAnchor.Signature], result.Anchors);
        Assert.Contains(result.Checked, c => c.Contains("signature verifies with the public key " + _t.PublicKey.Fingerprint, StringComparison.Ordinal));
        Assert.Contains(result.Checked, c => c.Contains("audit path leads from entry 3", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("signed no other history", StringComparison.Ordinal));
    }

    [Fact]
    public void ProofFile_CheckedWithAnotherKey_Fails()
    {
        var result = ProofFile.Verify(ProofFile.Serialize(_t.Ledger.ProveInclusion(3)), Ed25519Key.Generate());

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains("signature does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public void ConsistencyProofFile_WithAShortenedPath_Fails()
    {
        var proof = JsonNode.Parse(ProofFile.Serialize(_t.Ledger.ProveConsistency(14, 35)))!.AsObject();
        proof["path"]!.AsArray().RemoveAt(0);

        var result = ProofFile.Verify(Encoding.UTF8.GetBytes(proof.ToJsonString()), _t.PublicKey);

        Assert.False(result.IsValid);
    }

    [Fact]
    public void ProofFile_NotJson_IsReportedNotThrown()
    {
        var result = ProofFile.Verify("garbage"u8, _t.PublicKey);

        Assert.False(result.IsValid);
    }

    [Fact]
    public void InclusionProof_SizeIsLogarithmic()
    {
        _t.AppendMany(2000, perBatch: 1000);

        var small = _t.Ledger.ProveInclusion(5, 40);
        var large = _t.Ledger.ProveInclusion(5);

        Assert.Equal(6, small.AuditPath.Count);
        Assert.Equal(11, large.AuditPath.Count);
    }
}
