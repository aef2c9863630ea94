using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Core.Text;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
using Recorder.Ledger.Proofs;
using Recorder.Reporting.Model;
using Recorder.Storage.Store;

namespace Recorder.Application.Packaging;

/// <summary>
/// Builds a court-ready evidence package (docs/evidence-package.md): the extracted capture files
/// unchanged; a signed canonical manifest of the case, queries, files (SHA-256, SHA-1, MD5), segments
/// and tool; every custody entry concerning the evidence with its inclusion proof against a signed,
/// time-stamped checkpoint; the same facts as CASE/UCO JSON-LD; the PDF report; VERIFY.txt; and
/// SHA256SUMS signed as a whole, so that changing, adding or removing any file is detected. Building
/// the package and the report are themselves ledgered with their hashes.
/// </summary>
/// <remarks>
/// The steps, in the order docs/evidence-package.md gives and each in its own unit: the request is
/// checked and the queries found in the ledger (<see cref="PackagedQuery"/>); the evidence is copied
/// and checked (<see cref="EvidenceFiles"/>) and its source segments re-checked
/// (<see cref="SourceSegments"/>); the manifest is written and signed (<see cref="PackageManifest"/>);
/// <c>package.built</c> is appended (<see cref="PackageLedger"/>) and the custody entries proven
/// (<see cref="CustodySelection"/>, <see cref="CustodyProofs"/>); the report is rendered
/// (<see cref="PackageReport"/>) and <c>report.generated</c> appended and proven; last come
/// case.jsonld, VERIFY.txt and the signed SHA256SUMS (<see cref="PackageSums"/>). The package is
/// built in a fresh folder that is deleted if any step fails.
/// </remarks>
public static class PackageBuilder
{
    /// <summary>The package format name in manifest.json.</summary>
    public const string FormatName = PackageManifest.FormatName;

    /// <summary>The package format version.</summary>
    public const int FormatVersion = PackageManifest.FormatVersion;

    /// <summary>Builds the package.</summary>
    /// <exception cref="PackageException">The request cannot be packaged (the message says why).</exception>
    public static PackageResult Build(EvidenceStore store, PackageRequest request)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        CheckRequest(request);
        var zip = request.OutputPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        var target = CheckTarget(request.OutputPath);
        var entries = StoreAccess.Journal(store).Ledger.Read().ToList();
        var queries = FindQueries(entries, request);
        var extractions = request.FileExtractionIds.Distinct().Select(id => PackagedFileExtraction.Find(entries, id, queries[0].Case)).ToList();
        var work = zip ? target + ".building-" + Guid.NewGuid().ToString("N")[..8] : target;
        Directory.CreateDirectory(work);
        try
        {
            var result = Write(store, request, entries, new PackagedItems(queries, extractions), work);
            if (zip)
            {
                ZipFile.CreateFromDirectory(work, target, CompressionLevel.Optimal, includeBaseDirectory: false);
                Directory.Delete(work, recursive: true);
            }

            return result with { Path = target };
        }
        catch
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }

            throw;
        }
    }

    private static void CheckRequest(PackageRequest request)
    {
        if (request.QueryIds.Count == 0)
        {
            throw new PackageException("no query given: name at least one with --query");
        }

        foreach (var id in request.QueryIds)
        {
            if (!Guid.TryParseExact(id, "D", out _))
            {
                throw new PackageException($"'{id}' is not a query id (a UUID such as the queryId a query printed)");
            }
        }

        foreach (var id in request.FileExtractionIds)
        {
            if (!Guid.TryParseExact(id, "D", out _))
            {
                throw new PackageException($"--file-extraction: '{id}' is not an extraction id (a UUID such as the extractionId `recorder files extract` printed)");
            }
        }

        foreach (var (option, text) in new[] { ("--title", request.Title), ("--reason", request.Reason) })
        {
            // The title and reason are printed in the report and recorded in the ledger: what is shown must be what is stored.
            if (text is not null && UserText.Problem(text) is { } unsafeText)
            {
                throw new PackageException($"{option}: {unsafeText}: no control characters or bidirectional overrides");
            }
        }
    }

    private static string CheckTarget(string outputPath)
    {
        var target = Path.GetFullPath(outputPath);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
        {
            throw new PackageException($"{target} already exists; a package is never written over anything");
        }

        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            throw new PackageException($"directory {Path.GetDirectoryName(target)} does not exist");
        }

        return target;
    }

    private static List<PackagedQuery> FindQueries(List<LedgerEntry> entries, PackageRequest request)
    {
        var queries = request.QueryIds.Distinct().Select(id => PackagedQuery.Find(entries, id)).ToList();
        var caseId = queries[0].Case;
        if (queries.Any(q => q.Case != caseId))
        {
            throw new PackageException("a package holds one case; the queries belong to " +
                string.Join(", ", queries.Select(q => $"{q.Id} (case {q.Case})")));
        }

        if (!request.AllowPartial && queries.Where(q => q.Completeness.Partial).ToList() is { Count: > 0 } partial)
        {
            throw new PackageException("partial extraction: " + string.Join("; ", partial.Select(q => $"query {q.Id}: {q.Completeness.Describe()}")) +
                "; package it only knowingly (--allow-partial), and the report will say PARTIAL on its cover");
        }

        return queries;
    }

    private static PackageResult Write(EvidenceStore store, PackageRequest request, List<LedgerEntry> entries, PackagedItems items, string work)
    {
        var queries = items.Queries;
        var journal = StoreAccess.Journal(store);
        var ledger = journal.Ledger;
        var actor = request.Actor ?? journal.Actor;
        var caseId = queries[0].Case;

        // The package's identity and time are fixed before any file is written.
        var identity = new PackageIdentity((request.PackageId ?? Guid.NewGuid()).ToString("D"), Guid.NewGuid().ToString(), Timestamp.Now(store.Clock));
        var records = new PackageLedger(ledger, actor, caseId, string.IsNullOrWhiteSpace(request.Reason) ? queries[0].Reason : request.Reason);

        // evidence/: the extractions, byte for byte, checked against the hashes the ledger holds.
        var counter = new TrafficCounter();
        var files = EvidenceFiles.Copy(work, queries, counter);
        // files/: the transferred files and their sidecars, checked against their files.extracted entries.
        var transferred = TransferredFiles.Copy(work, items.FileExtractions);
        var segmentIds = queries.SelectMany(q => q.SegmentIds).Concat(items.FileExtractions.Select(f => f.SegmentId)).Distinct().Order().ToList();
        var checkedSegments = SourceSegments.Recheck(store, segmentIds);
        var custody = CustodySelection.Entries(entries, queries, segmentIds, items.FileExtractions.Select(f => f.Entry));
        var acquisitions = CustodySelection.Acquisitions(entries, custody);

        var manifest = Manifest(store, request, identity, actor, queries, files, checkedSegments) with
        {
            Files = transferred.Select(f => f.ToManifest()).ToList(),
        };
        var manifestSha = WriteManifest(store, manifest, work);

        // The package is a transfer of custody: it is recorded before anything else is derived from it.
        var examiner = string.IsNullOrWhiteSpace(request.Examiner) ? null
            : new ExaminerInfo(request.Examiner.Trim(), string.IsNullOrWhiteSpace(request.Organisation) ? null : request.Organisation.Trim());
        var packageSeq = records.RecordBuilt(manifest, manifestSha, files, transferred, segmentIds, request.OutputPath, request.AllowPartial, examiner);
        custody.Add(ledger.ReadEntry(packageSeq));
        var checkpoint = journal.Checkpoint();
        CustodyProofs.Write(ledger, custody, checkpoint.Size, Path.Combine(work, "custody"));

        var segments = checkedSegments.Select(s => s.Segment).ToList();
        var model = PackageReport.Model(new PackageReportFacts(manifest, manifestSha, queries, files, counter, segments,
            acquisitions, custody, CustodyProofs.Describe(store, checkpoint, journal.AuthorityCertificate(), journal.Authority), store.Key.Fingerprint)) with
        {
            Examiner = examiner,
            TransferredFiles = transferred.Select(f => f.ToReport()).ToList(),
        };
        var (reportSha, reportSeq) = WriteReport(journal, records, manifest, manifestSha, model, request.TemplateDirectory, checkpoint, work);

        File.WriteAllBytes(Path.Combine(work, "case.jsonld"), Encoding.UTF8.GetBytes(
            CaseJsonLd.Build(model, manifest.ToJson(), segments, custody, manifest.PackageId).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })));
        File.WriteAllText(Path.Combine(work, "VERIFY.txt"), VerifyText.Build(model, manifestSha, store.Key.Fingerprint, manifest.Evidence, manifest.Files), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var listed = PackageSums.Write(work, store.Key);
        return new PackageResult(manifest.PackageId, work, caseId, manifestSha, reportSha, packageSeq, reportSeq, [.. listed, "SHA256SUMS", "SHA256SUMS.sig"])
        {
            PartialQueries = manifest.Queries.Where(q => q.Partial).Select(q => q.QueryId).ToList(),
        };
    }

    private static PackageManifest Manifest(EvidenceStore store, PackageRequest request, PackageIdentity identity, LedgerActor actor,
        IReadOnlyList<PackagedQuery> queries, IReadOnlyList<PackagedEvidence> files, IReadOnlyList<CheckedSegment> segments) => new()
    {
        PackageId = identity.PackageId,
        ReportId = identity.ReportId,
        CreatedAt = identity.CreatedAt,
        CreatedBy = new ManifestActor(actor.KindText, actor.Name, actor.Host),
        Case = new ManifestCase(queries[0].Case, request.Title ?? $"Network evidence for case {queries[0].Case}"),
        Queries = queries.Select(q => q.ToManifest()).ToList(),
        Evidence = files.Select(f => f.ToManifest()).ToList(),
        Segments = segments.Select(s => s.ToManifest()).ToList(),
        Tool = Tool(),
        Store = new ManifestStore(store.StoreId, store.Key.Algorithm, store.Key.Fingerprint),
    };

    /// <summary>Writes manifest.json, its signature and the public key that checks it; returns the manifest's SHA-256.</summary>
    private static string WriteManifest(EvidenceStore store, PackageManifest manifest, string work)
    {
        var bytes = manifest.ToCanonicalBytes();
        File.WriteAllBytes(Path.Combine(work, "manifest.json"), bytes);
        File.WriteAllBytes(Path.Combine(work, "manifest.sig"), store.Key.Sign(bytes));
        File.WriteAllText(Path.Combine(work, "signing.pub.pem"), store.Key.PublicKeyPem(), Encoding.ASCII);
        return Hex.Lower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Renders report.pdf, records its hash in the ledger and proves that entry against a second
    /// checkpoint, with a consistency proof that it extends <paramref name="checkpoint"/>.
    /// </summary>
    private static (string Sha256, long Seq) WriteReport(LedgerJournal journal, PackageLedger records, PackageManifest manifest, string manifestSha,
        ReportModel model, string? templateDirectory, Checkpoint checkpoint, string work)
    {
        var pages = PackageReport.Render(model, templateDirectory, Path.Combine(work, "report.pdf"));
        var reportSha = FileHashes.Of(Path.Combine(work, "report.pdf")).Sha256;
        var reportSeq = records.RecordReport(manifest, manifestSha, reportSha, pages);
        var ledger = journal.Ledger;
        var finalCheckpoint = journal.Checkpoint();
        var reportCustody = Path.Combine(work, "custody", "report");
        CustodyProofs.Write(ledger, [ledger.ReadEntry(reportSeq)], finalCheckpoint.Size, reportCustody);
        File.WriteAllBytes(Path.Combine(reportCustody, "consistency.json"), ProofFile.Serialize(ledger.ProveConsistency(checkpoint.Size, finalCheckpoint.Size)));
        return (reportSha, reportSeq);
    }

    private static ManifestTool Tool()
    {
        var informational = typeof(PackageBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return new ManifestTool("Recorder", plus < 0 ? informational : informational[..plus], plus < 0 ? "unknown" : informational[(plus + 1)..]);
    }

    /// <summary>What the package carries: the queries' extractions and the transferred files, as the ledger recorded them.</summary>
    private sealed record PackagedItems(List<PackagedQuery> Queries, List<PackagedFileExtraction> FileExtractions);

    /// <summary>The package's id, its report's id and its time, fixed when the build starts.</summary>
    private sealed record PackageIdentity(string PackageId, string ReportId, Timestamp CreatedAt);
}
