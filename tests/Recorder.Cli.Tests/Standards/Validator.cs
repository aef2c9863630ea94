using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Standards;

/// <summary>
/// Runs <c>Standards/Shacl/validate.mjs</c> against the UCO 1.4.0 and CASE 1.4.0 shapes. Its npm
/// packages are installed once per checkout with <c>npm ci</c> from the committed lock file.
/// </summary>
internal static class Validator
{
    private static readonly Lazy<string> Installed = new(Install);

    private static string Directory => Path.Combine(ExternalTools.RepositoryRoot, "tests", "Recorder.Cli.Tests", "Standards", "Shacl");

    public static Report Run(string document)
    {
        var node = ExternalTools.Require("node", "nodejs");
        ExternalTools.Require("npm", "npm");
        var directory = Installed.Value;
        var (exitCode, output, error) = ExternalTools.Run(node,
            [Path.Combine(directory, "validate.mjs"), document, Path.Combine(directory, "shapes", "uco-1.4.0"), Path.Combine(directory, "shapes", "case-1.4.0")],
            TimeSpan.FromMinutes(5));
        Assert.True(exitCode is 0 or 1, $"validate.mjs exited {exitCode}: {error}");
        return new Report(exitCode, JsonNode.Parse(output)!, output);
    }

    private static string Install()
    {
        var directory = Directory;
        if (!File.Exists(Path.Combine(directory, "node_modules", ".package-lock.json")))
        {
            var npm = ExternalTools.Require("npm", "npm");
            var (exitCode, output, error) = ExternalTools.Run(npm, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(10), directory);
            Assert.True(exitCode == 0, $"npm ci in {directory} failed: {output}{error}");
        }

        return directory;
    }

    /// <summary>The validator's exit code and JSON report.</summary>
    public sealed record Report(int ExitCode, JsonNode Json, string Text)
    {
        public override string ToString() => $"exit {ExitCode}: {Text}";
    }
}
