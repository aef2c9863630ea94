using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Proofs;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;
using Recorder.Storage.Verification;

namespace Recorder.Application.Packaging;

/// <summary>
/// Checks an evidence package with nothing but the package (no store, no service): the signed
/// SHA256SUMS against every file (changed, added and removed files are each named), the manifest's
/// signature, the evidence files against the manifest (hashes, sizes, packet counts, times), every
/// custody entry's inclusion proof against the signed, RFC 3161 time-stamped checkpoint, and the
/// ledger's record of the manifest, the extractions and the report.
/// </summary>
public static class PackageVerifier
{
    /// <summary>Verifies the package at <paramref name="path"/> (a folder or a .zip); <paramref name="expectedKey"/> pins the signing key.</summary>
    public static VerificationReport Verify(string path, Ed25519Key? expectedKey = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var extracted = Path.Combine(Path.GetTempPath(), "recorder-package-" + Guid.NewGuid().ToString("N"));
            try
            {
                ZipFile.ExtractToDirectory(path, extracted);
                return VerifyFolder(extracted, expectedKey);
            }
            finally
            {
                Directory.Delete(extracted, recursive: true);
            }
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no package folder or .zip here", path);
        }

        return VerifyFolder(path, expectedKey);
    }

    private static VerificationReport VerifyFolder(string root, Ed25519Key? expectedKey)
    {
        var findings = new List<Finding>();
        var notes = new JsonObject();
        Ed25519Key? key = null;
        try
        {
            key = Ed25519Key.Load(Path.Combine(root, "signing.pub.pem"));
        }
        catch (Exception e) when (e is IOException or CryptographicException)
        {
            findings.Add(new Finding("signing.pub.pem", "public key", "the store's Ed25519 public key (PEM)", e.Message));
        }

        if (key is not null && expectedKey is not null && key.Fingerprint != expectedKey.Fingerprint)
        {
            findings.Add(new Finding("signing.pub.pem", "key fingerprint", expectedKey.Fingerprint, key.Fingerprint));
        }

        var files = CheckSums(root, key, findings);
        var manifest = CheckManifest(root, key, findings);
        if (manifest is not null)
        {
            CheckEvidence(root, manifest, findings);
            CheckTransferredFiles(root, manifest, findings);
        }

        var tsa = LoadCertificate(Path.Combine(root, "custody", "tsa.pem"), findings);
        var entries = CheckCustody(root, "custody", key, tsa, findings);
        var reportEntries = CheckCustody(root, "custody/report", key, tsa, findings);
        CheckConsistency(root, key, tsa, findings);
        if (manifest is not null)
        {
            CheckLedgerFacts(root, manifest, entries, reportEntries, findings);
        }

        try
        {
            _ = JsonNode.Parse(File.ReadAllBytes(Path.Combine(root, "case.jsonld")));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            findings.Add(new Finding("case.jsonld", "JSON-LD", "a JSON-LD document", e.Message));
        }

        notes["files"] = files;
        notes["custodyEntries"] = entries.Count + reportEntries.Count;
        notes["keyFingerprint"] = key?.Fingerprint;
        return new VerificationReport { Findings = findings, Notes = notes, SegmentsChecked = 0 };
    }

    private static int CheckSums(string root, Ed25519Key? key, List<Finding> findings)
    {
        var sumsPath = Path.Combine(root, "SHA256SUMS");
        if (!File.Exists(sumsPath))
        {
            findings.Add(new Finding("SHA256SUMS", "presence", "the list of every file's SHA-256", "missing"));
            return 0;
        }

        var sums = File.ReadAllBytes(sumsPath);
        var signaturePath = Path.Combine(root, "SHA256SUMS.sig");
        if (!File.Exists(signaturePath))
        {
            findings.Add(new Finding("SHA256SUMS.sig", "presence", "an Ed25519 signature over SHA256SUMS", "missing"));
        }
        else if (key is not null && !key.Verify(sums, File.ReadAllBytes(signaturePath)))
        {
            findings.Add(new Finding("SHA256SUMS", "signature", "SHA256SUMS exactly as signed by the store key", "a signature that does not verify"));
        }

        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Encoding.ASCII.GetString(sums).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf("  ", StringComparison.Ordinal);
            if (separator != 64)
            {
                findings.Add(new Finding("SHA256SUMS", "line", "<64 hex digits>  <file>", line));
                continue;
            }

            listed[line[(separator + 2)..]] = line[..separator];
        }

        var present = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => f is not "SHA256SUMS" and not "SHA256SUMS.sig")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (file, expected) in listed.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!present.Contains(file))
            {
                findings.Add(new Finding(file, "removed", $"a file with SHA-256 {expected}", "missing"));
                continue;
            }

            using var stream = File.OpenRead(Path.Combine(root, file));
            var found = Hex.Lower(SHA256.HashData(stream));
            if (found != expected)
            {
                findings.Add(new Finding(file, "changed", $"SHA-256 {expected}", $"SHA-256 {found}"));
            }
        }

        foreach (var file in present.Where(f => !listed.ContainsKey(f)).Order(StringComparer.Ordinal))
        {
            findings.Add(new Finding(file, "added", "only the files SHA256SUMS lists", "a file it does not list"));
        }

        return listed.Count;
    }

    private static ManifestFacts? CheckManifest(string root, Ed25519Key? key, List<Finding> findings)
    {
        var path = Path.Combine(root, "manifest.json");
        if (!File.Exists(path))
        {
            findings.Add(new Finding("manifest.json", "presence", "the package manifest", "missing"));
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var signature = Path.Combine(root, "manifest.sig");
        if (!File.Exists(signature) || (key is not null && !key.Verify(bytes, File.ReadAllBytes(signature))))
        {
            findings.Add(new Finding("manifest.json", "signature", "a valid Ed25519 signature (manifest.sig) by the store key", "missing or not verifying"));
        }

        if (!CanonicalJson.IsCanonical(bytes))
        {
            findings.Add(new Finding("manifest.json", "encoding", "RFC 8785 canonical JSON", "non-canonical bytes"));
        }

        ManifestFacts manifest;
        try
        {
            manifest = ManifestFacts.Read(bytes);
        }
        catch (FormatException e)
        {
            findings.Add(new Finding("manifest.json", "content", "a package manifest", e.Message));
            return null;
        }

        if (manifest.Format != PackageBuilder.FormatName || manifest.Version != PackageBuilder.FormatVersion)
        {
            findings.Add(new Finding("manifest.json", "format", $"{PackageBuilder.FormatName} version {PackageBuilder.FormatVersion}",
                $"{manifest.Format ?? "none"} version {manifest.Version?.ToString(CultureInfo.InvariantCulture) ?? "none"}"));
        }

        if (key is not null && manifest.StoreKeyFingerprint != key.Fingerprint)
        {
            findings.Add(new Finding("manifest.json", "store key", $"the fingerprint of signing.pub.pem ({key.Fingerprint})", manifest.StoreKeyFingerprint ?? "none"));
        }

        return manifest;
    }

    private static void CheckEvidence(string root, ManifestFacts manifest, List<Finding> findings)
    {
        foreach (var item in manifest.Evidence)
        {
            var evidence = item.Fields;
            var name = item.File;
            if (PackagedFile(root, name, "evidence file", findings) is not { } path)
            {
                continue;
            }

            var hashes = FileHashes.Of(path);
            Compare(name, "sha256", evidence["sha256"], hashes.Sha256, findings);
            Compare(name, "sha1", evidence["sha1"], hashes.Sha1, findings);
            Compare(name, "md5", evidence["md5"], hashes.Md5, findings);
            Compare(name, "bytes", evidence["bytes"], hashes.Size.ToString(CultureInfo.InvariantCulture), findings);

            try
            {
                using var reader = CaptureFileReader.Open(path);
                long packets = 0, first = long.MaxValue, last = long.MinValue;
                while (reader.TryRead(out var packet))
                {
                    packets++;
                    first = Math.Min(first, packet.TimestampNanoseconds);
                    last = Math.Max(last, packet.TimestampNanoseconds);
                }

                Compare(name, "packets", evidence["packets"], packets.ToString(CultureInfo.InvariantCulture), findings);
                if (packets > 0)
                {
                    Compare(name, "firstTimestamp", evidence["firstTimestamp"], new Core.Time.Timestamp(first).ToString(), findings);
                    Compare(name, "lastTimestamp", evidence["lastTimestamp"], new Core.Time.Timestamp(last).ToString(), findings);
                }
            }
            catch (CaptureFormatException e)
            {
                findings.Add(new Finding(name, "capture file", "a readable pcap or pcapng file", e.Message));
            }
        }
    }

    /// <summary>The transferred files and their sidecars against the manifest's <c>files[]</c>: hashes and size.</summary>
    private static void CheckTransferredFiles(string root, ManifestFacts manifest, List<Finding> findings)
    {
        foreach (var item in manifest.Files)
        {
            if (PackagedFile(root, item.File, "transferred file", findings) is { } path)
            {
                var hashes = FileHashes.Of(path);
                Compare(item.File, "sha256", item.Fields["sha256"], hashes.Sha256, findings);
                Compare(item.File, "sha1", item.Fields["sha1"], hashes.Sha1, findings);
                Compare(item.File, "md5", item.Fields["md5"], hashes.Md5, findings);
                Compare(item.File, "bytes", item.Fields["bytes"], hashes.Size.ToString(CultureInfo.InvariantCulture), findings);
            }

            if (PackagedFile(root, item.Sidecar, "transferred file's sidecar", findings) is { } sidecar)
            {
                Compare(item.Sidecar, "sha256", item.Fields["sidecarSha256"], FileHashes.Of(sidecar).Sha256, findings);
            }
        }
    }

    /// <summary>The full path of <paramref name="name"/>, a file the manifest lists inside the package; null (and a finding) when it is not there.</summary>
    private static string? PackagedFile(string root, string name, string what, List<Finding> findings)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            // Path.GetFullPath refuses a NUL with an exception; no file in a package has one.
            findings.Add(new Finding(name.Replace('\0', '?'), what, "the file the manifest lists", "a name with a NUL character"));
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(root, name));
        if (!path.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            findings.Add(new Finding(name, what, "the file the manifest lists", "missing"));
            return null;
        }

        return path;
    }

    private static List<JsonObject> CheckCustody(string root, string folder, Ed25519Key? key, X509Certificate2? tsa, List<Finding> findings)
    {
        var directory = Path.Combine(root, folder);
        var entriesPath = Path.Combine(directory, "entries.jsonl");
        var result = new List<JsonObject>();
        if (!File.Exists(entriesPath))
        {
            findings.Add(new Finding($"{folder}/entries.jsonl", "presence", "the custody entries", "missing"));
            return result;
        }

        var checkpointText = ReadOrNull(Path.Combine(directory, "checkpoint.txt"));
        var checkpointSignature = ReadOrNull(Path.Combine(directory, "checkpoint.sig"));
        if (checkpointText is null || checkpointSignature is null || (key is not null && !key.Verify(checkpointText, checkpointSignature)))
        {
            findings.Add(new Finding($"{folder}/checkpoint.txt", "signature", "a checkpoint signed by the store key (checkpoint.sig)", "missing or not verifying"));
        }

        var tsr = ReadOrNull(Path.Combine(directory, "checkpoint.tsr"));
        if (checkpointText is not null)
        {
            var stamp = tsr is null ? null : TimeStampVerifier.Verify(tsr, checkpointText, tsa);
            if (stamp is not { IsValid: true })
            {
                findings.Add(new Finding($"{folder}/checkpoint.tsr", "time-stamp", "a valid RFC 3161 time-stamp over checkpoint.txt", stamp?.Failure ?? "missing"));
            }
        }

        foreach (var line in File.ReadAllText(entriesPath, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonObject entry;
            long seq;
            try
            {
                entry = StrictJson.Parse(Encoding.UTF8.GetBytes(line)) as JsonObject ?? throw new FormatException("not a JSON object");
                seq = StrictJson.Integer(entry["seq"]) ?? throw new FormatException("seq is missing or not an integer");
            }
            catch (FormatException e)
            {
                findings.Add(new Finding($"{folder}/entries.jsonl", "entry", "a ledger entry", e.Message));
                continue;
            }

            result.Add(entry);
            var proofPath = Path.Combine(directory, "proofs", seq.ToString("D10", CultureInfo.InvariantCulture) + ".json");
            if (!File.Exists(proofPath) || key is null)
            {
                findings.Add(new Finding($"{folder}/proofs", "inclusion proof", $"a proof of entry {seq}", "missing") { Sequence = seq });
                continue;
            }

            var proofBytes = File.ReadAllBytes(proofPath);
            var proof = ProofFile.Verify(proofBytes, key, tsa);
            if (!proof.IsValid)
            {
                findings.Add(new Finding(Path.GetRelativePath(root, proofPath), "inclusion proof", $"a valid proof of entry {seq}", string.Join("; ", proof.Problems)) { Sequence = seq });
            }
            else if (proof.Entry != line || proof.LeafIndex != seq)
            {
                findings.Add(new Finding(Path.GetRelativePath(root, proofPath), "inclusion proof", $"a proof of exactly the line of entry {seq}", "a proof of another entry") { Sequence = seq });
            }
            else if (checkpointText is not null && StrictJson.Text(((JsonNode.Parse(proofBytes) as JsonObject)?["checkpoint"] as JsonObject)?["text"]) is { } proven
                     && proven != Encoding.UTF8.GetString(checkpointText))
            {
                findings.Add(new Finding(Path.GetRelativePath(root, proofPath), "inclusion proof", $"proven against {folder}/checkpoint.txt", "another checkpoint") { Sequence = seq });
            }
        }

        return result;
    }

    private static void CheckConsistency(string root, Ed25519Key? key, X509Certificate2? tsa, List<Finding> findings)
    {
        var path = Path.Combine(root, "custody", "report", "consistency.json");
        if (!File.Exists(path) || key is null)
        {
            findings.Add(new Finding("custody/report/consistency.json", "presence", "a consistency proof between the two checkpoints", "missing"));
            return;
        }

        var proof = ProofFile.VerifyFile(path, key, tsa);
        var first = ReadOrNull(Path.Combine(root, "custody", "checkpoint.txt"));
        var second = ReadOrNull(Path.Combine(root, "custody", "report", "checkpoint.txt"));
        var firstSize = first is not null && CheckpointText.TryParse(first, out var a, out _) ? a.Size : -1;
        var secondSize = second is not null && CheckpointText.TryParse(second, out var b, out _) ? b.Size : -2;
        if (!proof.IsValid || proof.FirstSize != firstSize || proof.TreeSize != secondSize)
        {
            findings.Add(new Finding("custody/report/consistency.json", "consistency proof",
                $"the ledger of {secondSize} entries extends the one of {firstSize}", proof.IsValid ? $"a proof for sizes {proof.FirstSize} and {proof.TreeSize}" : string.Join("; ", proof.Problems)));
        }
    }

    private static void CheckLedgerFacts(string root, ManifestFacts manifest, List<JsonObject> entries, List<JsonObject> reportEntries, List<Finding> findings)
    {
        var manifestSha = Hex.Lower(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, "manifest.json"))));
        var packageId = manifest.PackageId;
        var built = entries.FirstOrDefault(e => Action(e) == LedgerActions.PackageBuilt && Subject(e, "packageId") == packageId);
        if (built is null)
        {
            findings.Add(new Finding("custody/entries.jsonl", LedgerActions.PackageBuilt, $"the ledger's record of package {packageId}", "missing"));
        }
        else if (Hash(built, "manifest") != manifestSha)
        {
            findings.Add(new Finding("custody/entries.jsonl", LedgerActions.PackageBuilt, $"manifest {manifestSha}", $"manifest {Hash(built, "manifest")}") { Sequence = StrictJson.Integer(built["seq"]) });
        }

        foreach (var item in manifest.Evidence)
        {
            var queryId = item.QueryId;
            var sha = item.Sha256;
            var extraction = entries.FirstOrDefault(e => Action(e) == LedgerActions.ExtractionWritten && Subject(e, "queryId") == queryId);
            if (extraction is null || Hash(extraction, "output") != sha)
            {
                findings.Add(new Finding("custody/entries.jsonl", LedgerActions.ExtractionWritten, $"query {queryId} wrote SHA-256 {sha}",
                    extraction is null ? "no extraction entry" : $"SHA-256 {Hash(extraction, "output")}"));
            }
        }

        foreach (var item in manifest.Files)
        {
            var extraction = entries.FirstOrDefault(e => Action(e) == LedgerActions.FilesExtracted && Subject(e, "extractionId") == item.ExtractionId);
            if (extraction is null || Hash(extraction, "file") != item.Sha256 || Hash(extraction, "sidecar") != item.SidecarSha256)
            {
                findings.Add(new Finding("custody/entries.jsonl", LedgerActions.FilesExtracted,
                    $"extraction {item.ExtractionId} wrote file SHA-256 {item.Sha256} and sidecar SHA-256 {item.SidecarSha256}",
                    extraction is null ? "no extraction entry" : $"file SHA-256 {Hash(extraction, "file")}, sidecar SHA-256 {Hash(extraction, "sidecar")}"));
            }
        }

        foreach (var item in manifest.Segments)
        {
            var id = item.Id;
            var sha = item.ManifestSha256;
            var sealedEntry = entries.FirstOrDefault(e => Action(e) is LedgerActions.SegmentSealed or LedgerActions.SegmentRecovered
                && StrictJson.Integer((e["subjects"] as JsonObject)?["segmentId"]) == id);
            if (sealedEntry is null || Hash(sealedEntry, "manifest") != sha)
            {
                findings.Add(new Finding("custody/entries.jsonl", LedgerActions.SegmentSealed, $"segment {id} sealed with manifest {sha}", sealedEntry is null ? "no seal entry" : "another manifest"));
            }
        }

        var reportSha = File.Exists(Path.Combine(root, "report.pdf")) ? Hex.Lower(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, "report.pdf")))) : "missing";
        var report = reportEntries.FirstOrDefault(e => Action(e) == LedgerActions.ReportGenerated);
        if (report is null || Hash(report, "report") != reportSha)
        {
            findings.Add(new Finding("report.pdf", LedgerActions.ReportGenerated, $"the report whose SHA-256 the ledger recorded ({(report is null ? null : Hash(report, "report"))})", $"SHA-256 {reportSha}"));
        }
    }

    // Custody entries are read as they are in the package, before (and whatever) their proofs say:
    // each field is taken only when it is of the kind the ledger format gives it.
    private static string? Action(JsonObject entry) => StrictJson.Text(entry["action"]);

    private static string? Subject(JsonObject entry, string name) => StrictJson.Text((entry["subjects"] as JsonObject)?[name]);

    private static string? Hash(JsonObject entry, string name) => StrictJson.Text((entry["hashes"] as JsonObject)?[name]);

    private static X509Certificate2? LoadCertificate(string path, List<Finding> findings)
    {
        try
        {
            return TimeStampVerifier.LoadCertificatePem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or CryptographicException or ArgumentException)
        {
            findings.Add(new Finding("custody/tsa.pem", "certificate", "the time-stamp authority's certificate", e.Message));
            return null;
        }
    }

    private static void Compare(string file, string check, JsonNode? expected, string found, List<Finding> findings)
    {
        var text = expected is JsonValue value ? value.ToJsonString().Trim('"') : "none";
        if (text != found)
        {
            findings.Add(new Finding(file, check, text, found));
        }
    }

    private static byte[]? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;
}
