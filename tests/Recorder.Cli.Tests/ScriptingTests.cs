using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>What people who script the CLI rely on: JSON everywhere, one-line errors, honest help.</summary>
public sealed class ScriptingTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-scripting");

    public ScriptingTests()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 200);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
    }

    private string Store => _directory.File("store");

    [Fact]
    public void LedgerProve_Json_DescribesTheProofWritten()
    {
        var result = Cli.Run("ledger", "prove", "--store", Store, "--seq", "1", "--out", _directory.File("p.proof"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json.AsObject();
        Assert.Equal("inclusion", json["type"]!.GetValue<string>());
        Assert.Equal(1, json["leafIndex"]!.GetValue<long>());
        Assert.True(json["treeSize"]!.GetValue<long>() > 1);
        Assert.Equal(Sha256(_directory.File("p.proof")), json["sha256"]!.GetValue<string>());
    }

    [Fact]
    public void LedgerConsistency_Json_DescribesTheProofWritten()
    {
        var result = Cli.Run("ledger", "consistency", "--store", Store, "--from", "1", "--out", _directory.File("c.proof"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("consistency", result.Json["type"]!.GetValue<string>());
        Assert.Equal(1, result.Json["firstSize"]!.GetValue<long>());
        Assert.Equal(Sha256(_directory.File("c.proof")), result.Json["sha256"]!.GetValue<string>());
    }

    [Fact]
    public void LedgerCheckpoint_KeyExport_IndexRebuild_SynthAndUserRevoke_TakeJson()
    {
        var checkpoint = Cli.Run("ledger", "checkpoint", "--store", Store, "--out", _directory.File("cp"), "--json");
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.True(checkpoint.Json["size"]!.GetValue<long>() > 0);
        Assert.Contains(checkpoint.Json["files"]!.AsArray(), f => f!.GetValue<string>().EndsWith("checkpoint.txt", StringComparison.Ordinal));

        var key = Cli.Run("key", "export", "--store", Store, "--out", _directory.File("key.pem"), "--json");
        Assert.True(key.ExitCode == 0, key.ToString());
        Assert.Equal(64, key.Json["fingerprint"]!.GetValue<string>().Length);

        var rebuild = Cli.Run("index", "rebuild", "--store", Store, "--json");
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Equal(1, rebuild.Json["segments"]!.GetValue<int>());

        var synth = Cli.Run("synth", "--packets", "150", "--out", _directory.File("s.pcap"), "--json");
        Assert.True(synth.ExitCode == 0, synth.ToString());
        Assert.Equal(150, synth.Json["packets"]!.GetValue<long>());
    }

    [Fact]
    public void EveryCommand_OffersJson()
    {
        var missing = new List<string>();
        Walk(Help(), "recorder");
        Assert.True(missing.Count == 0, "without --json: " + string.Join(", ", missing));

        void Walk(string help, string path)
        {
            var commands = Commands(help);
            if (commands.Count == 0 && !help.Contains("--json", StringComparison.Ordinal)
                && path is not ("recorder serve" or "recorder user"))
            {
                missing.Add(path);
            }

            foreach (var command in commands)
            {
                Walk(Help([.. path.Split(' ').Skip(1), command]), path + " " + command);
            }
        }
    }

    [Fact]
    public void Help_NamesTheCommandRecorder_WhateverTheExecutable()
    {
        var help = Cli.Run("--help");

        Assert.Contains("  recorder [command] [options]", help.Output, StringComparison.Ordinal);
        Assert.Contains("  recorder ledger prove [options]", Cli.Run("ledger", "prove", "--help").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ShowsEachDefaultOnce()
    {
        foreach (var path in new[] { "synth", "demo", "query", "ledger prove" })
        {
            foreach (var line in Help(path.Split(' ')).Split('\n').Where(l => l.Contains("[default: ", StringComparison.Ordinal)))
            {
                Assert.DoesNotContain("(default", line, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Store_IsOfferedOnlyWhereAStoreIsUsed()
    {
        Assert.DoesNotContain("--store", Help("synth"), StringComparison.Ordinal);
        Assert.DoesNotContain("--store", Help("verify-package"), StringComparison.Ordinal);
        Assert.Contains("--store", Help("query"), StringComparison.Ordinal);
        Assert.Contains("--store", Help("ledger", "prove"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("qurey", "query")]
    [InlineData("segmnets", "segments")]
    [InlineData("ledger prvoe", "prove")]
    public void MistypedCommand_SuggestsTheNearestOne(string typed, string suggestion)
    {
        var result = Cli.Run(typed.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Did you mean '{suggestion}'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MistypedOption_SuggestsTheNearestOne()
    {
        var result = Cli.Run("query", "--store", Store, "--case", "C", "--reason", "r", "--hots", "10.0.0.1", "--out", _directory.File("x.pcap"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Did you mean '--host'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerConsistency_BadSizes_OneLineWithoutDotNetText()
    {
        var result = Cli.Run("ledger", "consistency", "--store", Store, "--from", "999", "--out", _directory.File("c.proof"));

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("recorder ledger consistency: --from/--to:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongKindOfValue_IsDescribedInWords()
    {
        var result = Cli.Run("ledger", "consistency", "--store", Store, "--from", "abc", "--out", _directory.File("c.proof"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--from'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_NegativePackets_NamesTheOption()
    {
        var result = Cli.Run("synth", "--packets", "-5", "--out", _directory.File("s.pcap"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--packets", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TargetPackets", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Query_MatchingNothing_SaysSo_InTextAndJson()
    {
        var text = Cli.Run("query", "--store", Store, "--case", "C", "--reason", "r", "--from", "2000-01-01T00:00:00Z", "--to", "2000-01-02T00:00:00Z", "--out", _directory.File("none.pcap"));
        var json = Cli.Run("query", "--store", Store, "--case", "C", "--reason", "r", "--from", "2000-01-01T00:00:00Z", "--to", "2000-01-02T00:00:00Z", "--out", _directory.File("none2.pcap"), "--json");
        var some = Cli.Run("query", "--store", Store, "--case", "C", "--reason", "r", "--out", _directory.File("all.pcap"), "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("no packets matched", text.Output, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        Assert.False(json.Json["matched"]!.GetValue<bool>());
        Assert.Equal(0, json.Json["packets"]!.GetValue<long>());
        Assert.True(some.Json["matched"]!.GetValue<bool>());
    }

    public void Dispose() => _directory.Dispose();

    private static string Help(params string[] path)
    {
        var result = Cli.Run([.. path, "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output;
    }

    /// <summary>The subcommand names listed under "Commands:" in a help text.</summary>
    private static List<string> Commands(string help)
    {
        var lines = help.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "Commands:");
        if (start < 0)
        {
            return [];
        }

        return lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToList();
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
