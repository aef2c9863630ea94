using System.Globalization;
using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Standards;

/// <summary>
/// A real package's case.jsonld, for a case id full of characters that break naive IRIs, conforms to
/// the UCO 1.4.0 and CASE 1.4.0 SHACL shapes shipped in <c>Standards/Shacl/shapes</c>, checked by
/// <c>Standards/Shacl/validate.mjs</c> (jsonld.js, rdf-validate-shacl, Comunica for UCO's SPARQL
/// constraints; the ontology is merged into the data graph as case-utils' validator does).
/// </summary>
public sealed class CaseJsonLdShaclTests : IClassFixture<CaseJsonLdShaclTests.BuiltPackage>
{
    /// <summary>Spaces, both quote kinds, a backslash, non-ASCII letters and an en dash.</summary>
    public const string AwkwardCaseId = "Case \"Smith\\Jones\" 'Zoë' – №7";

    private const string InvestigationType = "https://ontology.caseontology.org/case/investigation/Investigation";
    private readonly BuiltPackage _package;

    public CaseJsonLdShaclTests(BuiltPackage package) => _package = package;

    [SkippableFact]
    public void CaseJsonLd_OfARealPackage_ConformsToUco140AndCase140()
    {
        var report = _package.Validated();

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(report.Json["conforms"]!.GetValue<bool>(), report.ToString());
        Assert.Empty(report.Json["results"]!.AsArray());
        Assert.True(report.Json["lossless"]!.GetValue<bool>(), report.ToString());

        // Not vacuous: the document's triples were there and UCO's SPARQL constraints ran on its nodes.
        Assert.True(report.Json["dataTriples"]!.GetValue<int>() > 50, report.ToString());
        Assert.True(report.Json["sparqlDocumentFocusNodes"]!.GetValue<int>() > 20, report.ToString());
    }

    [SkippableFact]
    public void CaseJsonLd_InvestigationNode_SurvivesJsonLdExpansion_NamedByTheCaseId()
    {
        var report = _package.Validated();

        var investigations = report.Json["expandedNodes"]!.AsArray()
            .Where(n => n!["types"]!.AsArray().Any(t => t!.GetValue<string>() == InvestigationType))
            .ToArray();
        var investigation = Assert.Single(investigations);
        Assert.Equal(AwkwardCaseId, investigation!["name"]!.GetValue<string>());
        Assert.Matches("^urn:recorder:package:[0-9a-f-]{36}:investigation-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            investigation["id"]!.GetValue<string>());
    }

    /// <summary>
    /// The validator is not vacuous: the defects the old writer had are each found, by the engine
    /// that should find them (SHACL-SPARQL and SHACL Core for blank-node facets and hashes, SHACL
    /// Core for the hashMethod datatype).
    /// </summary>
    [SkippableFact]
    public void Validator_OnTheOldWritersBlankNodesAndHashMethod_ReportsEachDefect()
    {
        var document = JsonNode.Parse(File.ReadAllText(_package.CaseJsonLd))!;
        var files = document["@graph"]!.AsArray().Where(n => n!["@type"]!.GetValue<string>() == "uco-observable:File").ToArray();
        Assert.True(files.Length >= 2, "a segment and an evidence file");
        files[0]!["uco-core:hasFacet"]![1]!.AsObject().Remove("@id");
        var hash = files[1]!["uco-core:hasFacet"]![1]!["uco-observable:hash"]![0]!.AsObject();
        hash.Remove("@id");
        hash["uco-types:hashMethod"] = new JsonObject { ["@type"] = "uco-vocabulary:HashNameVocab", ["@value"] = "SHA256" };

        var report = Validator.Run(_package.Write("broken-blank-nodes.jsonld", document));

        Assert.True(report.ExitCode == 1, report.ToString());
        Assert.False(report.Json["conforms"]!.GetValue<bool>(), report.ToString());
        var results = report.Json["results"]!.AsArray().Select(r => (
            Engine: r!["engine"]!.GetValue<string>(), Severity: r["severity"]!.GetValue<string>(), Message: r["message"]?.GetValue<string>() ?? string.Empty)).ToArray();
        Assert.Equal(2, results.Count(r => r is { Engine: "shacl-sparql", Severity: "Violation", Message: "UcoThings are required to not be blank nodes." }));
        Assert.Contains(results, r => r.Engine == "shacl-core" && r.Message.StartsWith("As of UCO 1.4.0, the datatype to use for types:hashMethod should be xsd:string.", StringComparison.Ordinal));
        Assert.Equal(2, results.Count(r => r is { Engine: "shacl-core", Severity: "Violation" } && r.Message.Contains("node kind", StringComparison.Ordinal)));
    }

    /// <summary>The old writer put the case id in the Investigation's @id; expansion in safe mode rejects it.</summary>
    [SkippableFact]
    public void Validator_OnACaseIdInTheInvestigationsId_ReportsTheExpansionLoss()
    {
        var document = JsonNode.Parse(File.ReadAllText(_package.CaseJsonLd))!;
        document["@graph"]!.AsArray().First(n => n!["@type"]!.GetValue<string>() == "case-investigation:Investigation")!["@id"] = $"kb:investigation-{AwkwardCaseId}";

        var report = Validator.Run(_package.Write("broken-investigation-id.jsonld", document));

        Assert.True(report.ExitCode == 1, report.ToString());
        Assert.False(report.Json["lossless"]!.GetValue<bool>(), report.ToString());
        Assert.False(string.IsNullOrEmpty(report.Json["expansionError"]?.GetValue<string>()), report.ToString());
    }

    /// <summary>One package, built once through the real CLI, for every test of the class.</summary>
    public sealed class BuiltPackage : IDisposable
    {
        private readonly TempDirectory _directory = new("recorder-case-shacl");

        public BuiltPackage()
        {
            var (sample, truth) = Cli.Sample(_directory, packets: 2000);
            var store = _directory.File("store");
            var imported = Cli.Run("--store", store, "import", sample);
            Assert.True(imported.ExitCode == 0, imported.ToString());
            var needle = truth.Needles[0];
            var query = Cli.Run("--store", store, "query", "--host", needle.Query.Hosts[0], "--port", needle.Query.Ports[0].ToString(CultureInfo.InvariantCulture),
                "--out", _directory.File("needle.pcap"), "--case", AwkwardCaseId, "--reason", "a reason with \"quotes\" and a \\ backslash", "--json");
            Assert.True(query.ExitCode == 0, query.ToString());
            var package = _directory.File("package");
            var built = Cli.Run("--store", store, "package", "--query", query.Json["queryId"]!.GetValue<string>(), "--file-extraction", TransferredFile(store),
                "--out", package, "--title", "Zoë's \"exfiltration\"");
            Assert.True(built.ExitCode == 0, built.ToString());
            CaseJsonLd = Path.Combine(package, "case.jsonld");
        }

        private Validator.Report? _validated;

        /// <summary>A transferred file (an HTTP download) extracted for the case, so the graph holds a transferred file and its extraction too; returns the extraction id.</summary>
        private string TransferredFile(string store)
        {
            var body = "%PDF-1.7\n"u8.ToArray().Concat(Enumerable.Range(0, 5000).Select(i => (byte)(i * 7 % 256))).ToArray();
            var capture = _directory.File("download.pcap");
            SyntheticTcpCapture.Write(capture,
            [
                (true, System.Text.Encoding.ASCII.GetBytes("GET /q3.pdf HTTP/1.1\r\nHost: files.example.com\r\n\r\n")),
                (false, [.. System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]),
            ]);
            var imported = Cli.Run("--store", store, "import", "--sessions", capture);
            Assert.True(imported.ExitCode == 0, imported.ToString());
            var extracted = Cli.Run("--store", store, "files", "extract", "--sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)),
                "--case", AwkwardCaseId, "--reason", "a reason with \"quotes\"", "--out", _directory.File("extracted"), "--json");
            Assert.True(extracted.ExitCode == 0, extracted.ToString());
            return extracted.Json["extractionId"]!.GetValue<string>();
        }

        public string CaseJsonLd { get; }

        /// <summary>The validator's report on the package's own case.jsonld (run once: it takes a while).</summary>
        internal Validator.Report Validated() => _validated ??= Validator.Run(CaseJsonLd);

        /// <summary>Writes a variant of the document beside the package; returns its path.</summary>
        public string Write(string name, JsonNode document)
        {
            var path = _directory.File(name);
            File.WriteAllText(path, document.ToJsonString());
            return path;
        }

        public void Dispose() => _directory.Dispose();
    }
}
