using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Core.Time;
using Recorder.Ledger;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Proofs;
using Recorder.Reporting.Model;
using Recorder.Signing.TimeStamping;
using Recorder.Storage.Store;

namespace Recorder.Application.Packaging;

/// <summary>
/// The custody part of a package (<c>custody/</c>): ledger entries exactly as stored, each with an
/// RFC 9162 inclusion proof against a signed, time-stamped checkpoint, so a reader needs neither the
/// store nor Recorder to check that the entries are the ledger's; and what the report says of that
/// checkpoint.
/// </summary>
internal static class CustodyProofs
{
    /// <summary>Writes entries.jsonl (exact ledger lines), one inclusion proof per entry against tree size <paramref name="size"/>, and the checkpoint files.</summary>
    public static void Write(CustodyLedger ledger, IEnumerable<LedgerEntry> entries, long size, string directory)
    {
        var proofs = Path.Combine(directory, "proofs");
        Directory.CreateDirectory(proofs);
        var lines = new StringBuilder();
        foreach (var entry in entries.OrderBy(e => e.Seq))
        {
            lines.Append(entry.Text).Append('\n');
            File.WriteAllBytes(Path.Combine(proofs, entry.Seq.ToString("D10", CultureInfo.InvariantCulture) + ".json"),
                ProofFile.Serialize(ledger.ProveInclusion(entry.Seq, size)));
        }

        File.WriteAllText(Path.Combine(directory, "entries.jsonl"), lines.ToString(), new UTF8Encoding(false));
        ledger.ExportCheckpoint(directory, size);
    }

    /// <summary>What the report states of <paramref name="checkpoint"/>: its signature and time-stamp, checked now rather than assumed.</summary>
    public static CheckpointRecord Describe(EvidenceStore store, Checkpoint checkpoint, X509Certificate2? certificate, ITimeStampAuthority authority)
    {
        var verification = checkpoint.TimeStampResponse is null
            ? null
            : TimeStampVerifier.Verify(checkpoint.TimeStampResponse, checkpoint.TextBytes, certificate);
        var stamp = new TimeStampRecord(
            verification?.GenTime is { } time ? Timestamp.FromDateTimeOffset(time) : checkpoint.Time,
            authority.Description,
            authority is BuiltInTimeStampAuthority,
            verification is { IsValid: true } ? "valid RFC 3161 token over checkpoint.txt" : $"NOT VALID: {verification?.Failure ?? "no time-stamp"}");
        return new CheckpointRecord(checkpoint.Size, Hex.Lower(checkpoint.RootHash), checkpoint.Time,
            checkpoint.VerifySignature(store.Key) ? "valid Ed25519 signature by the store key" : "SIGNATURE DOES NOT VERIFY", stamp);
    }
}
