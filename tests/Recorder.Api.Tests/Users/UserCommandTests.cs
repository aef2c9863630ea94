using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Cli;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Users;

/// <summary><c>recorder user add|list|revoke</c>: tokens printed once, only their hashes stored, every change ledgered.</summary>
public sealed class UserCommandTests
{
    [Fact]
    public void Add_PrintsTheTokenOnce_AndStoresOnlyItsHash()
    {
        using var directory = new TempDirectory("recorder-users");
        var store = Store(directory);
        var added = Run("--store", store, "user", "add", "--name", "mara", "--role", "legal", "--json");
        Assert.Equal(0, added.Code);
        var json = JsonNode.Parse(added.Output)!;
        Assert.Equal("mara", json["name"]!.GetValue<string>());
        Assert.Equal("legal", json["role"]!.GetValue<string>());
        var token = json["token"]!.GetValue<string>();
        Assert.True(token.Length >= 40);

        var file = File.ReadAllText(Path.Combine(store, "service", "users.json"));
        Assert.DoesNotContain(token, file, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), file, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store, "service", "users.json")));
        }

        var list = Run("--store", store, "user", "list", "--json");
        var users = JsonNode.Parse(list.Output)!.AsArray();
        Assert.Contains(users, u => u!["name"]!.GetValue<string>() == "mara" && u["role"]!.GetValue<string>() == "legal");
        Assert.DoesNotContain(token, list.Output, StringComparison.Ordinal);

        var ledger = File.ReadAllLines(Path.Combine(store, "ledger", "ledger.jsonl")).Select(l => JsonNode.Parse(l)!).Where(e => e["action"] is not null).ToList();
        var entry = Assert.Single(ledger, e => e["action"]!.GetValue<string>() == "user.added");
        Assert.Equal("mara", entry["subjects"]!["user"]!.GetValue<string>());
        Assert.DoesNotContain(token, entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Revoke_MarksTheUser_AndIsLedgered_AndNamesAreNeverReused()
    {
        using var directory = new TempDirectory("recorder-users");
        var store = Store(directory);
        Assert.Equal(0, Run("--store", store, "user", "add", "--name", "tom", "--role", "investigator").Code);
        var revoked = Run("--store", store, "user", "revoke", "--name", "tom");
        Assert.Equal(0, revoked.Code);
        Assert.Contains("revoked user tom", revoked.Output, StringComparison.Ordinal);
        Assert.Equal(1, Run("--store", store, "user", "revoke", "--name", "tom").Code);
        var again = Run("--store", store, "user", "add", "--name", "tom", "--role", "investigator");
        Assert.Equal(2, again.Code);
        Assert.Contains("exists already", again.Error, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"user.revoked\"", File.ReadAllText(Path.Combine(store, "ledger", "ledger.jsonl")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--name", "Mara", "--role", "legal", "--name")]
    [InlineData("--name", "../x", "--role", "legal", "--name")]
    [InlineData("--name", "mara", "--role", "superuser", "--role")]
    public void Add_WithABadNameOrRole_Exits2NamingTheOption(string nameOption, string name, string roleOption, string role, string named)
    {
        using var directory = new TempDirectory("recorder-users");
        var store = Store(directory);
        var result = Run("--store", store, "user", "add", nameOption, name, roleOption, role);
        Assert.Equal(2, result.Code);
        Assert.StartsWith("recorder user add: " + named, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(store, "service", "users.json")));
    }

    private static string Store(TempDirectory directory)
    {
        var store = directory.File("store");
        Assert.Equal(0, Run("synth", "--out", directory.File("s.pcap"), "--packets", "200").Code);
        Assert.Equal(0, Run("--store", store, "import", directory.File("s.pcap")).Code);
        return store;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = RecorderCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }
}
