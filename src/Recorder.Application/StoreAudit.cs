using System.Text.Json.Nodes;
using Recorder.Application.Auditing;
using Recorder.Application.KeyLogs;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
using Recorder.Ledger.Verification;
using Recorder.Storage.Store;
using Recorder.Storage.Verification;

namespace Recorder.Application;

/// <summary>A checkpoint obtained earlier that today's ledger must extend.</summary>
/// <param name="Text">The exact checkpoint bytes.</param>
/// <param name="Signature">Its raw Ed25519 signature, when at hand.</param>
/// <param name="Source">Where it came from (for messages).</param>
public sealed record EarlierCheckpoint(byte[] Text, byte[]? Signature, string Source);

/// <summary>
/// The whole verification of a store: segments, manifests, signatures and index
/// (<see cref="StoreVerifier"/>), the custody ledger (chain, Merkle tree, signed heads, RFC 3161
/// time-stamps, recovered cuts), and the two against each other: every segment and extraction the
/// ledger names exists with the recorded hash (unless a later entry records its deletion), and every
/// sealed segment on disk is in the ledger. Every problem is one finding.
/// </summary>
public static class StoreAudit
{
    /// <summary>Runs every check; <paramref name="earlier"/> adds checkpoints the ledger must extend.</summary>
    public static VerificationReport Verify(EvidenceStore store, IReadOnlyList<EarlierCheckpoint> earlier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(earlier);
        var storeReport = new StoreVerifier(store).Verify(cancellationToken);
        var findings = storeReport.Findings.ToList();
        var notes = storeReport.Notes.DeepClone().AsObject();
        var named = new List<(long Seq, long SegmentId, string ManifestSha256)>();
        var deleted = new HashSet<long>();
        var sessionFiles = new Dictionary<long, (long Seq, string Sha256)>();
        var ledgered = new LedgeredFiles(store.Layout);
        var keyLogs = new HashSet<string>(StringComparer.Ordinal);
        var ledgerDirectory = store.Layout.LedgerDirectory;
        if (!File.Exists(Path.Combine(ledgerDirectory, "ledger.jsonl")))
        {
            findings.Add(new Finding("ledger", "presence", "a custody ledger recording every action on this store", "no ledger.jsonl"));
            return storeReport with { Findings = findings };
        }

        var report = LedgerVerifier.Verify(ledgerDirectory, store.Key, LedgerJournal.BuiltInCertificate(StoreAccess.TimeStampAuthorityDirectory(store.Layout)),
            new LedgerVerifyOptions
            {
                Origin = "recorder.store/" + store.StoreId,
                ExtendsCheckpoints = earlier.Select(c => new ExternalCheckpoint(c.Text, c.Signature, c.Source)).ToList(),
                EntryCheck = entry =>
                {
                    Collect(entry, named, deleted);
                    CollectSessions(entry, sessionFiles);
                    ledgered.Add(entry);
                    KeyLogAudit.Collect(entry, keyLogs);
                    return [];
                },
            });
        // By reference: two checkpoints rewritten alike give two equal findings, each listed.
        var ledgerFindings = new Dictionary<LedgerFinding, Finding>(ReferenceEqualityComparer.Instance);
        foreach (var finding in report.Findings)
        {
            ledgerFindings[finding] = ToStoreFinding(finding);
            findings.Add(ledgerFindings[finding]);
        }

        var ledgerCauses = LedgerDiagnosis.Explain(report.Findings)
            .Select(c => new FindingCause(c.Explanation, ledgerFindings[c.Finding], c.Consequences.Select(f => ledgerFindings[f]).ToList()))
            .ToList();

        var onDisk = store.ListSegments().ToDictionary(s => s.Id);
        var inLedger = new HashSet<long>();
        foreach (var (seq, segmentId, manifestSha) in named)
        {
            inLedger.Add(segmentId);
            if (deleted.Contains(segmentId))
            {
                continue;
            }

            if (!onDisk.TryGetValue(segmentId, out var segment))
            {
                findings.Add(new Finding($"ledger seq {seq}", "segment named by the ledger", $"segment {segmentId} with manifest {manifestSha}", "no such segment")
                {
                    Sequence = seq,
                    SegmentId = segmentId,
                });
            }
            else if (segment.ManifestSha256 != manifestSha)
            {
                findings.Add(new Finding($"ledger seq {seq}", "segment named by the ledger", $"segment {segmentId} with manifest {manifestSha}",
                    $"manifest {segment.ManifestSha256}") { Sequence = seq, SegmentId = segmentId });
            }
        }

        // The segments the store check saw, minus those a living writer is still recording: a
        // segment sealed after the check began, or not yet recorded, is no finding of this run.
        foreach (var id in storeReport.SegmentIds.Where(id => !inLedger.Contains(id) && !storeReport.InFlightSegmentIds.Contains(id)))
        {
            findings.Add(new Finding($"segment {id}", "in the ledger", "a segment.sealed entry for every sealed segment", "no ledger entry") { SegmentId = id });
        }

        findings.AddRange(ledgered.Check(cancellationToken));
        findings.AddRange(KeyLogAudit.Unrecorded(store.Layout, keyLogs));
        var notBuilt = CheckSessionFiles(store.Layout, storeReport.SegmentIds.Where(id => !storeReport.InFlightSegmentIds.Contains(id) && !deleted.Contains(id)),
            sessionFiles, findings);
        notes["sessionMetadataChecked"] = sessionFiles.Count - notBuilt.Count(sessionFiles.ContainsKey);
        notes["sessionMetadataNotBuilt"] = new JsonArray(notBuilt.Select(id => (JsonNode)id).ToArray());
        notes["ledgerEntries"] = report.Entries;
        notes["ledgerSignedHeads"] = report.Heads;
        notes["ledgerCheckpointsChecked"] = report.CheckpointsChecked;
        notes["ledgerRoot"] = report.RootHash;
        notes["extractionsNoLongerAtTheirPath"] = ledgered.HandedOver;
        notes["ledgeredFilesChecked"] = ledgered.Checked;
        notes["ledgerNotes"] = new JsonArray(report.Notes.Select(n => (JsonNode?)n).ToArray());
        return storeReport with
        {
            // Causes are worked out in the order the checks ran (segment files before the ledger's
            // record of them), so that a segment's own finding is the root of what follows from it.
            Causes = StoreDiagnosis.Explain(findings, ledgerCauses),
            Findings = findings.OrderBy(f => f.Sequence ?? long.MaxValue).ThenBy(f => f.SegmentId ?? long.MaxValue).ToList(),
            Notes = notes,
        };
    }

    private static Finding ToStoreFinding(LedgerFinding finding) =>
        new(finding.Seq is { } seq ? $"ledger seq {seq}" + (finding.LastSeq is { } last && last != seq ? $"..{last}" : string.Empty) : "ledger",
            finding.Kind.ToString(), finding.Expected ?? finding.What, finding.Found ?? (finding.Offset is { } o ? $"at byte {o}" : finding.What))
        {
            Sequence = finding.Seq,
        };

    private static void Collect(LedgerEntry entry, List<(long, long, string)> named, HashSet<long> deleted)
    {
        var subjects = entry.Subjects;
        var segmentId = subjects["segmentId"] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? value.GetValue<long>()
            : (long?)null;
        if (entry.Action is LedgerActions.SegmentSealed or LedgerActions.SegmentRecovered
            && segmentId is { } sealedId && entry.Hashes.TryGetValue("manifest", out var manifest))
        {
            named.Add((entry.Seq, sealedId, manifest));
        }
        else if (entry.Action == LedgerActions.SegmentDeleted && segmentId is { } deletedId)
        {
            deleted.Add(deletedId);
        }
    }

    private static void CollectSessions(LedgerEntry entry, Dictionary<long, (long, string)> sessionFiles)
    {
        if (entry.Action == LedgerActions.SessionsIndexed
            && entry.Subjects["segmentId"] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && entry.Hashes.TryGetValue("sessions", out var sha))
        {
            // A rebuilt file (recorder sessions index --all) is recorded again: the newest entry holds.
            sessionFiles[value.GetValue<long>()] = (entry.Seq, sha);
        }
    }

    /// <summary>
    /// Each segment's session metadata file against the newest <c>sessions.indexed</c> entry: a file
    /// whose SHA-256 differs, or a file no entry names, is a finding naming the file; a segment without
    /// a file is "not built" (returned, not a finding: the entry is written before the file is put in
    /// place, so a crash in between, or an import with --no-sessions, leaves exactly this).
    /// </summary>
    private static List<long> CheckSessionFiles(StoreLayout layout, IEnumerable<long> segmentIds, Dictionary<long, (long Seq, string Sha256)> sessionFiles,
        List<Finding> findings)
    {
        var notBuilt = new List<long>();
        foreach (var id in segmentIds)
        {
            // The block file (.sessions.jsonl.zst, records and index) when there is one, else a file of the first layout.
            var path = layout.ExistingSessionsFile(id);
            var recorded = sessionFiles.TryGetValue(id, out var entry);
            if (path is null)
            {
                notBuilt.Add(id);
                continue;
            }

            var actual = Recorder.Core.Hashing.Hex.Lower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
            if (!recorded)
            {
                findings.Add(new Finding(layout.Relative(path), "session metadata", "a sessions.indexed entry naming this file", "no ledger entry")
                {
                    SegmentId = id,
                });
            }
            else if (actual != entry.Sha256)
            {
                findings.Add(new Finding(layout.Relative(path), "session metadata", $"sha256 {entry.Sha256} (ledger seq {entry.Seq})", $"sha256 {actual}")
                {
                    SegmentId = id,
                    Sequence = entry.Seq,
                });
            }
        }

        return notBuilt;
    }
}
