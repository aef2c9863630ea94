using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Time;

namespace Recorder.Application.Packaging;

/// <summary>
/// A package's <c>manifest.json</c> (docs/evidence-package.md, format
/// <see cref="FormatName"/> version <see cref="FormatVersion"/>): the one place that writes it.
/// <see cref="ToCanonicalBytes"/> gives the exact RFC 8785 bytes that are signed (manifest.sig) and
/// hashed into the ledger (<c>package.built</c>); <see cref="Parse"/> reads them back field by field,
/// so that a change to the writer shows as a failing golden-file test, not as packages signed in a
/// new shape under the old version. Verification reads packages from outside with the lenient
/// <see cref="ManifestFacts"/>, over the same field names.
/// </summary>
internal sealed record PackageManifest
{
    /// <summary>The <c>format</c> of every package manifest.</summary>
    public const string FormatName = "recorder.evidence-package";

    /// <summary>The manifest version this Recorder writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The package's id (a UUID).</summary>
    public required string PackageId { get; init; }

    /// <summary>The id of the report built with it (a UUID).</summary>
    public required string ReportId { get; init; }

    /// <summary>When the package was built.</summary>
    public required Timestamp CreatedAt { get; init; }

    /// <summary>Who built it.</summary>
    public required ManifestActor CreatedBy { get; init; }

    /// <summary>The case the evidence is for.</summary>
    public required ManifestCase Case { get; init; }

    /// <summary>The queries whose extractions the package holds, in the order requested.</summary>
    public required IReadOnlyList<ManifestQuery> Queries { get; init; }

    /// <summary>Any query's extraction is partial (only with --allow-partial).</summary>
    public bool Partial => Queries.Any(q => q.Partial);

    /// <summary>The evidence files, one per query.</summary>
    public required IReadOnlyList<ManifestEvidenceFile> Evidence { get; init; }

    /// <summary>
    /// The transferred files extracted from the traffic (<c>recorder files extract</c>) that the
    /// package carries, in the order requested. Empty for a package without any: the <c>files</c>
    /// member is then left out, so manifests of such packages keep their bytes (the golden file of
    /// version 1 is unchanged).
    /// </summary>
    public IReadOnlyList<ManifestTransferredFile> Files { get; init; } = [];

    /// <summary>The sealed segments the evidence came from, re-checked while packaging, by id.</summary>
    public required IReadOnlyList<ManifestSourceSegment> Segments { get; init; }

    /// <summary>The Recorder that built the package.</summary>
    public required ManifestTool Tool { get; init; }

    /// <summary>The store whose key signed the package.</summary>
    public required ManifestStore Store { get; init; }

    /// <summary>The manifest as JSON (member order does not matter: <see cref="ToCanonicalBytes"/> sorts it).</summary>
    public JsonObject ToJson()
    {
        var json = Members();
        if (Files.Count > 0)
        {
            json["files"] = new JsonArray(Files.Select(f => (JsonNode)f.ToJson()).ToArray());
        }

        return json;
    }

    private JsonObject Members() => new()
    {
        ["format"] = FormatName,
        ["version"] = FormatVersion,
        ["packageId"] = PackageId,
        ["reportId"] = ReportId,
        ["createdAt"] = CreatedAt.ToString(),
        ["createdBy"] = new JsonObject { ["kind"] = CreatedBy.Kind, ["name"] = CreatedBy.Name, ["host"] = CreatedBy.Host },
        ["case"] = new JsonObject { ["id"] = Case.Id, ["title"] = Case.Title },
        ["queries"] = new JsonArray(Queries.Select(q => (JsonNode)q.ToJson()).ToArray()),
        ["partial"] = Partial,
        ["evidence"] = new JsonArray(Evidence.Select(e => (JsonNode)e.ToJson()).ToArray()),
        ["segments"] = new JsonArray(Segments.Select(s => (JsonNode)s.ToJson()).ToArray()),
        ["tool"] = new JsonObject { ["name"] = Tool.Name, ["version"] = Tool.Version, ["sourceRevision"] = Tool.SourceRevision },
        ["store"] = new JsonObject
        {
            ["storeId"] = Store.StoreId,
            ["publicKeyAlgorithm"] = Store.PublicKeyAlgorithm,
            ["publicKeyFingerprint"] = Store.PublicKeyFingerprint,
        },
    };

    /// <summary>The exact bytes of <c>manifest.json</c>: RFC 8785 canonical JSON, UTF-8, no trailing newline.</summary>
    public byte[] ToCanonicalBytes() => CanonicalJson.Serialize(ToJson());

    /// <summary>Reads a manifest this format describes; throws <see cref="FormatException"/> naming the field that is missing or of the wrong kind.</summary>
    public static PackageManifest Parse(ReadOnlySpan<byte> utf8)
    {
        var root = new ManifestReader(StrictJson.Parse(utf8) as JsonObject ?? throw new FormatException("the manifest is not a JSON object"), "manifest");
        if (root.Text("format") != FormatName || root.Integer("version") != FormatVersion)
        {
            throw new FormatException($"the manifest is not {FormatName} version {FormatVersion}");
        }

        var manifest = new PackageManifest
        {
            PackageId = root.Text("packageId"),
            ReportId = root.Text("reportId"),
            CreatedAt = root.Time("createdAt"),
            CreatedBy = ManifestActor.Read(root.Object("createdBy")),
            Case = new ManifestCase(root.Object("case").Text("id"), root.Object("case").Text("title")),
            Queries = root.Objects("queries").Select(ManifestQuery.Read).ToList(),
            Evidence = root.Objects("evidence").Select(ManifestEvidenceFile.Read).ToList(),
            Segments = root.Objects("segments").Select(ManifestSourceSegment.Read).ToList(),
            Tool = ManifestTool.Read(root.Object("tool")),
            Store = ManifestStore.Read(root.Object("store")),
            Files = root.Json.ContainsKey("files") ? root.Objects("files").Select(ManifestTransferredFile.Read).ToList() : [],
        };
        if (root.Json.ContainsKey("files") && manifest.Files.Count == 0)
        {
            // One spelling only: a package without transferred files has no files member.
            throw new FormatException("manifest.files is empty: it is left out when the package carries no transferred file");
        }

        return root.Boolean("partial") == manifest.Partial
            ? manifest
            : throw new FormatException("manifest.partial contradicts queries[].partial");
    }
}

/// <summary>Who built the package: the ledger actor's kind text, name and host.</summary>
internal sealed record ManifestActor(string Kind, string Name, string Host)
{
    /// <summary>Reads <c>createdBy</c>.</summary>
    public static ManifestActor Read(ManifestReader json) => new(json.Text("kind"), json.Text("name"), json.Text("host"));
}

/// <summary>The case id and the report's title.</summary>
internal sealed record ManifestCase(string Id, string Title);

/// <summary>The tool as the report names it: its version and the source revision it was built from.</summary>
internal sealed record ManifestTool(string Name, string Version, string SourceRevision)
{
    /// <summary>Reads <c>tool</c>.</summary>
    public static ManifestTool Read(ManifestReader json) => new(json.Text("name"), json.Text("version"), json.Text("sourceRevision"));
}

/// <summary>The store: its id and its public key's algorithm and fingerprint (SHA-256 over SubjectPublicKeyInfo DER).</summary>
internal sealed record ManifestStore(string StoreId, string PublicKeyAlgorithm, string PublicKeyFingerprint)
{
    /// <summary>Reads <c>store</c>.</summary>
    public static ManifestStore Read(ManifestReader json) => new(json.Text("storeId"), json.Text("publicKeyAlgorithm"), json.Text("publicKeyFingerprint"));
}

/// <summary>One query of the package as its ledger entries recorded it.</summary>
/// <param name="QueryId">Its id.</param>
/// <param name="Filter">The filter as submitted (the <c>query.submitted</c> entry's <c>details.filter</c>).</param>
/// <param name="Description">The filter in words.</param>
/// <param name="Requester">Who submitted it, <c>name@host</c>.</param>
/// <param name="Reason">Why it was submitted.</param>
/// <param name="SubmittedAt">When it was submitted.</param>
/// <param name="CompletedAt">When its extraction was recorded.</param>
/// <param name="SubmittedSeq">Ledger sequence number of its <c>query.submitted</c> entry.</param>
/// <param name="ExtractionSeq">Ledger sequence number of its <c>extraction.written</c> entry.</param>
/// <param name="Partial">Its extraction is not the complete answer.</param>
/// <param name="SegmentsLeftOut">The segments it could not read, with why.</param>
internal sealed record ManifestQuery(
    string QueryId,
    JsonObject Filter,
    string Description,
    string Requester,
    string Reason,
    Timestamp SubmittedAt,
    Timestamp CompletedAt,
    long SubmittedSeq,
    long ExtractionSeq,
    bool Partial,
    IReadOnlyList<LeftOutSegment> SegmentsLeftOut)
{
    /// <summary>The <c>queries[]</c> entry.</summary>
    public JsonObject ToJson() => new()
    {
        ["queryId"] = QueryId,
        ["filter"] = Filter.DeepClone(),
        ["description"] = Description,
        ["requester"] = Requester,
        ["reason"] = Reason,
        ["submittedAt"] = SubmittedAt.ToString(),
        ["completedAt"] = CompletedAt.ToString(),
        ["submittedSeq"] = SubmittedSeq,
        ["extractionSeq"] = ExtractionSeq,
        ["partial"] = Partial,
        ["segmentsLeftOut"] = new JsonArray(SegmentsLeftOut.Select(s => (JsonNode)new JsonObject { ["segment"] = s.Segment, ["reason"] = s.Reason }).ToArray()),
    };

    /// <summary>Reads a <c>queries[]</c> entry.</summary>
    public static ManifestQuery Read(ManifestReader json) => new(
        json.Text("queryId"),
        json.Object("filter").Json,
        json.Text("description"),
        json.Text("requester"),
        json.Text("reason"),
        json.Time("submittedAt"),
        json.Time("completedAt"),
        json.Integer("submittedSeq"),
        json.Integer("extractionSeq"),
        json.Boolean("partial"),
        json.Objects("segmentsLeftOut").Select(s => new LeftOutSegment(s.Integer("segment"), s.Text("reason"))).ToList());
}

/// <summary>One evidence file: where it is in the package, what it holds, and its hashes (lower-case hex).</summary>
/// <param name="File">Its path inside the package.</param>
/// <param name="QueryId">The query that extracted it.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Packets">Its packet count.</param>
/// <param name="FirstTimestamp">Its first packet's time; null when it holds no packet.</param>
/// <param name="LastTimestamp">Its last packet's time; null when it holds no packet.</param>
/// <param name="LinkTypes">The LINKTYPE_ values present.</param>
/// <param name="Sha256">SHA-256 of the file (the one the ledger recorded when it was written).</param>
/// <param name="Sha1">SHA-1 of the file.</param>
/// <param name="Md5">MD5 of the file.</param>
internal sealed record ManifestEvidenceFile(
    string File,
    string QueryId,
    long Bytes,
    long Packets,
    Timestamp? FirstTimestamp,
    Timestamp? LastTimestamp,
    IReadOnlyList<int> LinkTypes,
    string Sha256,
    string Sha1,
    string Md5)
{
    /// <summary>
    /// The TLS decryption secrets the file carries, as its <c>extraction.written</c> entry recorded
    /// them; null (and no <c>decryptionSecrets</c> member) for an extraction recorded before key logs
    /// existed, so manifests of such packages keep their bytes.
    /// </summary>
    public ManifestSecrets? DecryptionSecrets { get; init; }

    /// <summary>The <c>evidence[]</c> entry.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["file"] = File,
            ["queryId"] = QueryId,
            ["bytes"] = Bytes,
            ["packets"] = Packets,
            ["firstTimestamp"] = FirstTimestamp?.ToString(),
            ["lastTimestamp"] = LastTimestamp?.ToString(),
            ["linkTypes"] = new JsonArray(LinkTypes.Select(l => (JsonNode)l).ToArray()),
            ["sha256"] = Sha256,
            ["sha1"] = Sha1,
            ["md5"] = Md5,
        };
        if (DecryptionSecrets is not null)
        {
            json["decryptionSecrets"] = DecryptionSecrets.ToJson();
        }

        return json;
    }

    /// <summary>Reads an <c>evidence[]</c> entry.</summary>
    public static ManifestEvidenceFile Read(ManifestReader json) => new(
        json.Text("file"),
        json.Text("queryId"),
        json.Integer("bytes"),
        json.Integer("packets"),
        json.TimeOrNull("firstTimestamp"),
        json.TimeOrNull("lastTimestamp"),
        json.Integers("linkTypes").Select(l => checked((int)l)).ToList(),
        json.Text("sha256"),
        json.Text("sha1"),
        json.Text("md5"))
    {
        DecryptionSecrets = json.Json["decryptionSecrets"] is JsonObject ? ManifestSecrets.Read(json.Object("decryptionSecrets")) : null,
    };
}

/// <summary>The TLS decryption secrets an evidence file carries (pcapng Decryption Secrets Blocks), by label and by key log.</summary>
/// <param name="Count">Secret lines in the file.</param>
/// <param name="Labels">Secrets per label (CLIENT_RANDOM, CLIENT_TRAFFIC_SECRET_0, …).</param>
/// <param name="KeyLogs">Secrets per stored key log, by the key log's SHA-256 (its <c>keylog.imported</c> entry records it).</param>
/// <param name="NotCarried">Matching secrets the file's format (classic pcap) could not carry.</param>
internal sealed record ManifestSecrets(long Count, IReadOnlyDictionary<string, long> Labels, IReadOnlyList<(string Sha256, long Secrets)> KeyLogs, long NotCarried)
{
    /// <summary>The <c>decryptionSecrets</c> object.</summary>
    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["labels"] = new JsonObject(Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
        ["keyLogs"] = new JsonArray(KeyLogs.Select(k => (JsonNode)new JsonObject { ["sha256"] = k.Sha256, ["secrets"] = k.Secrets }).ToArray()),
        ["notCarried"] = NotCarried,
    };

    /// <summary>Reads a <c>decryptionSecrets</c> object.</summary>
    public static ManifestSecrets Read(ManifestReader json)
    {
        var labels = json.Object("labels");
        return new ManifestSecrets(
            json.Integer("count"),
            labels.Json.ToDictionary(p => p.Key, p => labels.Integer(p.Key), StringComparer.Ordinal),
            json.Objects("keyLogs").Select(k => (k.Text("sha256"), k.Integer("secrets"))).ToList(),
            json.Integer("notCarried"));
    }

    /// <summary>The secrets an <c>extraction.written</c> entry's <c>details.secrets</c> records; null when it records none (written before key logs existed).</summary>
    public static ManifestSecrets? FromLedger(JsonNode? secrets)
    {
        if (secrets is not JsonObject recorded)
        {
            return null;
        }

        // The ledger's object holds the manifest's members (and more: enabled, connections, …).
        return Read(new ManifestReader(recorded, "extraction.written details.secrets"));
    }

    /// <summary>One line for people (VERIFY.txt).</summary>
    public string Describe() => Count == 0
        ? "no decryption secret" + (NotCarried > 0 ? $" ({NotCarried} matching secret(s) not carried: classic pcap has no place for them)" : string.Empty)
        : $"{Count} TLS decryption secret(s) ({string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Value} {l.Key}"))}) " +
          $"from key log(s) {string.Join(", ", KeyLogs.Select(k => $"{k.Sha256} ({k.Secrets})"))}";
}

/// <summary>One source segment as sealed, and the result of re-checking it while packaging.</summary>
/// <param name="Id">The segment id.</param>
/// <param name="FirstTimestamp">Its first packet's time.</param>
/// <param name="LastTimestamp">Its last packet's time.</param>
/// <param name="Packets">Its packet count.</param>
/// <param name="Sha256">SHA-256 of its file as sealed.</param>
/// <param name="ManifestSha256">SHA-256 of its segment manifest (docs/segment-manifest.md).</param>
/// <param name="Origin">Its origin's <c>kind</c> (<c>import</c>, <c>capture</c>); null when the segment manifest names none.</param>
/// <param name="SignatureVerified">Its manifest signature verified with the store key (always true: a segment that fails refuses the package).</param>
/// <param name="RecomputedSha256">SHA-256 of its file computed again while packaging (always equal to <paramref name="Sha256"/>).</param>
internal sealed record ManifestSourceSegment(
    long Id,
    Timestamp FirstTimestamp,
    Timestamp LastTimestamp,
    long Packets,
    string Sha256,
    string ManifestSha256,
    string? Origin,
    bool SignatureVerified,
    string RecomputedSha256)
{
    /// <summary>The <c>segments[]</c> entry.</summary>
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["firstTimestamp"] = FirstTimestamp.ToString(),
        ["lastTimestamp"] = LastTimestamp.ToString(),
        ["packets"] = Packets,
        ["sha256"] = Sha256,
        ["manifestSha256"] = ManifestSha256,
        ["origin"] = Origin,
        ["signatureVerified"] = SignatureVerified,
        ["recomputedSha256"] = RecomputedSha256,
    };

    /// <summary>Reads a <c>segments[]</c> entry.</summary>
    public static ManifestSourceSegment Read(ManifestReader json) => new(
        json.Integer("id"),
        json.Time("firstTimestamp"),
        json.Time("lastTimestamp"),
        json.Integer("packets"),
        json.Text("sha256"),
        json.Text("manifestSha256"),
        json.TextOrNull("origin"),
        json.Boolean("signatureVerified"),
        json.Text("recomputedSha256"));
}
