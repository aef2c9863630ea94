using System.Text.Json.Nodes;
using Recorder.Core.Json;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Reporting.Model;
using Recorder.Storage.Segments;

namespace Recorder.Application.Packaging;

/// <summary>
/// The package's facts in the CASE/UCO ontology (JSON-LD), in the manner of the CASE project's
/// examples: an Investigation for the case; the tool; the people; for each query an
/// InvestigativeAction (performer, instrument, object = the sealed segments, result = the evidence
/// file and its provenance record); each custody entry as an action; files as ObservableObjects
/// with FileFacet and ContentDataFacet hashes (SHA-256, SHA-1, MD5). Conforms to the UCO 1.4.0 and
/// CASE 1.4.0 SHACL shapes (checked by the tests): every node, facet and hash has a minted IRI
/// (<see cref="CaseIris"/>), never a blank node and never one built from user text; hash methods are
/// <c>xsd:string</c> as UCO 1.4.0 asks; a file's place in the package is its <c>filePath</c>.
/// </summary>
internal static class CaseJsonLd
{
    // JsonArray.Add<T>, which a JsonObject argument binds to, is marked as needing reflection (the
    // native CLI has none); Add(JsonNode) is not.
    private static void Append(JsonArray array, JsonNode node) => array.Add(node);

    public static JsonObject Build(ReportModel model, JsonObject manifest, IReadOnlyList<SealedSegment> segments, IReadOnlyList<LedgerEntry> custody, string packageId)
    {
        var graph = new JsonArray();
        var iris = new CaseIris(Guid.Parse(packageId));
        var tool = iris.Mint("tool", $"{model.Tool.Name} {model.Tool.Version} {model.Tool.SourceRevision}");
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
                id = iris.Mint("identity", name);
                people[name] = id;
                Append(graph, new JsonObject { ["@id"] = id, ["@type"] = "uco-identity:Identity", ["uco-core:name"] = name });
            }

            return id;
        }

        var segmentIds = new List<string>();
        foreach (var segment in segments)
        {
            var id = iris.Mint("segment", segment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            segmentIds.Add(id);
            Append(graph, File(iris, id, segment.Manifest.File, segment.Manifest.Bytes, [("SHA256", segment.Manifest.Sha256)],
                $"Sealed segment {segment.Id} ({segment.Manifest.Packets} packets, {segment.Manifest.FirstTimestamp} to {segment.Manifest.LastTimestamp})"));
        }

        var evidence = manifest["evidence"]!.AsArray();
        var fileIds = new List<string>();
        var exhibit = 0;
        foreach (var file in model.Files)
        {
            var fileId = iris.Mint("evidence", file.Name);
            ++exhibit;
            fileIds.Add(fileId);
            Append(graph, File(iris, fileId, file.Name, file.SizeBytes, [("SHA256", file.Sha256), ("SHA1", file.Sha1), ("MD5", file.Md5)],
                $"{file.Packets} packets captured from {file.FirstPacket} to {file.LastPacket}"));
            var queryId = evidence.Select(e => e!.AsObject()).First(e => e["file"]!.GetValue<string>() == file.Name)["queryId"]!.GetValue<string>();
            var query = model.Queries.First(q => q.QueryId == queryId);
            var provenance = iris.Mint("provenance-record", file.Name);
            Append(graph, new JsonObject
            {
                ["@id"] = provenance,
                ["@type"] = "case-investigation:ProvenanceRecord",
                ["case-investigation:exhibitNumber"] = $"{model.Case.Id}-{exhibit}",
                ["uco-core:description"] = $"Extraction of query {queryId} ({query.Filter}) for case {model.Case.Id}",
                ["uco-core:object"] = new JsonArray(new JsonObject { ["@id"] = fileId }),
            });
            var extraction = new JsonObject
            {
                ["@id"] = iris.Mint("investigative-action-query", queryId),
                ["@type"] = "case-investigation:InvestigativeAction",
                ["uco-core:name"] = "Extraction of network packets",
                ["uco-core:description"] = $"Filter: {query.Filter}. Reason: {query.Reason}",
                ["uco-action:startTime"] = DateTime(query.SubmittedAt.ToString()),
                ["uco-action:performer"] = new JsonObject { ["@id"] = Person(query.Requester) },
                ["uco-action:instrument"] = new JsonObject { ["@id"] = tool },
                ["uco-action:object"] = new JsonArray(segmentIds.Select(id => (JsonNode)new JsonObject { ["@id"] = id }).ToArray()),
                ["uco-action:result"] = new JsonArray(new JsonObject { ["@id"] = fileId }, new JsonObject { ["@id"] = provenance }),
            };

            // An extraction still running has no end: the property is left out, not written as null.
            if (query.CompletedAt is { } completed)
            {
                extraction["uco-action:endTime"] = DateTime(completed.ToString());
            }

            Append(graph, extraction);
        }

        fileIds.AddRange(TransferredFiles(graph, iris, model, custody, tool, Person));

        foreach (var entry in custody)
        {
            Append(graph, new JsonObject
            {
                ["@id"] = iris.Mint("custody-entry", entry.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
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
            ["@id"] = iris.Mint("investigation", model.Case.Id),
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

    /// <summary>
    /// Each transferred file as a File with its hashes, and the audited extraction that wrote it as an
    /// InvestigativeAction (object: the segment whose packets held it; result: the file); returns the files' ids.
    /// </summary>
    private static List<string> TransferredFiles(JsonArray graph, CaseIris iris, ReportModel model, IReadOnlyList<LedgerEntry> custody, string tool,
        Func<string, string> person)
    {
        var ids = new List<string>();
        foreach (var file in model.TransferredFiles)
        {
            var fileId = iris.Mint("transferred-file", file.Name);
            ids.Add(fileId);
            Append(graph, File(iris, fileId, file.Name, file.SizeBytes, [("SHA256", file.Sha256), ("SHA1", file.Sha1), ("MD5", file.Md5)],
                $"{file.Type} file transferred by {file.Protocol} ({file.Direction}) in session {file.SessionId} of segment {file.SegmentId}"));
            var entry = custody.First(e => e.Action == LedgerActions.FilesExtracted && StrictJson.Text(e.Subjects["extractionId"]) == file.ExtractionId);
            var extraction = new JsonObject
            {
                ["@id"] = iris.Mint("investigative-action-file", file.ExtractionId),
                ["@type"] = "case-investigation:InvestigativeAction",
                ["uco-core:name"] = "Extraction of a transferred file",
                ["uco-core:description"] = $"Extraction {file.ExtractionId} of the file with SHA-256 {file.Sha256} from its packets (custody ledger entry {entry.Seq}). Reason: {entry.Reason}",
                ["uco-action:startTime"] = DateTime(entry.Time.ToString()),
                ["uco-action:performer"] = new JsonObject { ["@id"] = person($"{entry.Actor.Name}@{entry.Actor.Host}") },
                ["uco-action:instrument"] = new JsonObject { ["@id"] = tool },
                ["uco-action:result"] = new JsonArray(new JsonObject { ["@id"] = fileId }),
            };
            extraction["uco-action:object"] = new JsonArray(new JsonObject
            {
                ["@id"] = iris.Mint("segment", file.SegmentId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            });
            Append(graph, extraction);
        }

        return ids;
    }

    private static JsonObject File(CaseIris iris, string id, string path, long size, IEnumerable<(string Method, string Value)> hashes, string description) => new()
    {
        ["@id"] = id,
        ["@type"] = "uco-observable:File",
        ["uco-core:description"] = description,
        ["uco-core:hasFacet"] = new JsonArray(
            new JsonObject
            {
                ["@id"] = iris.Mint("file-facet", id),
                ["@type"] = "uco-observable:FileFacet",
                ["uco-observable:fileName"] = path[(path.LastIndexOf('/') + 1)..],
                ["uco-observable:filePath"] = path,
                ["uco-observable:sizeInBytes"] = new JsonObject { ["@type"] = "xsd:integer", ["@value"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            new JsonObject
            {
                ["@id"] = iris.Mint("content-data-facet", id),
                ["@type"] = "uco-observable:ContentDataFacet",
                ["uco-observable:hash"] = new JsonArray(hashes.Select(h => (JsonNode)new JsonObject
                {
                    ["@id"] = iris.Mint("hash", $"{id} {h.Method}"),
                    ["@type"] = "uco-types:Hash",

                    // UCO 1.4.0 types hashMethod as xsd:string (HashNameVocab is deprecated and an
                    // error from 2.0.0); the values stay those of the vocabulary.
                    ["uco-types:hashMethod"] = h.Method,
                    ["uco-types:hashValue"] = new JsonObject { ["@type"] = "xsd:hexBinary", ["@value"] = h.Value.ToUpperInvariant() },
                }).ToArray()),
            }),
    };

    private static JsonObject DateTime(string value) => new() { ["@type"] = "xsd:dateTime", ["@value"] = value };
}
