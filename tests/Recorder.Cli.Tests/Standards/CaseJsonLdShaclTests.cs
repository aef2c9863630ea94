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
        var report = Validator.Run(_package.CaseJsonLd);

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(report.Json["conforms"]!.GetValue<bool>(), report.ToString());
        Assert.Empty(report.Json["results"]!.AsArray());
        Assert.True(report.Json["lossless"]!.GetValue<bool>(), report.ToString());

        // Not vacuous: the document's triples were there and UCO's SPARQL constraints ran on them.
        Assert.True(report.Json["dataTriples"]!.GetValue<int>() > 100, report.ToString());
        Assert.True(report.Json["sparqlEvaluations"]!.GetValue<int>() > 50, report.ToString());
    }

    [SkippableFact]
    public void CaseJsonLd_InvestigationNode_SurvivesJsonLdExpansion_NamedByTheCaseId()
    {
        var report = Validator.Run(_package.CaseJsonLd);

        var investigations = report.Json["expandedNodes"]!.AsArray()
            .Where(n => n!["types"]!.AsArray().Any(t => t!.GetValue<string>() == InvestigationType))
            .ToArray();
        var investigation = Assert.Single(investigations);
        Assert.Equal(AwkwardCaseId, investigation!["name"]!.GetValue<string>());
        Assert.Matches("^urn:recorder:package:[0-9a-f-]{36}:investigation-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            investigation["id"]!.GetValue<string>());
    }

    /// <summary>
    /// The validator is not vacuous: each defect the old writer had is found, by the engine that
    /// should find it (SHACL-SPARQL for blank-node UcoThings, SHACL Core for the hashMethod datatype,
    /// safe-mode expansion for an @id that is not an IRI).
    /// </summary>
    [SkippableTheory]
    [InlineData("blank-facet", "shacl-sparql", "UcoThings are required to not be blank nodes.")]
    [InlineData("blank-hash", "shacl-sparql", "UcoThings are required to not be blank nodes.")]
    [InlineData("vocabulary-hash-method", "shacl-core", "As of UCO 1.4.0, the datatype to use for types:hashMethod should be xsd:string.")]
    [InlineData("user-text-in-id", null, null)]
    public void Validator_OnADocumentWithAnOldDefect_ReportsItNonConformant(string defect, string? engine, string? message)
    {
        var document = JsonNode.Parse(File.ReadAllText(_package.CaseJsonLd))!;
        var graph = document["@graph"]!.AsArray();
        var file = graph.First(n => n!["@type"]!.GetValue<string>() == "uco-observable:File")!;
        var contentFacet = file["uco-core:hasFacet"]![1]!.AsObject();
        switch (defect)
        {
            case "blank-facet":
                contentFacet.Remove("@id");
                break;
            case "blank-hash":
                contentFacet["uco-observable:hash"]![0]!.AsObject().Remove("@id");
                break;
            case "vocabulary-hash-method":
                contentFacet["uco-observable:hash"]![0]!["uco-types:hashMethod"] = new JsonObject { ["@type"] = "uco-vocabulary:HashNameVocab", ["@value"] = "SHA256" };
                break;
            default:
                graph.First(n => n!["@type"]!.GetValue<string>() == "case-investigation:Investigation")!["@id"] = $"kb:investigation-{AwkwardCaseId}";
                break;
        }

        var broken = Path.Combine(Path.GetDirectoryName(_package.CaseJsonLd)!, "..", $"broken-{defect}.jsonld");
        File.WriteAllText(broken, document.ToJsonString());
        var report = Validator.Run(broken);

        Assert.True(report.ExitCode == 1, report.ToString());
        if (engine is null)
        {
            Assert.False(report.Json["lossless"]!.GetValue<bool>(), report.ToString());
            Assert.Contains("safe mode", report.Json["expansionError"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
            return;
        }

        Assert.False(report.Json["conforms"]!.GetValue<bool>(), report.ToString());
        Assert.Contains(report.Json["results"]!.AsArray(), r =>
            r!["engine"]!.GetValue<string>() == engine && (r["message"]?.GetValue<string>() ?? string.Empty).StartsWith(message!, StringComparison.Ordinal));
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
            var built = Cli.Run("--store", store, "package", "--query", query.Json["queryId"]!.GetValue<string>(), "--out", package, "--title", "Zoë's \"exfiltration\"");
            Assert.True(built.ExitCode == 0, built.ToString());
            CaseJsonLd = Path.Combine(package, "case.jsonld");
        }

        public string CaseJsonLd { get; }

        public void Dispose() => _directory.Dispose();
    }
}
