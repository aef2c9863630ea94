using System.Reflection;
using System.Text.RegularExpressions;
using Recorder.Core.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// The ledger's vocabulary is closed and documented: one constant per action, each documented in
/// docs/ledger-actions.md with its fields, no action written as a literal, and every field a real
/// run writes listed in its action's section.
/// </summary>
public sealed partial class LedgerActionsDocumentationTests : IDisposable
{
    private static readonly string Root = ExternalTools.RepositoryRoot;
    private readonly TempDirectory _directory = new("recorder-actions");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void All_HoldsEveryConstant_Once()
    {
        var constants = typeof(LedgerActions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(constants.Order(StringComparer.Ordinal), LedgerActions.All.Order(StringComparer.Ordinal));
        Assert.Equal(LedgerActions.All.Count, LedgerActions.All.Distinct(StringComparer.Ordinal).Count());
        Assert.All(LedgerActions.All, a => Assert.Matches("^[a-z]+\\.[a-z]+(-[a-z]+)*$", a));
    }

    [Fact]
    public void EveryAction_HasASectionInTheDocs_AndTheDocsNameNoOther()
    {
        var documented = LedgerDocumentation.Sections.Keys.ToHashSet(StringComparer.Ordinal);

        var undocumented = LedgerActions.All.Where(a => !documented.Contains(a)).ToList();
        var unknown = documented.Where(a => !LedgerActions.IsKnown(a)).ToList();

        Assert.True(undocumented.Count == 0, "not in docs/ledger-actions.md: " + string.Join(", ", undocumented));
        Assert.True(unknown.Count == 0, "documented but not in LedgerActions: " + string.Join(", ", unknown));
    }

    [Fact]
    public void NoSourceFile_WritesAnActionAsALiteral()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.EndsWith(Path.Combine("Store", "LedgerActions.cs"), StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match literal in Literal().Matches(lines[i]))
                {
                    if (LedgerActions.IsKnown(literal.Groups[1].Value))
                    {
                        offenders.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: \"{literal.Groups[1].Value}\"");
                    }
                }
            }
        }

        Assert.True(offenders.Count == 0, "use the LedgerActions constants:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void EnsureKnown_RefusesANameOutsideTheVocabulary()
    {
        var refused = Assert.Throws<ArgumentException>(() => LedgerActions.EnsureKnown("query.sumbitted"));

        Assert.Contains("query.sumbitted", refused.Message, StringComparison.Ordinal);
        LedgerActions.EnsureKnown(LedgerActions.QuerySubmitted);
    }

    [Fact]
    public void ARealRun_WritesOnlyDocumentedActions_WithOnlyDocumentedFields()
    {
        var store = _directory.File("store");
        var (sample, truth) = Cli.Sample(_directory, packets: 2000);
        Run("--store", store, "import", "--sessions", sample);
        Assert.Equal(2, Cli.Run("--store", store, "import", sample).ExitCode);
        File.WriteAllText(_directory.File("keys.log"), $"CLIENT_RANDOM {new string('a', 64)} {new string('b', 96)}\nnot a secret\n");
        Run("--store", store, "keylog", "import", _directory.File("keys.log"), "--case", "CASE-7", "--reason", "documentation check");
        var needle = truth.Needles[0];
        var query = Run("--store", store, "query", "--host", needle.Query.Hosts[0], "--out", _directory.File("needle.pcap"),
            "--case", "CASE-7", "--reason", "documentation check", "--json");
        Assert.Equal(2, Cli.Run("--store", store, "query", "--host", needle.Query.Hosts[0], "--out", _directory.File("needle.pcap"),
            "--case", "CASE-7", "--reason", "again").ExitCode);
        Run("--store", store, "package", "--query", query.Json["queryId"]!.GetValue<string>(), "--out", _directory.File("package"), "--title", "Check");
        Run("--store", store, "key", "export", "--out", _directory.File("key.pem"));
        Run("--store", store, "index", "rebuild");
        Run("--store", store, "sessions", "--proto", "udp", "--case", "CASE-7", "--reason", "documentation check");
        Run("--store", store, "ledger", "checkpoint", "--out", _directory.File("cp"));
        Run("--store", store, "verify");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = LedgerDocumentation.Undocumented(Path.Combine(store, "ledger", "ledger.jsonl"), seen);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            LedgerActions.StoreCreated, LedgerActions.ImportCompleted, LedgerActions.ImportRefused, LedgerActions.SegmentSealed,
            LedgerActions.QuerySubmitted, LedgerActions.ExtractionWritten, LedgerActions.QueryRefused, LedgerActions.PackageBuilt,
            LedgerActions.ReportGenerated, LedgerActions.KeyExported, LedgerActions.IndexRebuilt, LedgerActions.VerifyCompleted,
            LedgerActions.SessionsIndexed, LedgerActions.SessionsSearched, LedgerActions.KeylogImported,
        }, seen);
    }

    private static CliResult Run(params string[] args)
    {
        var result = Cli.Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [GeneratedRegex("\"([a-z]+\\.[a-z]+(?:-[a-z]+)*)\"")]
    private static partial Regex Literal();
}
