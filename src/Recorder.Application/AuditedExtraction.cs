using System.Diagnostics;
using Recorder.Application.KeyLogs;
using Recorder.Application.Queries;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Storage.Query;
using Recorder.Storage.Store;

namespace Recorder.Application;

/// <summary>What an audited extraction did and where the ledger records it.</summary>
/// <param name="QueryId">The query's id.</param>
/// <param name="Output">The file written.</param>
/// <param name="Run">How the query ran.</param>
/// <param name="SubmittedSeq">Ledger sequence of the submission.</param>
/// <param name="ExtractionSeq">Ledger sequence of the extraction record.</param>
/// <param name="Checkpoint">The checkpoint made after it.</param>
/// <param name="QueryTime">Time spent answering the query.</param>
/// <param name="Total">Time in all.</param>
public sealed record ExtractionResult(
    string QueryId,
    OutputFile Output,
    QueryRun Run,
    long SubmittedSeq,
    long ExtractionSeq,
    Checkpoint Checkpoint,
    TimeSpan QueryTime,
    TimeSpan Total)
{
    /// <summary>True when segments that may hold matches were left out: the output is not the complete answer.</summary>
    public bool Partial => Run.Partial;

    /// <summary>The TLS decryption secrets the output carries (and those it could not), as ledgered.</summary>
    public ExtractionSecrets Secrets { get; init; } = ExtractionSecrets.Disabled;
}

/// <summary>
/// An extraction that leaves the store, recorded as custody requires: the submission (filter, case,
/// reason) is durable in the ledger before a packet is read; the output's SHA-256, size and the
/// segments it came from after it is complete; a failure is recorded too; and the ledger is then
/// checkpointed, signed and time-stamped. An extraction that had to leave segments out (see
/// <see cref="SegmentSelection"/>) is recorded as <c>partial</c> with each segment and why; the
/// caller must not report it as complete (<see cref="ExtractionResult.Partial"/>).
/// </summary>
public static class AuditedExtraction
{
    /// <summary>Runs <paramref name="query"/> into <paramref name="outPath"/> as an audited extraction, pcapng when <paramref name="forcePcapng"/>, else in the automatic format.</summary>
    public static ExtractionResult Run(EvidenceStore store, IPacketFilterCompiler? compiler, PacketQuery query, string outPath, bool forcePcapng,
        string caseId, string reason, string queryId, CancellationToken cancellationToken, bool replaceExisting = false) =>
        Run(store, compiler, query, outPath, forcePcapng ? OutputFormatChoice.Pcapng : OutputFormatChoice.Automatic, caseId, reason, queryId, cancellationToken, replaceExisting);

    /// <summary>
    /// Runs <paramref name="query"/> into <paramref name="outPath"/> as an audited extraction in the
    /// <paramref name="format"/> allowed; an answer that format cannot hold throws
    /// <see cref="OutputFormatException"/> after the failure is recorded, and leaves no file. A file
    /// already at <paramref name="outPath"/> is replaced only when <paramref name="replaceExisting"/>
    /// (the caller checked that no ledger entry names it). Unless <paramref name="withSecrets"/> is
    /// false, the secrets of stored TLS key logs for the connections whose ClientHello is in the output
    /// are written in front of those packets (<see cref="SecretsInjectingSink"/>), and the result and the
    /// <c>extraction.written</c> entry say how many, of which labels, from which key log; the output's
    /// SHA-256 covers them.
    /// </summary>
    public static ExtractionResult Run(EvidenceStore store, IPacketFilterCompiler? compiler, PacketQuery query, string outPath, OutputFormatChoice format,
        string caseId, string reason, string queryId, CancellationToken cancellationToken, bool replaceExisting = false, bool withSecrets = true)
    {
        var total = Stopwatch.StartNew();
        var audited = new AuditedQuery(queryId, caseId, reason);
        var submittedSeq = Record(store, QueryCustodyEvents.Submitted(audited, query, outPath, QueryCustodyEvents.FormatName(format), replaceExisting));
        var executor = new QueryExecutor(store, compiler);
        OutputFile written;
        QueryRun run;
        ExtractionSecrets secrets;
        var queryTime = Stopwatch.StartNew();
        try
        {
            using var file = new CaptureFileOutput(outPath, format, store.Options.Application, $"Recorder extraction: query {queryId}, case {caseId}",
                replaceExisting);
            var selection = executor.Snapshot(query);
            var sink = withSecrets ? new SecretsInjectingSink(file, KeyLogSecrets.Load(store)) : null;
            run = executor.Execute(query, selection, (IQueryPacketSink?)sink ?? file, cancellationToken);
            queryTime.Stop();
            secrets = sink?.Summary() ?? ExtractionSecrets.Disabled;
            written = file.Complete(selection.Segments.Count > 0 ? selection.Segments[0].Manifest.LinkType : 1);
        }
        catch (Exception e)
        {
            Record(store, QueryCustodyEvents.Failed(audited, QueryCustodyEvents.Describe(e)));
            throw;
        }

        var output = new ExtractionOutput(written.ToJson(), written.Sha256, run.SegmentsContributing, run.SegmentsLeftOut);
        var extractionSeq = Record(store, QueryCustodyEvents.ExtractionWritten(audited, output, run.Partial, run.ToJson(), secrets: secrets.ToJson()));
        var checkpoint = StoreAccess.Journal(store).Checkpoint();
        total.Stop();
        return new ExtractionResult(queryId, written, run, submittedSeq, extractionSeq, checkpoint, queryTime.Elapsed, total.Elapsed) { Secrets = secrets };
    }

    /// <summary>
    /// Records through the store's own journal, which throws when it cannot record (or when the store
    /// has none): an extraction is never reported done without its entries.
    /// </summary>
    private static long Record(EvidenceStore store, CustodyEvent custodyEvent) =>
        store.Record(custodyEvent.Action, custodyEvent.Subjects, custodyEvent.Hashes, custodyEvent.Details, custodyEvent.Case, custodyEvent.Reason);
}
