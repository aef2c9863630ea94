using System.Text.Json.Nodes;
using Recorder.Api.Policies;
using Recorder.Cli;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Policies;

/// <summary>The policy files load and validate at start; an invalid one stops the service naming file and field.</summary>
public sealed class PolicyTests
{
    [Fact]
    public void ShippedPolicies_Load_WithTheFourRoles()
    {
        var policies = PolicyLoader.Load(Path.Combine(ExternalTools.RepositoryRoot, "policies"));
        Assert.All(PolicySet.RequiredRoles, role => Assert.True(policies.Roles.ContainsKey(role)));
        Assert.True(policies.Roles["investigator"].Has(Permission.QueriesSubmit));
        Assert.False(policies.Roles["investigator"].Has(Permission.ResultsReadAll));
        Assert.True(policies.Roles["legal"].Has(Permission.PackagesBuild));
        Assert.False(policies.Roles["auditor"].Has(Permission.ResultsReadOwn));
        Assert.True(policies.Roles["admin"].Has(Permission.Dashboard));
        Assert.Equal(TimeSpan.FromDays(30), policies.Roles["investigator"].MaxWindow);
        Assert.Equal(SinkType.Process, policies.Sinks["tshark-conversations"].Type);
        Assert.Equal(["-r", "-", "-q", "-z", "conv,ip"], policies.Sinks["tshark-conversations"].Args);
    }

    public static TheoryData<string, string, string, string> Broken() => new()
    {
        { "roles.json", "roles.investigator.permissions[1]", "unknown permission", "roles.investigator.permissions[1]=\"queries.delete.everything\"" },
        { "roles.json", "roles.admin", "missing", "remove roles.admin" },
        { "roles.json", "roles.auditor.permissions", "never reads packet data", "roles.auditor.permissions[0]=\"results.read.all\"" },
        { "roles.json", "roles.investigator.limits.maxWindowSeconds", "whole number", "roles.investigator.limits.maxWindowSeconds=\"a week\"" },
        { "roles.json", "roles.investigator.limits.sinks[0]", "no sink named", "roles.investigator.limits.sinks[0]=\"nowhere\"" },
        { "roles.json", "roles.legal.permisions", "unknown field", "roles.legal.permisions=[]" },
        { "roles.json", "version", "version 1", "version=2" },
        { "sinks.json", "sinks.tshark-ek.type", "not process, http or folder", "sinks.tshark-ek.type=\"ftp\"" },
        { "sinks.json", "sinks.tshark-ek.args[1]", "must be a string", "sinks.tshark-ek.args[1]=5" },
        { "sinks.json", "sinks.Bad Name", "a sink name", "sinks.Bad Name={\"type\":\"folder\",\"directory\":\"x\"}" },
        { "sinks.json", "sinks.web.url", "not an absolute http", "sinks.web={\"type\":\"http\",\"url\":\"ftp://example\"}" },
        { "sinks.json", "(file)", "not valid JSON", "garbage" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void InvalidPolicy_IsRefused_NamingTheFileAndTheField(string file, string field, string problem, string edit)
    {
        using var directory = new TempDirectory("recorder-policies");
        CopyShipped(directory.Path);
        Break(Path.Combine(directory.Path, file), edit);
        var error = Assert.Throws<PolicyException>(() => PolicyLoader.Load(directory.Path));
        Assert.Equal(Path.Combine(directory.Path, file), error.File);
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_WithAnInvalidPolicy_ExitsWith2_AndOneLineNamingFileAndField()
    {
        using var directory = new TempDirectory("recorder-serve-policy");
        CopyShipped(directory.File("policies"));
        Break(Path.Combine(directory.File("policies"), "roles.json"), "roles.investigator.permissions[0]=\"queries.everything\"");
        var store = directory.File("store");
        var synth = Run("synth", "--out", directory.File("s.pcap"), "--packets", "200");
        Assert.Equal(0, synth.Code);
        Assert.Equal(0, Run("--store", store, "import", directory.File("s.pcap")).Code);
        var serve = Run("--store", store, "serve", "--urls", "http://127.0.0.1:0", "--policies", directory.File("policies"));
        Assert.Equal(2, serve.Code);
        Assert.Contains("roles.json: roles.investigator.permissions[0]: unknown permission 'queries.everything'", serve.Error, StringComparison.Ordinal);
        Assert.Single(serve.Error.Trim().Split('\n'));
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = RecorderCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }

    private static void CopyShipped(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in new[] { "roles.json", "sinks.json" })
        {
            File.Copy(Path.Combine(ExternalTools.RepositoryRoot, "policies", file), Path.Combine(directory, file));
        }
    }

    /// <summary>Applies "path=json" (or "remove path", or replaces the file with "garbage").</summary>
    private static void Break(string path, string edit)
    {
        if (edit == "garbage")
        {
            File.WriteAllText(path, "{ \"format\": ");
            return;
        }

        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var remove = edit.StartsWith("remove ", StringComparison.Ordinal);
        var (target, value) = remove ? (edit[7..], null) : (edit[..edit.IndexOf('=', StringComparison.Ordinal)], edit[(edit.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var parts = target.Split('.', 2);
        JsonNode parent = root;
        var key = target;
        if (target.StartsWith("roles.", StringComparison.Ordinal) || target.StartsWith("sinks.", StringComparison.Ordinal))
        {
            parent = root[parts[0]]!;
            var rest = parts[1];
            var segments = rest.Split('.');
            for (var i = 0; i < segments.Length - 1; i++)
            {
                parent = parent[segments[i]]!;
            }

            key = segments[^1];
        }

        var index = key.IndexOf('[', StringComparison.Ordinal);
        if (index >= 0)
        {
            var array = parent[key[..index]]!.AsArray();
            array[int.Parse(key[(index + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = JsonNode.Parse(value!);
        }
        else if (remove)
        {
            parent.AsObject().Remove(key);
        }
        else
        {
            parent[key] = JsonNode.Parse(value!);
        }

        File.WriteAllText(path, root.ToJsonString());
    }
}
