using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Proofs;
using Recorder.Reporting;
using Recorder.Reporting.Model;
using Recorder.Reporting.Templates;
using Recorder.Signing.TimeStamping;
using Recorder.Storage.Store;
using Recorder.Core.Text;

namespace Recorder.Application.Packaging;

/// <summary>What to package.</summary>
public sealed record PackageRequest
{
    /// <summary>The queries whose extractions go into the package (one case).</summary>
    public required IReadOnlyList<string> QueryIds { get; init; }

    /// <summary>A folder to create, or a path ending in <c>.zip</c>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The report's title (default: "Network evidence for case …").</summary>
    public string? Title { get; init; }

    /// <summary>A site's own certification templates (default: policies/report-templates as shipped).</summary>
    public string? TemplateDirectory { get; init; }

    /// <summary>Who builds the package (default: the store journal's actor, the OS user running the CLI).</summary>
    public LedgerActor? Actor { get; init; }

    /// <summary>Why the package is built (default: the first query's reason).</summary>
    public string? Reason { get; init; }

    /// <summary>The package's id (default: a new UUID).</summary>
    public Guid? PackageId { get; init; }

    /// <summary>
    /// Package partial extractions too (segments left out, or a query stopped before it finished).
    /// Without it such a package is refused; with it the manifest, the ledger entry and the report's
    /// cover say PARTIAL and list what is missing.
    /// </summary>
    public bool AllowPartial { get; init; }
}

/// <summary>A built package.</summary>
/// <param name="PackageId">Its id.</param>
/// <param name="Path">The folder or zip written.</param>
/// <param name="CaseId">The case.</param>
/// <param name="ManifestSha256">SHA-256 of manifest.json (recorded in the ledger).</param>
/// <param name="ReportSha256">SHA-256 of report.pdf (recorded in the ledger).</param>
/// <param name="PackageSeq">Ledger entry of the package.</param>
/// <param name="ReportSeq">Ledger entry of the report.</param>
/// <param name="Files">Every file in the package, relative.</param>
public sealed record PackageResult(string PackageId, string Path, string CaseId, string ManifestSha256, string ReportSha256, long PackageSeq, long ReportSeq, IReadOnlyList<string> Files)
{
    /// <summary>The queries whose extractions are partial (built with <see cref="PackageRequest.AllowPartial"/>); empty for complete evidence.</summary>
    public IReadOnlyList<string> PartialQueries { get; init; } = [];
}

/// <summary>A package that cannot be built: unknown or incomplete query, changed extraction, mixed cases.</summary>
public sealed class PackageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PackageException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PackageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Builds a court-ready evidence package (docs/evidence-package.md): the extracted capture files
/// unchanged; a signed canonical manifest of the case, queries, files (SHA-256, SHA-1, MD5), segments
/// and tool; every custody entry concerning the evidence with its inclusion proof against a signed,
/// time-stamped checkpoint; the same facts as CASE/UCO JSON-LD; the PDF report; VERIFY.txt; and
/// SHA256SUMS signed as a whole, so that changing, adding or removing any file is detected. Building
/// the package and the report are themselves ledgered with their hashes.
/// </summary>
public static class PackageBuilder
{
    /// <summary>The package format name in manifest.json.</summary>
    public const string FormatName = "recorder.evidence-package";

    /// <summary>The package format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>Builds the package.</summary>
    /// <exception cref="PackageException">The request cannot be packaged (the message says why).</exception>
    public static PackageResult Build(EvidenceStore store, PackageRequest request)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
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

        foreach (var (option, text) in new[] { ("--title", request.Title), ("--reason", request.Reason) })
        {
            // The title and reason are printed in the report and recorded in the ledger: what is shown must be what is stored.
            if (text is not null && UserText.Problem(text) is { } unsafeText)
            {
                throw new PackageException($"{option}: {unsafeText}: no control characters or bidirectional overrides");
            }
        }

        var zip = request.OutputPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        var target = Path.GetFullPath(request.OutputPath);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
        {
            throw new PackageException($"{target} already exists; a package is never written over anything");
        }

        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            throw new PackageException($"directory {Path.GetDirectoryName(target)} does not exist");
        }

        var journal = StoreAccess.Journal(store);
        var ledger = journal.Ledger;
        var entries = ledger.Read().ToList();
        var queries = request.QueryIds.Distinct().Select(id => FindQuery(entries, id)).ToList();
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

        var work = zip ? target + ".building-" + Guid.NewGuid().ToString("N")[..8] : target;
        Directory.CreateDirectory(work);
        try
        {
            var result = Write(store, request, entries, queries, caseId, work);
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

    private static PackageResult Write(EvidenceStore store, PackageRequest request, List<LedgerEntry> entries, List<QueryFacts> queries, string caseId, string work)
    {
        var journal = StoreAccess.Journal(store);
        var ledger = journal.Ledger;
        var packageId = (request.PackageId ?? Guid.NewGuid()).ToString("D");
        var reportId = Guid.NewGuid().ToString();
        var builtAt = Timestamp.Now(store.Clock);
        var actor = request.Actor ?? journal.Actor;
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? queries[0].Reason : request.Reason;
        var tool = ToolInfo();
        long Record(string action, JsonObject subjects, Dictionary<string, string> hashes, JsonObject details) =>
            ledger.Append(new LedgerDraft(action)
            {
                Actor = actor,
                Subjects = subjects,
                Hashes = hashes,
                Details = details,
                Case = caseId,
                Reason = reason,
            }).Seq;

        // evidence/: the extractions, byte for byte, checked against the hashes the ledger holds.
        Directory.CreateDirectory(Path.Combine(work, "evidence"));
        var counter = new TrafficCounter();
        var files = new List<(QueryFacts Query, string Name, EvidenceFile File)>();
        foreach (var query in queries)
        {
            var name = $"evidence/query-{query.Id}{Path.GetExtension(query.OutputPath)}";
            var destination = Path.Combine(work, name);
            File.Copy(query.OutputPath, destination);
            var (sha256, sha1, md5, size) = Hashes(destination);
            if (sha256 != query.OutputSha256)
            {
                throw new PackageException($"query {query.Id}: {query.OutputPath} has SHA-256 {sha256}, the ledger recorded {query.OutputSha256} " +
                    "when it was written: the file changed since, it cannot be packaged as that extraction");
            }

            var (packets, first, last, linkTypes) = counter.Add(destination);
            files.Add((query, name, new EvidenceFile(name, size, packets, packets == 0 ? null : new Timestamp(first), packets == 0 ? null : new Timestamp(last),
                sha256, sha1, md5, linkTypes)));
        }

        var segmentIds = queries.SelectMany(q => q.SegmentIds).Distinct().Order().ToList();
        var checkedSegments = SourceSegments.Recheck(store, segmentIds);
        var segments = checkedSegments.Select(s => s.Segment).ToList();
        var partialQueries = queries.Where(q => q.Completeness.Partial).ToList();
        var custody = CustodyEntries(entries, queries, segmentIds);
        var acquisitions = Acquisitions(entries, custody);

        var manifest = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["packageId"] = packageId,
            ["reportId"] = reportId,
            ["createdAt"] = builtAt.ToString(),
            ["createdBy"] = new JsonObject { ["kind"] = actor.KindText, ["name"] = actor.Name, ["host"] = actor.Host },
            ["case"] = new JsonObject { ["id"] = caseId, ["title"] = request.Title ?? $"Network evidence for case {caseId}" },
            ["queries"] = new JsonArray(queries.Select(q => (JsonNode)new JsonObject
            {
                ["queryId"] = q.Id,
                ["filter"] = q.Filter.DeepClone(),
                ["description"] = q.Description,
                ["requester"] = q.Requester,
                ["reason"] = q.Reason,
                ["submittedAt"] = q.SubmittedAt.ToString(),
                ["completedAt"] = q.CompletedAt.ToString(),
                ["submittedSeq"] = q.SubmittedSeq,
                ["extractionSeq"] = q.ExtractionSeq,
                ["partial"] = q.Completeness.Partial,
                ["segmentsLeftOut"] = q.Completeness.LeftOutJson(),
            }).ToArray()),
            ["partial"] = partialQueries.Count > 0,
            ["evidence"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject
            {
                ["file"] = f.Name,
                ["queryId"] = f.Query.Id,
                ["bytes"] = f.File.SizeBytes,
                ["packets"] = f.File.Packets,
                ["firstTimestamp"] = f.File.FirstPacket?.ToString(),
                ["lastTimestamp"] = f.File.LastPacket?.ToString(),
                ["linkTypes"] = new JsonArray(f.File.LinkTypes.Select(l => (JsonNode)l).ToArray()),
                ["sha256"] = f.File.Sha256,
                ["sha1"] = f.File.Sha1,
                ["md5"] = f.File.Md5,
            }).ToArray()),
            ["segments"] = new JsonArray(checkedSegments.Select(s => (JsonNode)s.ToJson()).ToArray()),
            ["tool"] = new JsonObject { ["name"] = tool.Name, ["version"] = tool.Version, ["sourceRevision"] = tool.SourceRevision },
            ["store"] = new JsonObject
            {
                ["storeId"] = store.StoreId,
                ["publicKeyAlgorithm"] = store.Key.Algorithm,
                ["publicKeyFingerprint"] = store.Key.Fingerprint,
            },
        };
        var manifestBytes = CanonicalJson.Serialize(manifest);
        var manifestSha = Hex.Lower(SHA256.HashData(manifestBytes));
        File.WriteAllBytes(Path.Combine(work, "manifest.json"), manifestBytes);
        File.WriteAllBytes(Path.Combine(work, "manifest.sig"), store.Key.Sign(manifestBytes));
        File.WriteAllText(Path.Combine(work, "signing.pub.pem"), store.Key.PublicKeyPem(), Encoding.ASCII);

        // The package is a transfer of custody: it is recorded before anything else is derived from it.
        var packageSeq = Record("package.built",
            new JsonObject
            {
                ["packageId"] = packageId,
                ["queryIds"] = new JsonArray(queries.Select(q => (JsonNode)q.Id).ToArray()),
                ["segmentIds"] = new JsonArray(segmentIds.Select(id => (JsonNode)id).ToArray()),
            },
            new Dictionary<string, string>(files.Select(f => new KeyValuePair<string, string>(f.Name, f.File.Sha256)))
            {
                ["manifest"] = manifestSha,
            },
            new JsonObject
            {
                ["reportId"] = reportId,
                ["files"] = files.Count,
                ["path"] = Path.GetFullPath(request.OutputPath),
                ["partial"] = partialQueries.Count > 0,
                ["allowPartial"] = request.AllowPartial,
                ["partialQueries"] = new JsonArray(partialQueries.Select(q => (JsonNode)q.Id).ToArray()),
                ["segmentsRehashed"] = new JsonArray(checkedSegments.Select(s => (JsonNode)s.Segment.Id).ToArray()),
            });
        var packageEntry = ledger.ReadEntry(packageSeq);
        custody.Add(packageEntry);
        var checkpoint = journal.Checkpoint();
        var custodyDirectory = Path.Combine(work, "custody");
        WriteCustody(ledger, custody, checkpoint.Size, custodyDirectory);

        // The report, then its own hash in the ledger, proven against a second checkpoint.
        var tsaCertificate = journal.AuthorityCertificate();
        var model = new ReportModel
        {
            ReportId = reportId,
            Case = new CaseInfo(caseId, request.Title ?? $"Network evidence for case {caseId}"),
            Request = new EvidenceRequest(string.Join(", ", queries.Select(q => q.Requester).Distinct()), string.Join(" / ", queries.Select(q => q.Reason).Distinct())),
            Queries = queries.Select(q => new QueryRecord(q.Id, q.Completeness.Partial ? $"{q.Description} (PARTIAL: {q.Completeness.Describe()})" : q.Description,
                q.Requester, q.Reason, q.SubmittedAt, q.CompletedAt)).ToList(),
            PartialExtractions = partialQueries.Select(q => new PartialExtractionRecord(q.Id, q.Completeness.Why(), q.Completeness.LeftOutLines())).ToList(),
            Build = new PackageBuild(actor.Name, actor.Host, builtAt),
            Tool = tool,
            ManifestSha256 = manifestSha,
            Files = files.Select(f => f.File).ToList(),
            Traffic = counter.Summary(10),
            Provenance = new Provenance(segments.Select(s => new SegmentRecord(s.Id.ToString(CultureInfo.InvariantCulture),
                s.Manifest.FirstTimestamp, s.Manifest.LastTimestamp, s.Manifest.Packets, s.Manifest.Sha256, s.ManifestSha256,
                CheckedSegment.Status)).ToList(), acquisitions),
            Custody = new CustodyRecord(
                custody.OrderBy(e => e.Seq).Select(e => new CustodyEntry(e.Seq, e.Time, $"{e.Actor.Name}@{e.Actor.Host}", e.Action, Subject(e), e.Hash)).ToList(),
                CheckpointRecord(store, checkpoint, tsaCertificate, journal.Authority)),
            Verification = new VerificationInfo
            {
                StoreKeyFingerprint = store.Key.Fingerprint,
                SigningKeyFingerprint = store.Key.Fingerprint,
                Steps = StandardVerification.Steps("custody", "."),
            },
        };
        var templates = request.TemplateDirectory is null ? CertificationTemplateSet.LoadDefaults() : CertificationTemplateSet.Load(request.TemplateDirectory);
        var reportPath = Path.Combine(work, "report.pdf");
        int pages;
        using (var stream = File.Create(reportPath))
        {
            pages = new ReportRenderer(templates).Render(model, stream);
        }

        var reportSha = Hashes(reportPath).Sha256;
        var reportSeq = Record("report.generated",
            new JsonObject { ["packageId"] = packageId, ["reportId"] = reportId },
            new Dictionary<string, string> { ["report"] = reportSha, ["manifest"] = manifestSha },
            new JsonObject { ["pages"] = pages, ["file"] = "report.pdf" });
        var finalCheckpoint = journal.Checkpoint();
        var reportCustody = Path.Combine(custodyDirectory, "report");
        WriteCustody(ledger, [ledger.ReadEntry(reportSeq)], finalCheckpoint.Size, reportCustody);
        File.WriteAllBytes(Path.Combine(reportCustody, "consistency.json"), ProofFile.Serialize(ledger.ProveConsistency(checkpoint.Size, finalCheckpoint.Size)));

        File.WriteAllBytes(Path.Combine(work, "case.jsonld"), Encoding.UTF8.GetBytes(CaseJsonLd.Build(model, manifest, segments, custody, packageId)
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })));
        File.WriteAllText(Path.Combine(work, "VERIFY.txt"), VerifyText.Build(model, manifestSha, store.Key.Fingerprint), Encoding.UTF8);

        // SHA256SUMS covers every other file and is itself signed: nothing can be changed, added or removed unnoticed.
        var listed = Directory.GetFiles(work, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(work, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sums = new StringBuilder();
        foreach (var file in listed)
        {
            sums.Append(Hashes(Path.Combine(work, file)).Sha256).Append("  ").Append(file).Append('\n');
        }

        var sumBytes = Encoding.ASCII.GetBytes(sums.ToString());
        File.WriteAllBytes(Path.Combine(work, "SHA256SUMS"), sumBytes);
        File.WriteAllBytes(Path.Combine(work, "SHA256SUMS.sig"), store.Key.Sign(sumBytes));
        return new PackageResult(packageId, work, caseId, manifestSha, reportSha, packageSeq, reportSeq, [.. listed, "SHA256SUMS", "SHA256SUMS.sig"])
        {
            PartialQueries = partialQueries.Select(q => q.Id).ToList(),
        };
    }

    /// <summary>Writes entries.jsonl (exact ledger lines), one inclusion proof per entry, and the checkpoint files.</summary>
    private static void WriteCustody(Recorder.Ledger.CustodyLedger ledger, IEnumerable<LedgerEntry> entries, long size, string directory)
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

    private static QueryFacts FindQuery(List<LedgerEntry> entries, string id)
    {
        var submitted = entries.LastOrDefault(e => e.Action == LedgerActions.QuerySubmitted && Text(e.Subjects["queryId"]) == id)
            ?? throw new PackageException($"query {id}: not in the ledger");
        var extraction = entries.LastOrDefault(e => e.Action == LedgerActions.ExtractionWritten && Text(e.Subjects["queryId"]) == id)
            ?? throw new PackageException($"query {id}: it has no completed extraction in the ledger (still running, cancelled or failed)");
        var output = extraction.Details["output"] ?? throw new PackageException($"query {id}: the extraction entry names no output");
        var path = Text(output["path"]) ?? throw new PackageException($"query {id}: the extraction entry names no output file");
        if (!File.Exists(path))
        {
            throw new PackageException($"query {id}: its output {path} is no longer there (the ledger holds its hash: re-run the query or restore the file)");
        }

        var details = submitted.Details;
        return new QueryFacts(
            id,
            submitted.Case ?? throw new PackageException($"query {id}: it was not made for a case"),
            submitted.Reason ?? string.Empty,
            $"{submitted.Actor.Name}@{submitted.Actor.Host}",
            details["filter"]?.AsObject() ?? [],
            Text(details["description"]) ?? string.Empty,
            submitted.Time,
            extraction.Time,
            path,
            extraction.Hashes["output"],
            extraction.Subjects["segmentIds"]?.AsArray().Select(n => n!.GetValue<long>()).ToList() ?? [],
            submitted.Seq,
            extraction.Seq,
            ExtractionCompleteness.Of(extraction));
    }

    private static List<LedgerEntry> CustodyEntries(List<LedgerEntry> entries, List<QueryFacts> queries, List<long> segmentIds)
    {
        var queryIds = queries.Select(q => q.Id).ToHashSet();
        var segments = segmentIds.ToHashSet();
        var origins = new HashSet<string>();
        var result = new List<LedgerEntry>();
        foreach (var entry in entries)
        {
            var subjects = entry.Subjects;
            if (Text(subjects["queryId"]) is { } query && queryIds.Contains(query))
            {
                result.Add(entry);
            }
            else if (entry.Action is LedgerActions.SegmentSealed or "recovery.segment-recovered"
                && subjects["segmentId"] is JsonValue id && id.GetValueKind() == System.Text.Json.JsonValueKind.Number && segments.Contains(id.GetValue<long>()))
            {
                result.Add(entry);
                foreach (var key in new[] { "importId", "captureId", "sessionId" })
                {
                    if (Text(subjects[key]) is { } origin)
                    {
                        origins.Add(origin);
                    }
                }
            }
        }

        foreach (var entry in entries)
        {
            if (entry.Action is LedgerActions.ImportCompleted or LedgerActions.CaptureStarted or LedgerActions.CaptureStopped
                && (Text(entry.Subjects["importId"]) is { } import && origins.Contains(import)
                    || Text(entry.Subjects["captureId"]) is { } capture && origins.Contains(capture)))
            {
                result.Add(entry);
            }
        }

        return result.DistinctBy(e => e.Seq).OrderBy(e => e.Seq).ToList();
    }

    private static List<AcquisitionRecord> Acquisitions(List<LedgerEntry> entries, List<LedgerEntry> custody)
    {
        var result = new List<AcquisitionRecord>();
        foreach (var import in custody.Where(e => e.Action == LedgerActions.ImportCompleted))
        {
            var sources = import.Details["sources"]?.AsArray() ?? [];
            result.Add(new AcquisitionRecord
            {
                Kind = AcquisitionKind.Import,
                Actor = import.Actor.Name,
                Host = import.Actor.Host,
                StartedAt = import.Time,
                EndedAt = import.Time,
                OriginalFiles = sources.Select(s => new OriginalFile(Text(s!["name"]) ?? "?", s["bytes"]?.GetValue<long>() ?? 0, Text(s["sha256"]) ?? string.Empty)).ToList(),
                SegmentIds = import.Subjects["segmentIds"]?.AsArray().Select(n => n!.ToJsonString()).ToList() ?? [],
            });
        }

        foreach (var started in custody.Where(e => e.Action == LedgerActions.CaptureStarted))
        {
            var captureId = Text(started.Subjects["captureId"]);
            var stopped = entries.FirstOrDefault(e => e.Action == LedgerActions.CaptureStopped && Text(e.Subjects["captureId"]) == captureId);
            var statistics = stopped?.Details["statistics"];
            result.Add(new AcquisitionRecord
            {
                Kind = AcquisitionKind.Capture,
                Actor = started.Actor.Name,
                Host = started.Actor.Host,
                StartedAt = started.Time,
                EndedAt = stopped?.Time,
                Interface = Text(started.Details["interface"]),
                Filter = Text(started.Details["filter"]),
                SnapLength = started.Details["snapLength"]?.GetValue<int>(),
                Drops = statistics is null ? null : new DropCounters(statistics["kernelDropped"]?.GetValue<long>(), statistics["interfaceDropped"]?.GetValue<long>(),
                    statistics["recorderDropped"]?.GetValue<long>()),
                SegmentIds = stopped?.Subjects["segmentIds"]?.AsArray().Select(n => n!.ToJsonString()).ToList() ?? [],
                Notes = stopped is null ? "the capture has no recorded stop (still running, or it crashed: see recovery entries)" : null,
            });
        }

        return result;
    }

    private static CheckpointRecord CheckpointRecord(EvidenceStore store, Checkpoint checkpoint, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate,
        ITimeStampAuthority authority)
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

    private static string Subject(LedgerEntry entry) =>
        string.Join(", ", entry.Subjects.Select(p => $"{p.Key} {(p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : p.Value?.ToJsonString())}"));

    private static (string Sha256, string Sha1, string Md5, long Size) Hashes(string path)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        long size = 0;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            sha1.AppendData(buffer, 0, read);
            md5.AppendData(buffer, 0, read);
            size += read;
        }

        return (Hex.Lower(sha256.GetHashAndReset()), Hex.Lower(sha1.GetHashAndReset()), Hex.Lower(md5.GetHashAndReset()), size);
    }

    private static ToolInfo ToolInfo()
    {
        var informational = typeof(PackageBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return new ToolInfo("Recorder", plus < 0 ? informational : informational[..plus], plus < 0 ? "unknown" : informational[(plus + 1)..]);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;

    private sealed record QueryFacts(
        string Id,
        string Case,
        string Reason,
        string Requester,
        JsonObject Filter,
        string Description,
        Timestamp SubmittedAt,
        Timestamp CompletedAt,
        string OutputPath,
        string OutputSha256,
        IReadOnlyList<long> SegmentIds,
        long SubmittedSeq,
        long ExtractionSeq,
        ExtractionCompleteness Completeness);
}
