using System.Text.Json.Nodes;
using Recorder.Api.Queries;

namespace Recorder.Api.Hosting;

// The JSON shapes the endpoints send and accept, for the OpenAPI document. The handlers build and
// read JsonObject (so unknown fields can be refused by name); these records describe the same
// shapes, and OpenApiResponseTests checks real responses against the served document.

/// <summary><c>GET /health</c>.</summary>
public sealed record HealthResponse
{
    /// <summary>Always <c>ok</c>.</summary>
    public required string Status { get; init; }
}

/// <summary>A query as the API shows it: its record and links.</summary>
public sealed record QueryListResponse
{
    /// <summary>The queries, newest first.</summary>
    public required IReadOnlyList<QueryRecord> Queries { get; init; }
}

/// <summary><c>GET /api/queries/{id}/chunks</c>.</summary>
public sealed record ChunkListResponse
{
    /// <summary>The query.</summary>
    public required string QueryId { get; init; }

    /// <summary>Its state.</summary>
    public required QueryState State { get; init; }

    /// <summary>pcap or pcapng, once the job has started.</summary>
    public string? Format { get; init; }

    /// <summary>True once the query has ended: no more chunks will come.</summary>
    public required bool Complete { get; init; }

    /// <summary>The chunks so far, each with its <c>url</c>.</summary>
    public required IReadOnlyList<ChunkInfo> Chunks { get; init; }
}

/// <summary>One sink artifact and where to download it.</summary>
public sealed record ArtifactLink
{
    /// <summary><c>SINK/FILE</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Its size.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of its bytes, as ledgered.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Where to download it.</summary>
    public required string Url { get; init; }
}

/// <summary><c>GET /api/queries/{id}/artifacts</c>.</summary>
public sealed record ArtifactListResponse
{
    /// <summary>The query.</summary>
    public required string QueryId { get; init; }

    /// <summary>What its sinks produced.</summary>
    public required IReadOnlyList<ArtifactLink> Artifacts { get; init; }
}

/// <summary>A sealed segment's metadata.</summary>
public sealed record SegmentView
{
    /// <summary>The segment id.</summary>
    public required long Id { get; init; }

    /// <summary>Its file, relative to the store.</summary>
    public required string Path { get; init; }

    /// <summary>Its manifest, relative to the store.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>Its signature, relative to the store.</summary>
    public required string SignaturePath { get; init; }

    /// <summary>SHA-256 of the segment file.</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-256 of the manifest.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>Packets in it.</summary>
    public required long Packets { get; init; }

    /// <summary>Its size.</summary>
    public required long Bytes { get; init; }

    /// <summary>The first packet's time (RFC 3339).</summary>
    public required string FirstTimestamp { get; init; }

    /// <summary>The last packet's time (RFC 3339).</summary>
    public required string LastTimestamp { get; init; }

    /// <summary>When it was sealed.</summary>
    public required string SealedAt { get; init; }

    /// <summary>Why it was sealed.</summary>
    public required string SealReason { get; init; }
}

/// <summary><c>GET /api/segments</c>.</summary>
public sealed record SegmentListResponse
{
    /// <summary>The sealed segments.</summary>
    public required IReadOnlyList<SegmentView> Segments { get; init; }

    /// <summary>Open segments of live captures.</summary>
    public required JsonArray Open { get; init; }
}

/// <summary>A verification run (<c>POST /api/verify</c>, <c>GET /api/verify/{id}</c>).</summary>
public sealed record VerificationResponse
{
    /// <summary>Its id.</summary>
    public required string Id { get; init; }

    /// <summary>queued, running, passed, failed.</summary>
    public required string State { get; init; }

    /// <summary>Who asked for it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When.</summary>
    public required string RequestedAt { get; init; }

    /// <summary>The ledger entry of the request.</summary>
    public required long RequestedSeq { get; init; }
}

/// <summary>A service user (never the token).</summary>
public record UserView
{
    /// <summary>The user's name.</summary>
    public required string Name { get; init; }

    /// <summary>Their role.</summary>
    public required string Role { get; init; }

    /// <summary>When they were added.</summary>
    public required string CreatedAt { get; init; }

    /// <summary>Who added them.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the token was revoked, if it was.</summary>
    public string? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>The person's name as reports print it, when one was given.</summary>
    public string? DisplayName { get; init; }
}

/// <summary>A user just added: the only time the token is shown.</summary>
public sealed record NewUserResponse : UserView
{
    /// <summary>The bearer token.</summary>
    public required string Token { get; init; }
}

/// <summary><c>GET /api/users</c>.</summary>
public sealed record UserListResponse
{
    /// <summary>Every user, revoked ones included.</summary>
    public required IReadOnlyList<UserView> Users { get; init; }
}

/// <summary><c>POST /api/users</c>.</summary>
public sealed record AddUserRequest
{
    /// <summary>A new, unused name.</summary>
    public required string Name { get; init; }

    /// <summary>A role of the policies in force.</summary>
    public required string Role { get; init; }

    /// <summary>The person's name as reports print it (a package's examiner by default).</summary>
    public string? DisplayName { get; init; }
}

/// <summary><c>POST /api/capture/start</c>.</summary>
public sealed record CaptureStartRequest
{
    /// <summary>The interface to capture on.</summary>
    public required string Interface { get; init; }

    /// <summary>A BPF filter (libpcap syntax).</summary>
    public string? Filter { get; init; }
}

/// <summary><c>POST /api/packages</c>.</summary>
public sealed record PackageRequestBody
{
    /// <summary>Ids of finished queries of one case.</summary>
    public required IReadOnlyList<string> Queries { get; init; }

    /// <summary>
    /// Transferred files to carry beside the packets (as <c>recorder package --file-extraction</c>): the
    /// <c>extractionId</c>s of file extractions of the same case (<c>POST /api/files/extract</c> or
    /// <c>recorder files extract</c>), at most 100.
    /// </summary>
    public IReadOnlyList<string>? FileExtractions { get; init; }

    /// <summary>The report's title.</summary>
    public string? Title { get; init; }

    /// <summary>Why the package is built (default: the queries' reason).</summary>
    public string? Reason { get; init; }

    /// <summary>Package partial extractions too, marked PARTIAL.</summary>
    public bool? AllowPartial { get; init; }

    /// <summary>The examiner (default: the caller's display name, if they have one).</summary>
    public string? Examiner { get; init; }

    /// <summary>The examiner's organisation.</summary>
    public string? Organisation { get; init; }
}

/// <summary>An evidence package built through the service.</summary>
public sealed record PackageResponse
{
    /// <summary>The package id.</summary>
    public required string Id { get; init; }

    /// <summary>The case.</summary>
    public required string Case { get; init; }

    /// <summary>The report's title.</summary>
    public required string Title { get; init; }

    /// <summary>Why it was built.</summary>
    public required string Reason { get; init; }

    /// <summary>The queries in it.</summary>
    public required IReadOnlyList<string> Queries { get; init; }

    /// <summary>The file extractions whose transferred files it carries (empty when none).</summary>
    public IReadOnlyList<string>? FileExtractions { get; init; }

    /// <summary>Who built it.</summary>
    public required string BuiltBy { get; init; }

    /// <summary>The examiner named on the report (the request's, else the builder's display name).</summary>
    public string? Examiner { get; init; }

    /// <summary>The examiner's organisation.</summary>
    public string? Organisation { get; init; }

    /// <summary>When.</summary>
    public required string BuiltAt { get; init; }

    /// <summary>SHA-256 of manifest.json.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>SHA-256 of report.pdf.</summary>
    public required string ReportSha256 { get; init; }

    /// <summary>The ledger entry of package.built.</summary>
    public required long PackageSeq { get; init; }

    /// <summary>The zip's size.</summary>
    public required long Bytes { get; init; }

    /// <summary>The zip's SHA-256, as ledgered.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The files in the package.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>True when an extraction in it is partial.</summary>
    public required bool Partial { get; init; }

    /// <summary>self, zip, report.</summary>
    public required JsonObject Links { get; init; }
}

/// <summary><c>POST /api/files/extract</c>.</summary>
public sealed record FileExtractRequest
{
    /// <summary>The file's SHA-256 (64 hex digits), as a session search finds it (<c>filter.fileSha256</c>).</summary>
    public required string Sha256 { get; init; }

    /// <summary>The case it is extracted for (at most 200 characters).</summary>
    public required string Case { get; init; }

    /// <summary>Why (at most 4000 characters).</summary>
    public required string Reason { get; init; }
}

/// <summary>A transferred file extracted by the service: the fields of <c>recorder files extract --json</c>.</summary>
public sealed record FileExtractResponse
{
    /// <summary>The extraction's id, for <c>POST /api/packages</c>' <c>fileExtractions</c>.</summary>
    public required string ExtractionId { get; init; }

    /// <summary>The case.</summary>
    public required string Case { get; init; }

    /// <summary>The reason.</summary>
    public required string Reason { get; init; }

    /// <summary>The file, relative to the store (<c>service/files/ID/…</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Its JSON sidecar, relative to the store.</summary>
    public required string Sidecar { get; init; }

    /// <summary>SHA-256 of the sidecar.</summary>
    public required string SidecarSha256 { get; init; }

    /// <summary>SHA-256 of the file (the one asked for).</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-1 of the file.</summary>
    public required string Sha1 { get; init; }

    /// <summary>MD5 of the file.</summary>
    public required string Md5 { get; init; }

    /// <summary>Its size in octets.</summary>
    public required long Size { get; init; }

    /// <summary>Its type, recognised from its content.</summary>
    public required string Type { get; init; }

    /// <summary>The name the traffic claimed for it (hostile text; never a path).</summary>
    public string? ClaimedName { get; init; }

    /// <summary><c>http</c>, <c>smtp</c> or <c>ftp</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary><c>upload</c> or <c>download</c>.</summary>
    public required string Direction { get; init; }

    /// <summary>The segment whose packets were re-read.</summary>
    public required long SegmentId { get; init; }

    /// <summary>The session (in that segment) whose packets hold it.</summary>
    public required long SessionId { get; init; }

    /// <summary>Every session whose metadata names the hash (<c>segment:id</c>).</summary>
    public required IReadOnlyList<string> Sessions { get; init; }

    /// <summary>The <c>files.extracted</c> entry.</summary>
    public required long LedgerSeq { get; init; }
}

/// <summary><c>GET /api/packages</c>.</summary>
public sealed record PackageListResponse
{
    /// <summary>Packages, newest first.</summary>
    public required IReadOnlyList<PackageResponse> Packages { get; init; }
}

/// <summary><c>GET /api/ledger</c>.</summary>
public sealed record LedgerPageResponse
{
    /// <summary>Entries exactly as stored (see docs/ledger-format.md).</summary>
    public required JsonArray Entries { get; init; }

    /// <summary>Entries in the ledger.</summary>
    public required long Count { get; init; }

    /// <summary>The fromSeq of the next page, if there is one.</summary>
    public long? NextFromSeq { get; init; }

    /// <summary>Each entry's SHA-256 (hex), in the order of <see cref="Entries"/>.</summary>
    public required IReadOnlyList<string> EntryHashes { get; init; }

    /// <summary>Newest first: the beforeSeq of the next (older) page, if there is one.</summary>
    public long? NextBeforeSeq { get; init; }

    /// <summary>With verify=true: for each entry, whether its inclusion proof checks out against the latest signed checkpoint.</summary>
    public JsonArray? Custody { get; init; }
}

/// <summary><c>GET /api/verify</c>.</summary>
public sealed record VerificationListResponse
{
    /// <summary>The latest verifications, newest first.</summary>
    public required IReadOnlyList<VerificationResponse> Verifications { get; init; }
}

/// <summary><c>PATCH /api/users/{name}</c>.</summary>
public sealed record ChangeRoleRequest
{
    /// <summary>A role of the policies in force.</summary>
    public required string Role { get; init; }
}

/// <summary><c>GET /api/ledger/checkpoints/latest</c>.</summary>
public sealed record CheckpointResponse
{
    /// <summary>The log's origin line.</summary>
    public required string Origin { get; init; }

    /// <summary>Entries covered.</summary>
    public required long Size { get; init; }

    /// <summary>Merkle root, base64.</summary>
    public required string RootHash { get; init; }

    /// <summary>When it was signed.</summary>
    public required string Time { get; init; }

    /// <summary>The signing key's fingerprint.</summary>
    public required string KeyFingerprint { get; init; }

    /// <summary>The signed checkpoint text.</summary>
    public required string Text { get; init; }

    /// <summary>Ed25519 signature over the text, base64.</summary>
    public required string Signature { get; init; }

    /// <summary>RFC 3161 time-stamp response, base64.</summary>
    public string? TimeStampResponse { get; init; }

    /// <summary>The time-stamp authority's certificate.</summary>
    public string? TimeStampAuthorityPem { get; init; }

    /// <summary>Whether the checkpoint verifies: its signature with the store key and its time-stamp against the authority's certificate.</summary>
    public JsonObject? Verification { get; init; }
}

/// <summary><c>GET /api/traffic</c>: what the store holds over a window, from manifests and index time chunks.</summary>
public sealed record TrafficResponse
{
    /// <summary>The first bucket's start (null when the store holds nothing).</summary>
    public string? From { get; init; }

    /// <summary>The end of the last bucket.</summary>
    public string? To { get; init; }

    /// <summary>Each bucket's width.</summary>
    public long? BucketSeconds { get; init; }

    /// <summary>Packets in the window.</summary>
    public required long Packets { get; init; }

    /// <summary>Packets per bucket.</summary>
    public required IReadOnlyList<TrafficBucket> Buckets { get; init; }

    /// <summary>The sealed segments overlapping the window (metadata only).</summary>
    public required JsonArray Segments { get; init; }
}

/// <summary>One bucket of <see cref="TrafficResponse"/>.</summary>
public sealed record TrafficBucket
{
    /// <summary>Its start (RFC 3339, UTC).</summary>
    public required string Start { get; init; }

    /// <summary>Packets in it.</summary>
    public required long Packets { get; init; }
}

/// <summary><c>POST /api/cases/{case}/notes</c>.</summary>
public sealed record CaseNoteRequest
{
    /// <summary>The note (append-only once added).</summary>
    public required string Text { get; init; }
}

/// <summary>One case of <c>GET /api/cases</c> (and the head of <c>GET /api/cases/{case}</c>).</summary>
public record CaseSummaryResponse
{
    /// <summary>The case number.</summary>
    public required string Case { get; init; }

    /// <summary>Who submitted its queries (the ones the caller may see), sorted.</summary>
    public required IReadOnlyList<string> Owners { get; init; }

    /// <summary>When its first query was submitted (RFC 3339, UTC).</summary>
    public required string FirstSubmittedAt { get; init; }

    /// <summary>When its latest query was submitted.</summary>
    public required string LastSubmittedAt { get; init; }

    /// <summary>How many of its queries are in each state (<c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>).</summary>
    public required IReadOnlyDictionary<string, int> States { get; init; }

    /// <summary>Packets in its queries' results.</summary>
    public required long Packets { get; init; }

    /// <summary><c>self</c> (this API) and <c>page</c> (the dashboard's page).</summary>
    public required IReadOnlyDictionary<string, string> Links { get; init; }
}

/// <summary>One case in <see cref="CaseListResponse"/>.</summary>
public sealed record CaseListItem : CaseSummaryResponse
{
    /// <summary>How many queries it has (that the caller may see).</summary>
    public required int Queries { get; init; }

    /// <summary>How many notes it has.</summary>
    public required int Notes { get; init; }
}

/// <summary><c>GET /api/cases</c>: one page of cases.</summary>
public sealed record CaseListResponse
{
    /// <summary>Cases matching the search.</summary>
    public required int Total { get; init; }

    /// <summary>This page's number (from 1).</summary>
    public required int Page { get; init; }

    /// <summary>Cases per page.</summary>
    public required int PageSize { get; init; }

    /// <summary>Pages in all.</summary>
    public required int Pages { get; init; }

    /// <summary>The sort key in force (a leading '-': descending).</summary>
    public required string Sort { get; init; }

    /// <summary>This page's cases.</summary>
    public required IReadOnlyList<CaseListItem> Cases { get; init; }
}

/// <summary>One query of <see cref="CaseDetailResponse"/>.</summary>
public sealed record CaseQueryItem
{
    /// <summary>The query id.</summary>
    public required string Id { get; init; }

    /// <summary>Its state.</summary>
    public required QueryState State { get; init; }

    /// <summary>Who submitted it.</summary>
    public required string Owner { get; init; }

    /// <summary>When (RFC 3339, UTC).</summary>
    public required string SubmittedAt { get; init; }

    /// <summary>When it ended, if it has.</summary>
    public string? FinishedAt { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>Its filter, readable.</summary>
    public required string Description { get; init; }

    /// <summary>The addresses and CIDR blocks of its filter.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    /// <summary>The ports of its filter, as submitted (a port or a range).</summary>
    public required IReadOnlyList<string> Ports { get; init; }

    /// <summary>Packets in its result (or written so far).</summary>
    public required long Packets { get; init; }

    /// <summary>SHA-256 of its result, once it ended with one.</summary>
    public string? ResultSha256 { get; init; }

    /// <summary>True when its result is partial.</summary>
    public required bool Partial { get; init; }

    /// <summary>Ledger sequence of the submission.</summary>
    public required long SubmittedSeq { get; init; }

    /// <summary>Ledger sequence of the extraction (or failure).</summary>
    public long? CompletedSeq { get; init; }

    /// <summary><c>self</c> and <c>page</c>.</summary>
    public required IReadOnlyDictionary<string, string> Links { get; init; }
}

/// <summary>A package in <see cref="CaseDetailResponse"/>.</summary>
public sealed record CasePackageItem
{
    /// <summary>The package id.</summary>
    public required string Id { get; init; }

    /// <summary>Its title.</summary>
    public string? Title { get; init; }

    /// <summary>Who built it.</summary>
    public string? BuiltBy { get; init; }

    /// <summary>When (RFC 3339, UTC).</summary>
    public string? BuiltAt { get; init; }

    /// <summary>The queries it holds.</summary>
    public IReadOnlyList<string>? Queries { get; init; }

    /// <summary>SHA-256 of the zip, as ledgered.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Ledger sequence of <c>package.built</c>.</summary>
    public long? PackageSeq { get; init; }

    /// <summary>True when it holds a partial extraction.</summary>
    public bool? Partial { get; init; }

    /// <summary><c>self</c> and <c>zip</c>.</summary>
    public required IReadOnlyDictionary<string, string> Links { get; init; }
}

/// <summary>A note on a case (<c>POST /api/cases/{case}/notes</c> answers one).</summary>
public sealed record CaseNoteResponse
{
    /// <summary>The note's id.</summary>
    public required string Id { get; init; }

    /// <summary>The case.</summary>
    public required string Case { get; init; }

    /// <summary>Who wrote it.</summary>
    public required string Author { get; init; }

    /// <summary>Their role then.</summary>
    public required string AuthorRole { get; init; }

    /// <summary>When (RFC 3339, UTC).</summary>
    public required string At { get; init; }

    /// <summary>The text.</summary>
    public required string Text { get; init; }

    /// <summary>SHA-256 of the text (UTF-8), as ledgered.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Ledger sequence of <c>case.note-added</c>, which holds the text.</summary>
    public required long LedgerSeq { get; init; }
}

/// <summary><c>GET /api/cases/{case}</c>: the case with its queries, packages and notes.</summary>
public sealed record CaseDetailResponse : CaseSummaryResponse
{
    /// <summary>Its queries the caller may see, newest first.</summary>
    public required IReadOnlyList<CaseQueryItem> Queries { get; init; }

    /// <summary>The packages built from it.</summary>
    public required IReadOnlyList<CasePackageItem> Packages { get; init; }

    /// <summary>Its notes, oldest first.</summary>
    public required IReadOnlyList<CaseNoteResponse> Notes { get; init; }
}

/// <summary><c>GET /api/capture</c> (and the answer to <c>POST /api/capture/start</c>).</summary>
public sealed record CaptureStatusResponse
{
    /// <summary>True while a capture runs.</summary>
    public required bool Running { get; init; }

    /// <summary>The interface of the capture that runs (or ran last, until stopped).</summary>
    public string? Interface { get; init; }

    /// <summary>Its libpcap filter.</summary>
    public string? Filter { get; init; }

    /// <summary>When it started (RFC 3339, UTC).</summary>
    public string? StartedAt { get; init; }

    /// <summary>Who started it.</summary>
    public string? StartedBy { get; init; }

    /// <summary>Packets handed to the recorder.</summary>
    public long? Delivered { get; init; }

    /// <summary>Packets the kernel received.</summary>
    public long? Received { get; init; }

    /// <summary>Packets the kernel dropped (ring full).</summary>
    public long? KernelDropped { get; init; }

    /// <summary>Packets the interface dropped.</summary>
    public long? InterfaceDropped { get; init; }

    /// <summary>Packets the recorder dropped (counted and ledgered, never silent).</summary>
    public long? RecorderDropped { get; init; }

    /// <summary>Why the capture failed, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>The last stopped capture (<see cref="CaptureStopResponse"/>), if any.</summary>
    public CaptureStopResponse? Last { get; init; }
}

/// <summary><c>POST /api/capture/stop</c>: what the stopped capture recorded.</summary>
public sealed record CaptureStopResponse
{
    /// <summary>The capture's id.</summary>
    public string? CaptureId { get; init; }

    /// <summary>Its interface.</summary>
    public required string Interface { get; init; }

    /// <summary>Its libpcap filter.</summary>
    public string? Filter { get; init; }

    /// <summary>Packets recorded.</summary>
    public long? Packets { get; init; }

    /// <summary>Bytes of packets recorded.</summary>
    public long? PacketBytes { get; init; }

    /// <summary>Receive and drop counters (kernel, interface, recorder).</summary>
    public JsonObject? Statistics { get; init; }

    /// <summary>Why it stopped.</summary>
    public string? StopReason { get; init; }

    /// <summary>The segments it sealed.</summary>
    public IReadOnlyList<string>? Segments { get; init; }

    /// <summary>When it started (RFC 3339, UTC).</summary>
    public string? StartedAt { get; init; }

    /// <summary>When it stopped.</summary>
    public string? StoppedAt { get; init; }

    /// <summary>Why it failed, if it did.</summary>
    public string? Error { get; init; }
}

/// <summary><c>GET /api/config</c>: the configuration in force on this node (never a secret).</summary>
public sealed record ConfigResponse
{
    /// <summary>This node's name.</summary>
    public required string Node { get; init; }

    /// <summary>The store's <c>path</c> and <c>storeId</c>.</summary>
    public required IReadOnlyDictionary<string, string> Store { get; init; }

    /// <summary>The job storage (<c>storage</c>), <c>workers</c>, <c>queuePollIntervalMilliseconds</c>, <c>invisibilityTimeoutSeconds</c>.</summary>
    public required JsonObject Jobs { get; init; }

    /// <summary>When a chunk is cut: <c>maxPackets</c>, <c>maxBytes</c>, <c>maxDelayMilliseconds</c>.</summary>
    public required JsonObject Chunks { get; init; }

    /// <summary>Whether queries also read the open segment.</summary>
    public required bool QueryOpenSegments { get; init; }

    /// <summary>The largest request body accepted.</summary>
    public required long MaxRequestBodyBytes { get; init; }

    /// <summary><c>libpcap</c>, or why BPF filters are unavailable.</summary>
    public required string Bpf { get; init; }

    /// <summary>The roles and sinks in force.</summary>
    public required JsonObject Policies { get; init; }

    /// <summary>The capture's status.</summary>
    public required CaptureStatusResponse Capture { get; init; }
}

/// <summary>A signed checkpoint inside a proof (docs/proof-format.md).</summary>
public sealed record ProofCheckpoint
{
    /// <summary>The signing key's fingerprint.</summary>
    public required string Key { get; init; }

    /// <summary>The Ed25519 signature (base64).</summary>
    public required string Signature { get; init; }

    /// <summary>The signed checkpoint text.</summary>
    public required string Text { get; init; }

    /// <summary>The RFC 3161 time-stamp response (base64), if the checkpoint has one.</summary>
    public string? TimeStamp { get; init; }
}

/// <summary><c>GET /api/ledger/proof/{seq}</c>: an inclusion proof (docs/proof-format.md), checked offline by <c>recorder ledger verify-proof</c>.</summary>
public sealed record InclusionProofResponse
{
    /// <summary>Always <c>inclusion</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The proof format's version.</summary>
    public required long V { get; init; }

    /// <summary>The entry, exactly as stored (one JSON line).</summary>
    public required string Entry { get; init; }

    /// <summary>Its sequence number (leaf index).</summary>
    public required long LeafIndex { get; init; }

    /// <summary>The size of the tree the proof is against.</summary>
    public required long TreeSize { get; init; }

    /// <summary>The audit path (base64 hashes), leaf to root.</summary>
    public required IReadOnlyList<string> Path { get; init; }

    /// <summary>The signed checkpoint of that size.</summary>
    public required ProofCheckpoint Checkpoint { get; init; }
}

/// <summary><c>POST /api/queries/check</c>: the submission as POST /api/queries would accept it.</summary>
public sealed record QueryCheckResponse
{
    /// <summary>Always true (an invalid submission is a 400 problem naming its fields).</summary>
    public required bool Valid { get; init; }

    /// <summary>The filter, readable.</summary>
    public required string Description { get; init; }

    /// <summary>The filter as parsed (canonical form, as the query record keeps it).</summary>
    public required JsonObject NormalizedFilter { get; init; }

    /// <summary>The sinks it names.</summary>
    public required IReadOnlyList<string> Sinks { get; init; }
}

/// <summary>A sink the caller's role may name (<see cref="QueryOptionsResponse"/>).</summary>
public sealed record QuerySinkOption
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its type (folder, command, syslog…).</summary>
    public required string Type { get; init; }

    /// <summary>What it does.</summary>
    public string? Description { get; init; }

    /// <summary>A folder sink's directory.</summary>
    public string? Directory { get; init; }
}

/// <summary><c>GET /api/queries/options</c>: what the caller's role may submit.</summary>
public sealed record QueryOptionsResponse
{
    /// <summary>The caller's role.</summary>
    public required string Role { get; init; }

    /// <summary>The widest window the role may ask for, if limited.</summary>
    public long? MaxWindowSeconds { get; init; }

    /// <summary>Whether BPF filters can be checked and used.</summary>
    public required bool BpfAvailable { get; init; }

    /// <summary>Why not, when they cannot.</summary>
    public string? BpfUnavailable { get; init; }

    /// <summary>The sinks the role may name.</summary>
    public required IReadOnlyList<QuerySinkOption> Sinks { get; init; }

    /// <summary>The cases of the caller's visible queries.</summary>
    public required IReadOnlyList<string> Cases { get; init; }
}

/// <summary>A host of <see cref="PacketSummaryResponse"/>.</summary>
public sealed record SummaryTalker
{
    /// <summary>The address.</summary>
    public required string Address { get; init; }

    /// <summary>Packets it sent or received.</summary>
    public required long Packets { get; init; }

    /// <summary>Their bytes.</summary>
    public required long Bytes { get; init; }
}

/// <summary>A port of <see cref="PacketSummaryResponse"/>.</summary>
public sealed record SummaryPort
{
    /// <summary>The port.</summary>
    public required int Port { get; init; }

    /// <summary>tcp, udp…</summary>
    public required string Proto { get; init; }

    /// <summary>Packets to or from it.</summary>
    public required long Packets { get; init; }
}

/// <summary>A protocol of <see cref="PacketSummaryResponse"/>.</summary>
public sealed record SummaryProtocol
{
    /// <summary>Its name.</summary>
    public required string Proto { get; init; }

    /// <summary>Packets.</summary>
    public required long Packets { get; init; }

    /// <summary>Bytes.</summary>
    public required long Bytes { get; init; }
}

/// <summary>Packets over time in <see cref="PacketSummaryResponse"/>.</summary>
public sealed record SummarySeries
{
    /// <summary>The first bucket's start (RFC 3339, UTC).</summary>
    public required string Start { get; init; }

    /// <summary>Each bucket's width.</summary>
    public required long BucketSeconds { get; init; }

    /// <summary>Packets per bucket.</summary>
    public required IReadOnlyList<long> Packets { get; init; }
}

/// <summary><c>GET /api/queries/{id}/summary</c>: a finished result's packet summary.</summary>
public sealed record PacketSummaryResponse
{
    /// <summary>The SHA-256 of the result summarised (as ledgered).</summary>
    public required string ResultSha256 { get; init; }

    /// <summary>Packets.</summary>
    public required long Packets { get; init; }

    /// <summary>Bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>The first packet's time.</summary>
    public string? First { get; init; }

    /// <summary>The last packet's time.</summary>
    public string? Last { get; init; }

    /// <summary>The busiest hosts.</summary>
    public required IReadOnlyList<SummaryTalker> TopTalkers { get; init; }

    /// <summary>The busiest ports.</summary>
    public required IReadOnlyList<SummaryPort> Ports { get; init; }

    /// <summary>Protocols.</summary>
    public required IReadOnlyList<SummaryProtocol> Protocols { get; init; }

    /// <summary>Packets over time (none for an empty result).</summary>
    public SummarySeries? PerSecond { get; init; }
}

/// <summary>One check of <see cref="PackageVerifyResponse"/>.</summary>
public sealed record PackageCheck
{
    /// <summary>What was checked.</summary>
    public required string Name { get; init; }

    /// <summary>Whether it passed.</summary>
    public required bool Passed { get; init; }

    /// <summary>What it found (file, subject, expected, found).</summary>
    public required JsonArray Findings { get; init; }
}

/// <summary><c>GET /api/packages/{id}/verify</c>: verify-package's checks on the stored zip.</summary>
public sealed record PackageVerifyResponse
{
    /// <summary>The package.</summary>
    public required string PackageId { get; init; }

    /// <summary>True when every check passed.</summary>
    public required bool Passed { get; init; }

    /// <summary>The checks.</summary>
    public required IReadOnlyList<PackageCheck> Checks { get; init; }

    /// <summary>What the checks noted without failing.</summary>
    public JsonArray? Notes { get; init; }

    /// <summary>The same check offline.</summary>
    public required string Command { get; init; }
}

/// <summary>One page of <see cref="ReportPagesResponse"/>.</summary>
public sealed record ReportPage
{
    /// <summary>Its number, from 1.</summary>
    public required int Number { get; init; }

    /// <summary>The PNG's size.</summary>
    public required long Bytes { get; init; }

    /// <summary>The PNG's SHA-256.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The PNG as a data: URL.</summary>
    public required string Src { get; init; }
}

/// <summary><c>GET /api/packages/{id}/report/pages</c>: the report rendered as images.</summary>
public sealed record ReportPagesResponse
{
    /// <summary>The package.</summary>
    public required string PackageId { get; init; }

    /// <summary>The report's SHA-256, checked before rendering.</summary>
    public required string ReportSha256 { get; init; }

    /// <summary>The rendering's resolution.</summary>
    public required int Dpi { get; init; }

    /// <summary>The pages.</summary>
    public required IReadOnlyList<ReportPage> Pages { get; init; }
}

/// <summary>The body of <c>POST /api/sessions/search</c>.</summary>
/// <param name="Case">The case number (required, at most 200 characters).</param>
/// <param name="Reason">Why the sessions are searched (required, at most 4000 characters).</param>
/// <param name="Filter">The conditions (all must hold); absent or empty: every session of the store.</param>
public sealed record SessionSearchBody(string Case, string Reason, SessionFilterBody? Filter);

/// <summary>
/// A session search's conditions, the options of <c>recorder sessions</c> (all must hold). Names
/// match whole, case-insensitively, <c>*</c> standing for any run of characters; fingerprints and
/// hashes match exactly. Also the shape of a query's <c>filter.sessionsOf</c>.
/// </summary>
/// <param name="Sni">TLS or QUIC server name.</param>
/// <param name="Domain">A DNS question name, TLS/QUIC server name or HTTP Host.</param>
/// <param name="Url">An HTTP request target, or host + target.</param>
/// <param name="HostHeader">An HTTP Host header.</param>
/// <param name="UserAgent">An HTTP User-Agent.</param>
/// <param name="Ja3">JA3 or JA3S (32 hexadecimal digits).</param>
/// <param name="Ja4">JA4 (TLS or QUIC) or JA4S.</param>
/// <param name="CertSha256">SHA-256 of a certificate of the TLS chain.</param>
/// <param name="FileSha256">SHA-256 of a file the session carried.</param>
/// <param name="App">Application identified from the payload: dns, http, tls, quic, ssh, smtp, ftp, dhcp, unknown.</param>
/// <param name="Host">An address, either side.</param>
/// <param name="Port">A port, either side (string or number).</param>
/// <param name="Proto">tcp, udp, icmp, icmp6, sctp or a protocol number.</param>
/// <param name="From">Sessions active at or after this time: RFC 3339 UTC or Unix seconds.</param>
/// <param name="To">Sessions that began before this time.</param>
public sealed record SessionFilterBody(string? Sni, string? Domain, string? Url, string? HostHeader, string? UserAgent, string? Ja3, string? Ja4,
    string? CertSha256, string? FileSha256, string? App, string? Host, string? Port, string? Proto, string? From, string? To);

/// <summary>
/// One session record exactly as its segment's metadata file holds it (docs/sessions.md, "Record
/// format"); the application groups (<c>dns</c>, <c>http</c>, <c>tls</c>, <c>quic</c>, <c>files</c>, …)
/// are present when the session had them. Text in it comes from traffic: show it as text only.
/// </summary>
public sealed record SessionRecordView
{
    /// <summary>The segment whose metadata holds the record (<c>SEGMENT</c> of <c>SEGMENT:ID</c>).</summary>
    public required long SegmentId { get; init; }

    /// <summary>The record's id in its segment (<c>ID</c> of <c>SEGMENT:ID</c>).</summary>
    public required long Id { get; init; }

    /// <summary><c>ipv4</c> or <c>ipv6</c>.</summary>
    public required string Network { get; init; }

    /// <summary>IP protocol number.</summary>
    public required int Protocol { get; init; }

    /// <summary>The side that spoke first.</summary>
    public required string Client { get; init; }

    /// <summary>Its port (0 without ports).</summary>
    public required int ClientPort { get; init; }

    /// <summary>The other side.</summary>
    public required string Server { get; init; }

    /// <summary>Its port (0 without ports).</summary>
    public required int ServerPort { get; init; }

    /// <summary>First packet, Unix nanoseconds.</summary>
    public required long FirstNanoseconds { get; init; }

    /// <summary>Last packet, Unix nanoseconds.</summary>
    public required long LastNanoseconds { get; init; }

    /// <summary>Packets from the client.</summary>
    public required long ClientPackets { get; init; }

    /// <summary>Bytes from the client (frames).</summary>
    public required long ClientBytes { get; init; }

    /// <summary>Packets from the server.</summary>
    public required long ServerPackets { get; init; }

    /// <summary>Bytes from the server (frames).</summary>
    public required long ServerBytes { get; init; }

    /// <summary>The application identified from the payload, when one was.</summary>
    public string? Application { get; init; }

    /// <summary>DNS names, answers and codes, when the session carried DNS.</summary>
    public JsonObject? Dns { get; init; }

    /// <summary>HTTP methods, hosts, URIs, user agents, statuses, when it carried HTTP.</summary>
    public JsonObject? Http { get; init; }

    /// <summary>TLS server name, ALPN, fingerprints, certificates, when it carried TLS.</summary>
    public JsonObject? Tls { get; init; }

    /// <summary>QUIC version, server name, ALPN, JA4, when it carried QUIC.</summary>
    public JsonObject? Quic { get; init; }

    /// <summary>The files it carried (hashes, sizes, names).</summary>
    public JsonObject? Files { get; init; }
}

/// <summary>The answer of <c>POST /api/sessions/search</c>: the same JSON as <c>recorder sessions --json</c>.</summary>
public sealed record SessionSearchResponse
{
    /// <summary>The search's UUID (the ledger entry's <c>subjects.searchId</c>).</summary>
    public required string SearchId { get; init; }

    /// <summary>The case.</summary>
    public required string Case { get; init; }

    /// <summary>The reason.</summary>
    public required string Reason { get; init; }

    /// <summary>The conditions given, by name.</summary>
    public required IReadOnlyDictionary<string, string> Filter { get; init; }

    /// <summary>Sessions found.</summary>
    public required int Count { get; init; }

    /// <summary>SHA-256 of the answer (each record's line and a newline), as ledgered.</summary>
    public required string AnswerSha256 { get; init; }

    /// <summary>Segments of the window whose metadata was read.</summary>
    public required IReadOnlyList<long> SegmentsScanned { get; init; }

    /// <summary>Segments of the window without metadata: not searched, so the answer misses their sessions.</summary>
    public required IReadOnlyList<long> SegmentsNotBuilt { get; init; }

    /// <summary>Segments answered from their term index.</summary>
    public required IReadOnlyList<long> SegmentsIndexed { get; init; }

    /// <summary>Segments read record by record instead of through their index, and why.</summary>
    public required IReadOnlyList<SessionScanFallbackView> SegmentsFullyScanned { get; init; }

    /// <summary>Options the index could not look up (every record was read for them).</summary>
    public required IReadOnlyList<string> OptionsNotIndexed { get; init; }

    /// <summary>Records read to answer.</summary>
    public required long RecordsRead { get; init; }

    /// <summary>The <c>sessions.searched</c> ledger entry.</summary>
    public required long LedgerSeq { get; init; }

    /// <summary>Time to search.</summary>
    public required double SearchMilliseconds { get; init; }

    /// <summary>The matching records, by segment then first packet.</summary>
    public required IReadOnlyList<SessionRecordView> Results { get; init; }
}

/// <summary>A segment a session search read record by record instead of through its index.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Reason">Why its index was not used.</param>
public sealed record SessionScanFallbackView(long SegmentId, string Reason);
