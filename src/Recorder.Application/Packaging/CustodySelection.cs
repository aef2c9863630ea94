using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;
using Recorder.Reporting.Model;

namespace Recorder.Application.Packaging;

/// <summary>
/// Which ledger entries concern a package's evidence, and the acquisitions (imports, captures) they
/// record. The chain of custody runs backwards from the evidence: every entry naming one of the
/// queries, the seal (or recovery) of every source segment, and the import or capture that made
/// those segments.
/// </summary>
internal static class CustodySelection
{
    private static readonly string[] OriginKeys = ["importId", "captureId", "sessionId"];

    /// <summary>
    /// The entries concerning <paramref name="queries"/>, the transferred files' extractions
    /// <paramref name="fileExtractions"/> and their source segments <paramref name="segmentIds"/>, by sequence number.
    /// </summary>
    public static List<LedgerEntry> Entries(IReadOnlyList<LedgerEntry> entries, IEnumerable<PackagedQuery> queries, IEnumerable<long> segmentIds,
        IEnumerable<LedgerEntry> fileExtractions)
    {
        var queryIds = queries.Select(q => q.Id).ToHashSet();
        var segments = segmentIds.ToHashSet();
        var origins = new HashSet<string>();
        var result = new List<LedgerEntry>();
        foreach (var entry in entries)
        {
            var subjects = entry.Subjects;
            if (StrictJson.Text(subjects["queryId"]) is { } query && queryIds.Contains(query))
            {
                result.Add(entry);
            }
            else if (entry.Action is LedgerActions.SegmentSealed or LedgerActions.SegmentRecovered
                && subjects["segmentId"] is JsonValue id && id.GetValueKind() == JsonValueKind.Number && segments.Contains(id.GetValue<long>()))
            {
                result.Add(entry);
                origins.UnionWith(OriginKeys.Select(key => StrictJson.Text(subjects[key])).OfType<string>());
            }
        }

        result.AddRange(entries.Where(entry => IsAcquisitionOf(entry, origins)));
        result.AddRange(fileExtractions);
        return result.DistinctBy(e => e.Seq).OrderBy(e => e.Seq).ToList();
    }

    /// <summary>The imports and captures among <paramref name="custody"/>, each with what the ledger recorded of it (a capture's stop is looked up in all <paramref name="entries"/>).</summary>
    public static List<AcquisitionRecord> Acquisitions(IReadOnlyList<LedgerEntry> entries, IReadOnlyList<LedgerEntry> custody)
    {
        var result = custody.Where(e => e.Action == LedgerActions.ImportCompleted).Select(Import).ToList();
        foreach (var started in custody.Where(e => e.Action == LedgerActions.CaptureStarted))
        {
            var captureId = StrictJson.Text(started.Subjects["captureId"]);
            var stopped = entries.FirstOrDefault(e => e.Action == LedgerActions.CaptureStopped && StrictJson.Text(e.Subjects["captureId"]) == captureId);
            result.Add(Capture(started, stopped));
        }

        return result;
    }

    private static bool IsAcquisitionOf(LedgerEntry entry, HashSet<string> origins) =>
        entry.Action is LedgerActions.ImportCompleted or LedgerActions.CaptureStarted or LedgerActions.CaptureStopped
        && (StrictJson.Text(entry.Subjects["importId"]) is { } import && origins.Contains(import)
            || StrictJson.Text(entry.Subjects["captureId"]) is { } capture && origins.Contains(capture));

    private static AcquisitionRecord Import(LedgerEntry import)
    {
        var sources = import.Details["sources"]?.AsArray() ?? [];
        return new AcquisitionRecord
        {
            Kind = AcquisitionKind.Import,
            Actor = import.Actor.Name,
            Host = import.Actor.Host,
            // Ledgers written before import.completed recorded startedAt hold only the completion time.
            StartedAt = TimestampParser.TryParse(StrictJson.Text(import.Details["startedAt"]), out var started, out _) ? started : import.Time,
            EndedAt = import.Time,
            OriginalFiles = sources.Select(s => new OriginalFile(StrictJson.Text(s!["name"]) ?? "?", s["bytes"]?.GetValue<long>() ?? 0,
                StrictJson.Text(s["sha256"]) ?? string.Empty)).ToList(),
            SegmentIds = import.Subjects["segmentIds"]?.AsArray().Select(n => n!.ToJsonString()).ToList() ?? [],
        };
    }

    private static AcquisitionRecord Capture(LedgerEntry started, LedgerEntry? stopped)
    {
        var statistics = stopped?.Details["statistics"];
        return new AcquisitionRecord
        {
            Kind = AcquisitionKind.Capture,
            Actor = started.Actor.Name,
            Host = started.Actor.Host,
            StartedAt = started.Time,
            EndedAt = stopped?.Time,
            Interface = StrictJson.Text(started.Details["interface"]),
            Filter = StrictJson.Text(started.Details["filter"]),
            SnapLength = started.Details["snapLength"]?.GetValue<int>(),
            Drops = statistics is null ? null : new DropCounters(statistics["kernelDropped"]?.GetValue<long>(), statistics["interfaceDropped"]?.GetValue<long>(),
                statistics["recorderDropped"]?.GetValue<long>()),
            SegmentIds = stopped?.Subjects["segmentIds"]?.AsArray().Select(n => n!.ToJsonString()).ToList() ?? [],
            Notes = stopped is null ? "the capture has no recorded stop (still running, or it crashed: see recovery entries)" : null,
        };
    }
}
