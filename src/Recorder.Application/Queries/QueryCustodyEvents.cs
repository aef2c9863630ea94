using System.Text.Json.Nodes;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Storage.Query;

namespace Recorder.Application.Queries;

/// <summary>The query a custody entry is about, and the case and reason it was asked under (the entry's envelope).</summary>
/// <param name="QueryId">The query's id (the entry's <c>subjects.queryId</c>).</param>
/// <param name="Case">The case it serves.</param>
/// <param name="Reason">Why it was asked.</param>
public sealed record AuditedQuery(string QueryId, string? Case, string? Reason);

/// <summary>What an extraction wrote: the file, its hash and what it was drawn from.</summary>
/// <param name="File">The file as the entry describes it (<c>path</c>, <c>format</c>, <c>packets</c>, <c>bytes</c>, <c>sha256</c>, …).</param>
/// <param name="Sha256">SHA-256 of the file, recorded as <c>hashes.output</c>.</param>
/// <param name="SegmentIds">The sealed segments that contributed packets.</param>
/// <param name="SegmentsLeftOut">The segments that may hold matches and were not read.</param>
public sealed record ExtractionOutput(JsonObject File, string Sha256, IReadOnlyList<long> SegmentIds, IReadOnlyList<SegmentLeftOut> SegmentsLeftOut);

/// <summary>What only the service knows of a submission; null when the command line submits.</summary>
/// <param name="Sinks">The analysis tools the result is streamed to, as the policies define them.</param>
/// <param name="Role">The caller's role.</param>
/// <param name="Node">The service node that took the request.</param>
/// <param name="AllowPartial">Whether the caller accepted a result with segments left out.</param>
public sealed record ServiceSubmission(JsonArray Sinks, string Role, string Node, bool AllowPartial);

/// <summary>Where the service ran (or tried to run) a query; null when the command line runs it.</summary>
/// <param name="Node">The service node.</param>
public sealed record ServiceAttempt(string Node)
{
    /// <summary>The job's attempt at the query (absent from an entry when null: the query never reached a worker).</summary>
    public int? Attempt { get; init; }

    /// <summary>The chunks the attempt wrote (absent when null).</summary>
    public int? Chunks { get; init; }

    /// <summary>Who cancelled the query, for <c>extraction.written</c> (written as null when nobody did).</summary>
    public string? CancelledBy { get; init; }
}

/// <summary>
/// The one place the custody entries of a query's life are shaped: <c>query.submitted</c>,
/// <c>extraction.written</c> and <c>query.failed</c>, for the command line and the service alike,
/// so that an auditor finds the same fields under the same names whichever wrote them
/// (docs/ledger-actions.md). Each function takes the facts both hosts have, plus the service's own
/// facts (null for the command line, whose extractions are files outside the store); the fields
/// only one host has are added here and nowhere else. Building an event records nothing: the caller
/// records it in its journal, so the function stays pure and can be tested alone.
/// </summary>
public static class QueryCustodyEvents
{
    /// <summary>Where a command-line extraction goes: a file outside the store (details.location).</summary>
    public const string ExternalLocation = "external";

    /// <summary>Where a service extraction goes: the store's query directory (details.location).</summary>
    public const string StoreLocation = "store";

    /// <summary>
    /// The <c>query.submitted</c> event, written before any packet is read. <paramref name="replaceExisting"/>
    /// is the command line's <c>--force</c> (written only without <paramref name="service"/>: the
    /// service's output is always a new directory).
    /// </summary>
    /// <param name="query">The query and its case and reason.</param>
    /// <param name="filter">The query as parsed.</param>
    /// <param name="output">Where the result goes: a path, or the service's query directory.</param>
    /// <param name="format"><c>auto</c>, <c>pcap</c> or <c>pcapng</c>.</param>
    /// <param name="replaceExisting">Command line: the output may replace a file no ledger entry names.</param>
    /// <param name="service">The service's facts; null for the command line.</param>
    public static CustodyEvent Submitted(AuditedQuery query, PacketQuery filter, string output, string format, bool replaceExisting = false,
        ServiceSubmission? service = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        var details = new JsonObject
        {
            ["filter"] = filter.ToJson(),
            ["description"] = filter.Describe(),
            ["output"] = output,
            ["format"] = format,
        };
        if (service is null)
        {
            details["replaceExisting"] = replaceExisting;
        }
        else
        {
            details["sinks"] = service.Sinks.DeepClone();
            details["role"] = service.Role;
            details["node"] = service.Node;
            details["allowPartial"] = service.AllowPartial;
        }

        return Event(LedgerActions.QuerySubmitted, query, Subjects(query), NoHashes(), details);
    }

    /// <summary>The name a <see cref="OutputFormatChoice"/> is recorded under in <c>query.submitted</c>'s <c>format</c>.</summary>
    public static string FormatName(OutputFormatChoice format) => format switch
    {
        OutputFormatChoice.Pcapng => "pcapng",
        OutputFormatChoice.Pcap => "pcap",
        _ => "auto",
    };

    /// <summary>
    /// The <c>extraction.written</c> event: the result's hash, where it came from and how the query
    /// ran. <c>location</c> is <c>external</c> without <paramref name="service"/>, <c>store</c> with it.
    /// </summary>
    /// <param name="query">The query and its case and reason.</param>
    /// <param name="output">The result written.</param>
    /// <param name="partial">True when the result is not the whole answer (segments left out, or the query cancelled).</param>
    /// <param name="run">How the query ran (may be null on the service when it was cancelled before running).</param>
    /// <param name="service">The service's facts; null for the command line.</param>
    /// <param name="secrets">The decryption secrets the result carries (<c>ExtractionSecrets.ToJson</c>); absent from the entry when null.</param>
    public static CustodyEvent ExtractionWritten(AuditedQuery query, ExtractionOutput output, bool partial, JsonObject? run, ServiceAttempt? service = null,
        JsonObject? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(output);
        var details = new JsonObject
        {
            ["output"] = output.File.DeepClone(),
            ["location"] = service is null ? ExternalLocation : StoreLocation,
            ["partial"] = partial,
            ["segmentsLeftOut"] = SegmentLeftOut.ToJson(output.SegmentsLeftOut),
        };
        if (service is not null)
        {
            details["cancelledBy"] = service.CancelledBy;
            AddAttempt(details, service);
        }

        details["run"] = run?.DeepClone();
        if (secrets is not null)
        {
            details["secrets"] = secrets.DeepClone();
        }

        return Event(LedgerActions.ExtractionWritten, query, Subjects(query, output), OutputHash(output), details);
    }

    /// <summary>
    /// The <c>query.failed</c> event. With <paramref name="partialOutput"/> the output the query had
    /// written when it failed is named and hashed; the command line, which keeps no partial output,
    /// says whether an output was left (<c>outputWritten</c>).
    /// </summary>
    /// <param name="query">The query and its case and reason.</param>
    /// <param name="error">Why it failed (type and message).</param>
    /// <param name="partialOutput">What it had written and kept, if anything.</param>
    /// <param name="service">The service's facts; null for the command line.</param>
    /// <param name="secrets">The decryption secrets the partial output carries (<c>ExtractionSecrets.ToJson</c>); absent from the entry when null.</param>
    public static CustodyEvent Failed(AuditedQuery query, string error, ExtractionOutput? partialOutput = null, ServiceAttempt? service = null,
        JsonObject? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var details = new JsonObject { ["error"] = error };
        if (partialOutput is not null)
        {
            details["partialOutput"] = partialOutput.File.DeepClone();
            details["segmentsLeftOut"] = SegmentLeftOut.ToJson(partialOutput.SegmentsLeftOut);
        }

        if (secrets is not null)
        {
            details["secrets"] = secrets.DeepClone();
        }

        if (service is null)
        {
            details["outputWritten"] = partialOutput is not null;
        }
        else
        {
            AddAttempt(details, service);
        }

        return partialOutput is null
            ? Event(LedgerActions.QueryFailed, query, Subjects(query), NoHashes(), details)
            : Event(LedgerActions.QueryFailed, query, Subjects(query, partialOutput), OutputHash(partialOutput), details);
    }

    /// <summary>The error text the query entries record for <paramref name="error"/>: its type and message.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"{error.GetType().Name}: {error.Message}";
    }

    private static void AddAttempt(JsonObject details, ServiceAttempt service)
    {
        if (service.Chunks is { } chunks)
        {
            details["chunks"] = chunks;
        }

        details["node"] = service.Node;
        if (service.Attempt is { } attempt)
        {
            details["attempt"] = attempt;
        }
    }

    private static JsonObject Subjects(AuditedQuery query) => new() { ["queryId"] = query.QueryId };

    private static JsonObject Subjects(AuditedQuery query, ExtractionOutput output) => new()
    {
        ["queryId"] = query.QueryId,
        ["segmentIds"] = new JsonArray(output.SegmentIds.Select(id => (JsonNode)id).ToArray()),
    };

    private static Dictionary<string, string> NoHashes() => new(StringComparer.Ordinal);

    private static Dictionary<string, string> OutputHash(ExtractionOutput output) => new(StringComparer.Ordinal) { ["output"] = output.Sha256 };

    private static CustodyEvent Event(string action, AuditedQuery query, JsonObject subjects, Dictionary<string, string> hashes, JsonObject details) =>
        new(action, subjects, hashes, details, query.Case, query.Reason);
}
