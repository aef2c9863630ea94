using System.Text.Json.Nodes;
using Recorder.Ledger.Entries;
using Recorder.Reporting.Model;
using Recorder.Storage.Segments;

namespace Recorder.Application.Packaging;

/// <summary>
/// The package's facts in the CASE/UCO ontology (JSON-LD), in the manner of the CASE project's
/// examples: an Investigation for the case; the tool; the people; for each query an
/// InvestigativeAction (performer, instrument, object = the sealed segments, result = the evidence
/// file and its provenance record); each custody entry as an action; files as ObservableObjects
/// with FileFacet and ContentDataFacet hashes (SHA-256, SHA-1, MD5).
/// </summary>
internal static class CaseJsonLd
{
    // JsonArray.Add<T>, which a JsonObject argument binds to, is marked as needing reflection (the
    // native CLI has none); Add(JsonNode) is not.
    private static void Append(JsonArray array, JsonNode node) => array.Add(node);

    public static JsonObject Build(ReportModel model, JsonObject manifest, IReadOnlyList<SealedSegment> segments, IReadOnlyList<LedgerEntry> custody, string packageId)
    {
        var graph = new JsonArray();
        var tool = $"kb:tool-recorder-{model.Tool.Version}";
        Append(graph, new JsonObject
        {
            ["@id"] = tool,
            ["@type"] = "uco-tool:Tool",
            ["uco-core:name"] = model.Tool.Name,
            ["uco-tool:version"] = $"{model.Tool.Version} ({model.Tool.SourceRevision})",
            ["uco-tool:toolType"] = "Network capture, evidence store and extraction",
        });
        var people = new Dictionary<string, string>();
        string Person(string name)
        {
            if (!people.TryGetValue(name, out var id))
            {
                id = $"kb:identity-{people.Count + 1}";
                people[name] = id;
                Append(graph, new JsonObject { ["@id"] = id, ["@type"] = "uco-identity:Identity", ["uco-core:name"] = name });
            }

            return id;
        }

        var segmentIds = new List<string>();
        foreach (var segment in segments)
        {
            var id = $"kb:segment-{segment.Id}";
            segmentIds.Add(id);
            Append(graph, File(id, segment.Manifest.File, segment.Manifest.Bytes, [("SHA256", segment.Manifest.Sha256)],
                $"Sealed segment {segment.Id} ({segment.Manifest.Packets} packets, {segment.Manifest.FirstTimestamp} to {segment.Manifest.LastTimestamp})"));
        }

        var evidence = manifest["evidence"]!.AsArray();
        var fileIds = new List<string>();
        var exhibit = 0;
        foreach (var file in model.Files)
        {
            var fileId = $"kb:evidence-{++exhibit}";
            fileIds.Add(fileId);
            Append(graph, File(fileId, file.Name, file.SizeBytes, [("SHA256", file.Sha256), ("SHA1", file.Sha1), ("MD5", file.Md5)],
                $"{file.Packets} packets captured from {file.FirstPacket} to {file.LastPacket}"));
            var queryId = evidence.Select(e => e!.AsObject()).First(e => e["file"]!.GetValue<string>() == file.Name)["queryId"]!.GetValue<string>();
            var query = model.Queries.First(q => q.QueryId == queryId);
            var provenance = $"kb:provenance-record-{exhibit}";
            Append(graph, new JsonObject
            {
                ["@id"] = provenance,
                ["@type"] = "case-investigation:ProvenanceRecord",
                ["case-investigation:exhibitNumber"] = $"{model.Case.Id}-{exhibit}",
                ["uco-core:description"] = $"Extraction of query {queryId} ({query.Filter}) for case {model.Case.Id}",
                ["uco-core:object"] = new JsonArray(new JsonObject { ["@id"] = fileId }),
            });
            Append(graph, new JsonObject
            {
                ["@id"] = $"kb:investigative-action-query-{queryId}",
                ["@type"] = "case-investigation:InvestigativeAction",
                ["uco-core:name"] = "Extraction of network packets",
                ["uco-core:description"] = $"Filter: {query.Filter}. Reason: {query.Reason}",
                ["uco-action:startTime"] = DateTime(query.SubmittedAt.ToString()),
                ["uco-action:endTime"] = query.CompletedAt is null ? null : DateTime(query.CompletedAt.Value.ToString()),
                ["uco-action:performer"] = new JsonObject { ["@id"] = Person(query.Requester) },
                ["uco-action:instrument"] = new JsonObject { ["@id"] = tool },
                ["uco-action:object"] = new JsonArray(segmentIds.Select(id => (JsonNode)new JsonObject { ["@id"] = id }).ToArray()),
                ["uco-action:result"] = new JsonArray(new JsonObject { ["@id"] = fileId }, new JsonObject { ["@id"] = provenance }),
            });
        }

        foreach (var entry in custody)
        {
            Append(graph, new JsonObject
            {
                ["@id"] = $"kb:custody-entry-{entry.Seq}",
                ["@type"] = "case-investigation:InvestigativeAction",
                ["uco-core:name"] = entry.Action,
                ["uco-core:description"] = $"Custody ledger entry {entry.Seq} (SHA-256 {entry.Hash})",
                ["uco-action:startTime"] = DateTime(entry.Time.ToString()),
                ["uco-action:performer"] = new JsonObject { ["@id"] = Person($"{entry.Actor.Name}@{entry.Actor.Host}") },
                ["uco-action:instrument"] = new JsonObject { ["@id"] = tool },
            });
        }

        Append(graph, new JsonObject
        {
            ["@id"] = $"kb:investigation-{model.Case.Id}",
            ["@type"] = "case-investigation:Investigation",
            ["uco-core:name"] = model.Case.Id,
            ["uco-core:description"] = model.Case.Title,
            ["case-investigation:focus"] = model.Request.Reason,
            ["uco-core:object"] = new JsonArray(fileIds.Select(id => (JsonNode)new JsonObject { ["@id"] = id }).ToArray()),
        });

        return new JsonObject
        {
            ["@context"] = new JsonObject
            {
                ["kb"] = $"urn:recorder:package:{packageId}:",
                ["case-investigation"] = "https://ontology.caseontology.org/case/investigation/",
                ["uco-action"] = "https://ontology.unifiedcyberontology.org/uco/action/",
                ["uco-core"] = "https://ontology.unifiedcyberontology.org/uco/core/",
                ["uco-identity"] = "https://ontology.unifiedcyberontology.org/uco/identity/",
                ["uco-observable"] = "https://ontology.unifiedcyberontology.org/uco/observable/",
                ["uco-tool"] = "https://ontology.unifiedcyberontology.org/uco/tool/",
                ["uco-types"] = "https://ontology.unifiedcyberontology.org/uco/types/",
                ["uco-vocabulary"] = "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
                ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
            },
            ["@graph"] = graph,
        };
    }

    private static JsonObject File(string id, string name, long size, IEnumerable<(string Method, string Value)> hashes, string description) => new()
    {
        ["@id"] = id,
        ["@type"] = "uco-observable:File",
        ["uco-core:description"] = description,
        ["uco-core:hasFacet"] = new JsonArray(
            new JsonObject
            {
                ["@type"] = "uco-observable:FileFacet",
                ["uco-observable:fileName"] = name,
                ["uco-observable:sizeInBytes"] = new JsonObject { ["@type"] = "xsd:integer", ["@value"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            new JsonObject
            {
                ["@type"] = "uco-observable:ContentDataFacet",
                ["uco-observable:hash"] = new JsonArray(hashes.Select(h => (JsonNode)new JsonObject
                {
                    ["@type"] = "uco-types:Hash",
                    ["uco-types:hashMethod"] = new JsonObject { ["@type"] = "uco-vocabulary:HashNameVocab", ["@value"] = h.Method },
                    ["uco-types:hashValue"] = new JsonObject { ["@type"] = "xsd:hexBinary", ["@value"] = h.Value.ToUpperInvariant() },
                }).ToArray()),
            }),
    };

    private static JsonObject DateTime(string value) => new() { ["@type"] = "xsd:dateTime", ["@value"] = value };
}
