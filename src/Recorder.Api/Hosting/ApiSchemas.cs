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
