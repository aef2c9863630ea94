using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Recorder.Api.Queries;

/// <summary>The states of a query. Persisted as the lower-case names; values may only be added.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QueryState>))]
public enum QueryState
{
    /// <summary>Accepted, waiting for a worker.</summary>
    [JsonStringEnumMemberName("queued")]
    Queued,

    /// <summary>A worker is extracting.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>The whole result is written.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>The extraction failed; what was written stays, marked partial.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Cancelled; what was written stays, marked partial.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}

/// <summary>The states of one sink of a query.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SinkState>))]
public enum SinkState
{
    /// <summary>Waiting for the query to start.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Receiving.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Received everything and finished well.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>Failed, hung or was too slow; the query was not affected.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>The query's filter as submitted (validated text; re-parsed by the job).</summary>
public sealed record QueryFilterText
{
    /// <summary>Addresses or CIDR blocks (OR).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Ports (OR).</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];

    /// <summary>Protocols (OR); deprecated name of <see cref="Protocols"/>, kept for the clients that read it.</summary>
    public IReadOnlyList<string> Proto { get; init; } = [];

    /// <summary>Protocols (OR), under the name <c>normalizedFilter</c> and the CLI use.</summary>
    public IReadOnlyList<string> Protocols => Proto;

    /// <summary>
    /// <see cref="Ports"/> as JSON numbers. <see cref="Ports"/> keeps the text as submitted (strings,
    /// for the clients that read them); every port in it is a number 0–65535 once the query is accepted.
    /// </summary>
    public IReadOnlyList<int> PortNumbers =>
        Ports.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n >= 0).ToList();

    /// <summary>Window start (inclusive).</summary>
    public string? From { get; init; }

    /// <summary>Window end (exclusive).</summary>
    public string? To { get; init; }

    /// <summary>libpcap filter expression.</summary>
    public string? Bpf { get; init; }

    /// <summary>Sessions named (<c>SEGMENT:ID</c>) as submitted in <c>filter.sessions</c>.</summary>
    public IReadOnlyList<string> Sessions { get; init; } = [];

    /// <summary>The session search submitted in <c>filter.sessionsOf</c> (its conditions by name), if any.</summary>
    public IReadOnlyDictionary<string, string>? SessionsOf { get; init; }

    /// <summary>The search <see cref="SessionsOf"/> ran at submission, if any.</summary>
    public QuerySessionSearch? SessionSearch { get; init; }

    /// <summary>
    /// The conversations the sessions resolved to at submission (each session whole, continuations
    /// in other segments included); empty for a query by hosts, ports and protocols. The job extracts
    /// these, never a new search.
    /// </summary>
    public IReadOnlyList<QueryConversation> Conversations { get; init; } = [];
}

/// <summary>One chunk of a query's result: a standalone capture file.</summary>
public sealed record ChunkInfo
{
    /// <summary>Its number, from 1.</summary>
    public required int Number { get; init; }

    /// <summary>File name inside the query's <c>chunks/</c> directory.</summary>
    public required string File { get; init; }

    /// <summary>Packets in it.</summary>
    public required long Packets { get; init; }

    /// <summary>Its size in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of its bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Earliest packet timestamp (RFC 3339).</summary>
    public required string FirstTimestamp { get; init; }

    /// <summary>Latest packet timestamp (RFC 3339).</summary>
    public required string LastTimestamp { get; init; }

    /// <summary>Offset within the whole result file of its first packet (or of the Decryption Secrets Block written in front of that packet).</summary>
    public required long ResultOffset { get; init; }

    /// <summary>The ledger entry recording it.</summary>
    public long LedgerSeq { get; init; }
}

/// <summary>A file a sink produced (or a delivery log), hashed and ledgered.</summary>
public sealed record ArtifactInfo
{
    /// <summary>The name served at <c>/api/queries/{id}/artifacts/{name}</c> (<c>SINK/FILE</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its size in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of its bytes.</summary>
    public required string Sha256 { get; init; }
}

/// <summary>How one sink of a query fared.</summary>
public sealed record SinkStatus
{
    /// <summary>The sink's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its definition when the query was submitted.</summary>
    public required JsonObject Definition { get; init; }

    /// <summary>Its state.</summary>
    public SinkState State { get; init; }

    /// <summary>Why it failed, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>Bytes or chunks delivered.</summary>
    public string? Delivered { get; init; }

    /// <summary>When it started.</summary>
    public string? StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public string? FinishedAt { get; init; }

    /// <summary>What it produced.</summary>
    public IReadOnlyList<ArtifactInfo> Artifacts { get; init; } = [];

    /// <summary>The ledger entry recording its outcome.</summary>
    public long? LedgerSeq { get; init; }
}

/// <summary>The finished (or partial) result file.</summary>
public sealed record ResultInfo
{
    /// <summary>File name inside the query's directory.</summary>
    public required string File { get; init; }

    /// <summary>pcap or pcapng.</summary>
    public required string Format { get; init; }

    /// <summary>Packets in it.</summary>
    public required long Packets { get; init; }

    /// <summary>Its size in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of its bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>
    /// True when the result is not the complete answer: the query did not run to its end (cancelled
    /// or failed), or sealed segments that may hold matches could not be read (<see cref="SegmentsLeftOut"/>).
    /// </summary>
    public required bool Partial { get; init; }

    /// <summary>Sealed segments that may hold matches but could not be read, and why (empty when none).</summary>
    public IReadOnlyList<SegmentLeftOutInfo> SegmentsLeftOut { get; init; } = [];
}

/// <summary>A sealed segment a query left out.</summary>
/// <param name="Segment">The segment id.</param>
/// <param name="Reason">Why it could not be read.</param>
public sealed record SegmentLeftOutInfo(long Segment, string Reason);

/// <summary>Progress while the query runs.</summary>
public sealed record QueryProgress
{
    /// <summary>Packets written so far.</summary>
    public long Packets { get; init; }

    /// <summary>Result bytes written so far (headers included).</summary>
    public long Bytes { get; init; }

    /// <summary>Chunks written so far.</summary>
    public int Chunks { get; init; }

    /// <summary>
    /// An estimate from 0 to 1: how far through the query's time range the output has got (output
    /// is in capture-time order). 1 once done.
    /// </summary>
    public double Fraction { get; init; }

    /// <summary>The timestamp of the latest packet written.</summary>
    public string? LatestTimestamp { get; init; }
}

/// <summary>
/// Everything the service knows about one query, kept in <c>STORE/extractions/ID/query.json</c>
/// (replaced atomically) so that every node serving the store sees it and a restarted job can
/// resume from it. The ledger is the authoritative record; this is the working state.
/// </summary>
public sealed record QueryRecord
{
    /// <summary>The query id (a GUID, lower-case with dashes).</summary>
    public required string Id { get; init; }

    /// <summary>The case number.</summary>
    public required string Case { get; init; }

    /// <summary>Why the packets are extracted.</summary>
    public required string Reason { get; init; }

    /// <summary>Who submitted it.</summary>
    public required string Owner { get; init; }

    /// <summary>Their role at submission.</summary>
    public required string OwnerRole { get; init; }

    /// <summary>When it was submitted (RFC 3339).</summary>
    public required string SubmittedAt { get; init; }

    /// <summary>The filter as submitted.</summary>
    public required QueryFilterText Filter { get; init; }

    /// <summary>The filter as parsed (canonical form).</summary>
    public required JsonObject NormalizedFilter { get; init; }

    /// <summary>A readable description of the filter.</summary>
    public required string Description { get; init; }

    /// <summary>The state.</summary>
    public QueryState State { get; init; }

    /// <summary>The Hangfire job running it.</summary>
    public string? JobId { get; init; }

    /// <summary>How many times a worker has started it.</summary>
    public int Attempt { get; init; }

    /// <summary>The node that runs (or ran) it.</summary>
    public string? Node { get; init; }

    /// <summary>When the current attempt started.</summary>
    public string? StartedAt { get; init; }

    /// <summary>When it reached its final state.</summary>
    public string? FinishedAt { get; init; }

    /// <summary>pcap or pcapng, chosen when the job starts.</summary>
    public string? Format { get; init; }

    /// <summary>The result file being written (name inside the query directory).</summary>
    public string? ResultFile { get; init; }

    /// <summary>Progress so far.</summary>
    public QueryProgress Progress { get; init; } = new();

    /// <summary>The chunks written.</summary>
    public IReadOnlyList<ChunkInfo> Chunks { get; init; } = [];

    /// <summary>The result, once the query has ended.</summary>
    public ResultInfo? Result { get; init; }

    /// <summary>The sinks and how they fared.</summary>
    public IReadOnlyList<SinkStatus> Sinks { get; init; } = [];

    /// <summary>Whether the submitter accepts a partial answer (sealed segments left out) as <c>succeeded</c>.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>
    /// Whether the result carries the TLS decryption secrets of stored key logs for the connections
    /// whose ClientHello is in it (the submission's <c>secrets</c>; true unless it said false, and true
    /// for records written before the field existed, as for the command line).
    /// </summary>
    public bool WithSecrets { get; init; } = true;

    /// <summary>
    /// The decryption secrets the result carries, once the query has ended: the <c>secrets</c> object
    /// of its <c>extraction.written</c> (or <c>query.failed</c>) entry, the same fields as
    /// <c>recorder query --json</c>'s (docs/sessions.md, "Secrets in extractions").
    /// </summary>
    public JsonObject? Secrets { get; init; }

    /// <summary>Sealed segments the query considered.</summary>
    public int SealedSegments { get; init; }

    /// <summary>The part of the data that was not sealed yet when the query started (open capture segments).</summary>
    public JsonArray? Unsealed { get; init; }

    /// <summary>How the query ran (index use, packets examined, unsealed packets), once done.</summary>
    public JsonObject? Run { get; init; }

    /// <summary>Why it failed, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>Who cancelled it.</summary>
    public string? CancelledBy { get; init; }

    /// <summary>Ledger sequence of the submission.</summary>
    public long SubmittedSeq { get; init; }

    /// <summary>Ledger sequence of the extraction (or failure) record.</summary>
    public long? CompletedSeq { get; init; }

    /// <summary>Size of the checkpoint taken after it.</summary>
    public long? CheckpointSize { get; init; }

    /// <summary>True once the state is final.</summary>
    [JsonIgnore]
    public bool Ended => State is QueryState.Succeeded or QueryState.Failed or QueryState.Cancelled;

    /// <summary>True once the state is final and every sink has finished.</summary>
    [JsonIgnore]
    public bool Settled => Ended && Sinks.All(s => s.State is SinkState.Succeeded or SinkState.Failed);

    /// <summary>This record with every unfinished sink marked failed for <paramref name="why"/>.</summary>
    public QueryRecord WithOpenSinksFailed(string why) => this with
    {
        Sinks = Sinks.Select(s => s.State is SinkState.Succeeded or SinkState.Failed ? s : s with { State = SinkState.Failed, Error = why }).ToList(),
    };
}
