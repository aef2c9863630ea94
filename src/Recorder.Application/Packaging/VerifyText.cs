using System.Text;
using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>VERIFY.txt: how to check the package, step by step, with standard tools and with Recorder.</summary>
internal static class VerifyText
{
    public static string Build(ReportModel model, string manifestSha256, string keyFingerprint, IReadOnlyList<ManifestEvidenceFile> evidence,
        IReadOnlyList<ManifestTransferredFile> transferred)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(transferred);
        var text = new StringBuilder();
        text.Append("HOW TO VERIFY THIS EVIDENCE PACKAGE\n");
        text.Append("===================================\n\n");
        text.Append("Case ").Append(model.Case.Id).Append(", report ").Append(model.ReportId).Append(", built ").Append(model.Build.BuiltAt).Append(" by ")
            .Append(model.Build.Actor).Append(" on ").Append(model.Build.Host).Append(" with ").Append(model.Tool.Name).Append(' ').Append(model.Tool.Version)
            .Append(" (").Append(model.Tool.SourceRevision).Append(").\n");
        if (model.Examiner is { } examiner)
        {
            text.Append("Examiner: ").Append(examiner).Append(".\n");
        }

        text.Append('\n');
        text.Append("Expected values, to compare with what the commands print (and with values obtained separately\n");
        text.Append("from the party that produced this package, such as the store's published key fingerprint):\n");
        text.Append("  manifest.json SHA-256 ............ ").Append(manifestSha256).Append('\n');
        text.Append("  signing key fingerprint ........... ").Append(keyFingerprint).Append("  (SHA-256 of the DER public key)\n\n");
        text.Append("Run the commands from this folder (Debian: apt-get install coreutils openssl tshark).\n\n");
        // Exactly the report's steps, with the report's numbers: a reader follows either one.
        var step = 0;
        foreach (var check in model.Verification.Steps)
        {
            text.Append(++step).Append(". ").Append(check.Title).Append(":\n     ").Append(check.Command).Append("\n   Expected: ").Append(check.Expected).Append("\n\n");
        }

        AppendSecrets(text, evidence);
        AppendTransferredFiles(text, transferred);
        text.Append("Also: the report's own hash is in the ledger too: custody/report/entries.jsonl holds the entry with\n");
        text.Append("   \"report\": the SHA-256 of report.pdf, proven against custody/report/checkpoint.txt (check its signature and\n");
        text.Append("   time-stamp as in the steps above); custody/report/consistency.json proves that checkpoint extends custody/checkpoint.txt.\n\n");
        text.Append("Every file in custody/proofs/ is an RFC 9162 inclusion proof of one line of custody/entries.jsonl in the signed,\n");
        text.Append("time-stamped checkpoint custody/checkpoint.txt; docs/proof-format.md in Recorder's source describes how to check\n");
        text.Append("them independently, and `recorder verify-package .` checks every one of them, every hash and every signature.\n");
        text.Append("\nWhat a time-stamp from Recorder's built-in authority proves: that the checkpoint existed no later than the time the\n");
        text.Append("recording host's clock gave; it is no evidence against that host's operator. An external RFC 3161 authority's\n");
        text.Append("time-stamp is independent evidence of time.\n");
        return text.ToString();
    }

    /// <summary>The transferred files (manifest.json's files[]) as sha256sum lines, and where each came from.</summary>
    private static void AppendTransferredFiles(StringBuilder text, IReadOnlyList<ManifestTransferredFile> transferred)
    {
        if (transferred.Count == 0)
        {
            return;
        }

        text.Append("Transferred files (files/, manifest.json's files[]): each was extracted from its packets by the audited\n");
        text.Append("extraction whose files.extracted entry (in custody/entries.jsonl, with its proof) records the SHA-256 of the file\n");
        text.Append("and of its JSON sidecar. The lines below are in `sha256sum -c` format (they are in SHA256SUMS too); from this\n");
        text.Append("folder, save them to a file and run: sha256sum -c FILE\n");
        foreach (var file in transferred)
        {
            text.Append(file.Sha256).Append("  ").Append(file.File).Append('\n');
            text.Append(file.SidecarSha256).Append("  ").Append(file.Sidecar).Append('\n');
        }

        foreach (var file in transferred)
        {
            text.Append("  ").Append(file.File).Append(": ").Append(file.Bytes).Append(" bytes, ").Append(file.Type).Append(", ").Append(file.Protocol).Append(' ')
                .Append(file.Direction).Append(", session ").Append(file.SessionId).Append(" of segment ").Append(file.SegmentId).Append(", extraction ")
                .Append(file.ExtractionId).Append(" (ledger entry ").Append(file.ExtractedSeq).Append(")\n");
        }

        text.Append('\n');
    }

    /// <summary>What TLS secrets each evidence file carries (manifest.json's evidence[].decryptionSecrets), and how to use them.</summary>
    private static void AppendSecrets(StringBuilder text, IReadOnlyList<ManifestEvidenceFile> evidence)
    {
        var described = evidence.Where(e => e.DecryptionSecrets is not null).ToList();
        if (described.Count == 0)
        {
            return;
        }

        text.Append("TLS decryption secrets (from TLS key logs stored as evidence; each key log's SHA-256 is in its keylog.imported\n");
        text.Append("ledger entry). They are pcapng Decryption Secrets Blocks inside the evidence files, covered by the files' hashes:\n");
        foreach (var file in described)
        {
            text.Append("  ").Append(file.File).Append(": ").Append(file.DecryptionSecrets!.Describe()).Append('\n');
        }

        text.Append("  Wireshark and tshark use them with no further step, e.g.: tshark -r FILE -Y http\n\n");
    }
}
