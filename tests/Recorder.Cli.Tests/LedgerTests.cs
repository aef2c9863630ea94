using System.Text.Json.Nodes;
using Recorder.Core.Store;
using Recorder.Signing;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

public sealed class LedgerTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-ledger");
    private readonly Synthesis.Truth.SynthesisTruth _truth;

    public LedgerTests()
    {
        var (sample, truth) = Cli.Sample(_directory, packets: 1500);
        _truth = truth;
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
    }

    private string Store => _directory.File("store");

    [Fact]
    public void EveryAction_IsALedgerEntry_WithActorTimeCaseReasonAndHashes()
    {
        var output = _directory.File("needle.pcap");
        var query = Query(output, "CASE-42", "suspected exfiltration to 192.0.2.10");
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);

        var entries = Cli.Run("--store", Store, "ledger", "--json").Json.AsArray().Select(e => e!.AsObject()).ToList();

        var actions = entries.Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["key.created", "store.created", "key.created", "segment.sealed", "import.completed", "query.submitted", "extraction.written", "verify.completed"],
            actions);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(i, entries[i]["seq"]!.GetValue<long>());
            Assert.Equal(Environment.UserName, entries[i]["actor"]!["name"]!.GetValue<string>());
            Assert.EndsWith("Z", entries[i]["time"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(64, entries[i]["prev"]!.GetValue<string>().Length);
        }

        var submitted = entries[actions.IndexOf(LedgerActions.QuerySubmitted)];
        Assert.Equal("CASE-42", submitted["case"]!.GetValue<string>());
        Assert.Equal("suspected exfiltration to 192.0.2.10", submitted["reason"]!.GetValue<string>());
        Assert.Equal(query["queryId"]!.GetValue<string>(), submitted["subjects"]!["queryId"]!.GetValue<string>());
        var extraction = entries[actions.IndexOf(LedgerActions.ExtractionWritten)];
        Assert.Equal(CaptureFiles.Sha256(output), extraction["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(query["queryId"]!.GetValue<string>(), extraction["subjects"]!["queryId"]!.GetValue<string>());
        var segment = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;
        Assert.Equal(segment["manifestSha256"]!.GetValue<string>(), entries[3]["hashes"]!["manifest"]!.GetValue<string>());
        var import = entries[actions.IndexOf(LedgerActions.ImportCompleted)]["details"]!["sources"]![0]!;
        Assert.Equal(_truth.FileBytes, import["bytes"]!.GetValue<long>());

        var filtered = Cli.Run("--store", Store, "ledger", "--json", "--case", "CASE-42").Json.AsArray();
        Assert.Equal(2, filtered.Count);
        Assert.Single(Cli.Run("--store", Store, "ledger", "--json", "--action", "import.*").Json.AsArray());
    }

    [SkippableFact]
    public void Checkpoint_VerifiesWithOpensslSignatureAndTimeStampChecks()
    {
        var openssl = ExternalTools.Require("openssl", "openssl");
        var directory = _directory.File("checkpoint");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "checkpoint", "--out", directory).ExitCode);
        var key = _directory.File("key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", key).ExitCode);

        var signature = ExternalTools.Run(openssl, ["pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin",
            "-in", Path.Combine(directory, "checkpoint.txt"), "-sigfile", Path.Combine(directory, "checkpoint.sig")]);
        var stamp = ExternalTools.Run(openssl, ["ts", "-verify", "-data", Path.Combine(directory, "checkpoint.txt"),
            "-in", Path.Combine(directory, "checkpoint.tsr"), "-CAfile", Path.Combine(directory, "tsa.pem")]);

        Assert.True(signature.ExitCode == 0, signature.Output + signature.Error);
        Assert.True(stamp.ExitCode == 0, stamp.Output + stamp.Error);
        Assert.Contains("Verification: OK", stamp.Output, StringComparison.Ordinal);
        Assert.Equal(64, new FileInfo(Path.Combine(directory, "checkpoint.sig")).Length);
    }

    [Fact]
    public void InclusionAndConsistencyProofs_VerifyOffline_AndAChangedProofDoesNot()
    {
        Query(_directory.File("a.pcap"), "C-1", "first");
        var proof = _directory.File("inclusion.json");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "prove", "--seq", "3", "--out", proof).ExitCode);
        Query(_directory.File("b.pcap"), "C-1", "second");
        var consistency = _directory.File("consistency.json");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "consistency", "--from", "5", "--out", consistency).ExitCode);
        var key = _directory.File("key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", key).ExitCode);
        var elsewhere = _directory.File("elsewhere");

        // Offline: no store, only the public key.
        var inclusionCheck = Cli.Run("--store", elsewhere, "ledger", "verify-proof", proof, "--key", key, "--json");
        var consistencyCheck = Cli.Run("--store", elsewhere, "ledger", "verify-proof", consistency, "--key", key, "--json");

        Assert.True(inclusionCheck.ExitCode == 0, inclusionCheck.ToString());
        Assert.Equal(3, inclusionCheck.Json["leafIndex"]!.GetValue<long>());
        Assert.True(consistencyCheck.ExitCode == 0, consistencyCheck.ToString());
        var text = File.ReadAllText(proof);
        File.WriteAllText(proof, text.Replace("segment.sealed", "segment.SEALED", StringComparison.Ordinal));
        Assert.Equal(1, Cli.Run("--store", elsewhere, "ledger", "verify-proof", proof, "--key", key).ExitCode);
    }

    [Fact]
    public void VerifyProof_AForgedEntryInAnUnsignedTree_ExitsOne_AndAnUnsignedCheckpointPassesOnlyWhenTrusted()
    {
        var proof = _directory.File("inclusion.json");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "prove", "--seq", "3", "--out", proof).ExitCode);
        var key = _directory.File("key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", key).ExitCode);
        var real = JsonNode.Parse(File.ReadAllText(proof))!.AsObject();
        var checkpointText = real["checkpoint"]!["text"]!.GetValue<string>();

        // A one-leaf tree built around an entry nobody recorded, with the signature left out.
        var entry = real["entry"]!.GetValue<string>().Replace("segment.sealed", "segment.deleted", StringComparison.Ordinal).Replace("\"seq\":3", "\"seq\":0", StringComparison.Ordinal);
        var forgedCheckpoint = new Ledger.Checkpoints.Checkpoint(Ledger.Checkpoints.CheckpointText.Parse(System.Text.Encoding.UTF8.GetBytes(checkpointText)).Origin, 1,
            Ledger.Merkle.MerkleHash.Leaf(System.Text.Encoding.UTF8.GetBytes(entry)), Core.Time.Timestamp.FromSeconds(1_700_000_000), [], "0");
        var forged = _directory.File("forged.json");
        File.WriteAllBytes(forged, Ledger.Proofs.ProofFile.Serialize(new Ledger.Proofs.InclusionProof(0, System.Text.Encoding.UTF8.GetBytes(entry), [], forgedCheckpoint)));
        real["checkpoint"]!["signature"] = string.Empty;
        var unsigned = _directory.File("unsigned.json");
        File.WriteAllText(unsigned, real.ToJsonString());
        var trusted = _directory.File("trusted-checkpoint.txt");
        File.WriteAllText(trusted, checkpointText);

        var forgedCheck = Cli.Run("--store", Store, "ledger", "verify-proof", forged, "--key", key);
        var unsignedCheck = Cli.Run("--store", Store, "ledger", "verify-proof", unsigned, "--key", key, "--json");
        var trustedCheck = Cli.Run("--store", Store, "ledger", "verify-proof", unsigned, "--key", key, "--checkpoint", trusted);
        var forgedTrusted = Cli.Run("--store", Store, "ledger", "verify-proof", forged, "--key", key, "--checkpoint", trusted);

        Assert.True(forgedCheck.ExitCode == 1, forgedCheck.ToString());
        Assert.Contains("carries no signature", forgedCheck.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("valid inclusion", forgedCheck.Output, StringComparison.Ordinal);
        Assert.Equal(1, unsignedCheck.ExitCode);
        Assert.Equal("none", unsignedCheck.Json["anchors"]![0]!.GetValue<string>());
        Assert.True(trustedCheck.ExitCode == 0, trustedCheck.ToString());
        Assert.Contains("entry 3 is in the tree of", trustedCheck.Output, StringComparison.Ordinal);
        Assert.Contains("anchored by the trusted checkpoint", trustedCheck.Output, StringComparison.Ordinal);
        Assert.Equal(1, forgedTrusted.ExitCode);
    }

    [Fact]
    public void VerifyProof_ValidProof_SaysWhatWasChecked()
    {
        var proof = _directory.File("inclusion.json");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "prove", "--seq", "2", "--out", proof).ExitCode);
        var key = _directory.File("key.pem");
        Assert.Equal(0, Cli.Run("--store", Store, "key", "export", "--out", key).ExitCode);

        var result = Cli.Run("--store", Store, "ledger", "verify-proof", proof, "--key", key);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("checked: checkpoint: the signature verifies with the public key", result.Output, StringComparison.Ordinal);
        Assert.Contains("checked: the audit path leads from entry 2", result.Output, StringComparison.Ordinal);
        Assert.Contains("entry 2 is in the tree of", result.Output, StringComparison.Ordinal);
        Assert.Contains("signed by key", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OneChangedByteInTheLedger_IsFoundAndLocated()
    {
        var ledger = Path.Combine(Store, "ledger", "ledger.jsonl");
        var lines = File.ReadAllLines(ledger).ToList();
        var index = lines.FindIndex(l => l.Contains("\"segment.sealed\"", StringComparison.Ordinal));
        lines[index] = lines[index].Replace("\"segment.sealed\"", "\"segment.sealeD\"", StringComparison.Ordinal);
        File.WriteAllLines(ledger, lines);

        var result = Cli.Run("--store", Store, "verify", "--json");

        Assert.Equal(1, result.ExitCode);
        var findings = result.Json["findings"]!.AsArray();
        Assert.Contains(findings, f => f!["seq"]?.GetValue<long>() == 3);

        // Appending the failed run's record does not launder the change: the next run finds it again.
        var again = Cli.Run("--store", Store, "verify", "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains(again.Json["findings"]!.AsArray(), f => f!["seq"]?.GetValue<long>() == 3);
        var last = File.ReadAllLines(ledger).Last(l => l.Contains("verify.completed", StringComparison.Ordinal));
        Assert.Contains("\"passed\":false", last, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_LedgerRolledBack_IsCaughtByALaterCheckpoint()
    {
        var ledgerDirectory = Path.Combine(Store, "ledger");
        var saved = _directory.File("saved-ledger");
        CopyDirectory(ledgerDirectory, saved);
        Query(_directory.File("x.pcap"), "C-9", "later work");
        var later = _directory.File("later");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "checkpoint", "--out", later).ExitCode);

        Directory.Delete(ledgerDirectory, recursive: true);
        CopyDirectory(saved, ledgerDirectory);
        var result = Cli.Run("--store", Store, "verify", "--checkpoint", Path.Combine(later, "checkpoint.txt"), "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Json["findings"]!.AsArray(), f => f!["check"]!.GetValue<string>() == "CheckpointBeyondLedger");
    }

    [Fact]
    public void Verify_ExtendsAnEarlierCheckpoint_WhenNothingWasRewritten()
    {
        var earlier = _directory.File("earlier");
        Assert.Equal(0, Cli.Run("--store", Store, "ledger", "checkpoint", "--out", earlier).ExitCode);
        Query(_directory.File("x.pcap"), "C-10", "more work");

        var result = Cli.Run("--store", Store, "verify", "--checkpoint", Path.Combine(earlier, "checkpoint.txt"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("extends 1 earlier checkpoint", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SegmentAndManifestReplacedByASelfConsistentForgery_IsFound()
    {
        var segment = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;
        var manifestPath = segment["manifestPath"]!.GetValue<string>();
        var segmentPath = segment["path"]!.GetValue<string>();
        var forgedBytes = File.ReadAllBytes(segmentPath);
        forgedBytes[^10] ^= 0xFF;
        File.WriteAllBytes(segmentPath, forgedBytes);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        manifest["sha256"] = CaptureFiles.Sha256(segmentPath);
        var forgedManifest = Core.Json.CanonicalJson.Serialize(manifest);
        File.WriteAllBytes(manifestPath, forgedManifest);
        File.WriteAllBytes(segment["signaturePath"]!.GetValue<string>(), Ed25519Key.Generate().Sign(forgedManifest));

        var result = Cli.Run("--store", Store, "verify", "--json");

        Assert.Equal(1, result.ExitCode);
        var findings = result.Json["findings"]!.AsArray();
        Assert.Contains(findings, f => f!["segmentId"]?.GetValue<long>() == 1 && f["check"]!.GetValue<string>() == "signature");
        Assert.Contains(findings, f => f!["segmentId"]?.GetValue<long>() == 1 && f["check"]!.GetValue<string>() == "segment named by the ledger");
    }

    [Fact]
    public void Verify_RemovedSegmentFile_IsFound()
    {
        var segment = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;
        File.Delete(segment["path"]!.GetValue<string>());

        var result = Cli.Run("--store", Store, "verify", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Json["findings"]!.AsArray(), f => f!["segmentId"]?.GetValue<long>() == 1 && f["found"]!.GetValue<string>() == "missing");
    }

    private JsonNode Query(string output, string caseId, string reason)
    {
        var needle = _truth.Needles[0];
        var result = Cli.Run("--store", Store, "query", "--host", needle.Query.Hosts[0], "--out", output, "--case", caseId, "--reason", reason, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => _directory.Dispose();
}
