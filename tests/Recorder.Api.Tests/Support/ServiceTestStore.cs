using System.Text.Json.Nodes;
using Recorder.Cli;
using Recorder.Synthesis;
using Recorder.Synthesis.Truth;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Support;

/// <summary>
/// A store for service tests: a synthesized capture imported with the real CLI, a policy directory
/// (the repository's roles, test sinks), and users added with <c>recorder user add --json</c>:
/// alice and bob (investigators), lena (legal), ivan (auditor), ada (admin), and rex (an
/// investigator whose token was revoked).
/// </summary>
public sealed class ServiceTestStore : IDisposable
{
    private ServiceTestStore(TempDirectory directory, string capture, SynthesisTruth truth)
    {
        Directory = directory;
        CapturePath = capture;
        Truth = truth;
    }

    public TempDirectory Directory { get; }

    public string StorePath => Directory.File("store");

    public string PoliciesPath => Directory.File("policies");

    public string CapturePath { get; }

    public SynthesisTruth Truth { get; }

    public Dictionary<string, string> Tokens { get; } = [];

    /// <summary>The first needle flow of the capture (a few hundred packets).</summary>
    public FlowTruth Needle => Truth.Needles[0];

    /// <summary>A time window covering the whole capture (inside the investigators' 30-day limit).</summary>
    public (string From, string To) Window => ("2023-11-14T00:00:00Z", "2023-11-16T00:00:00Z");

    public static ServiceTestStore Create(long packets = 20_000, JsonObject? sinks = null, ulong seed = 7)
    {
        var directory = new TempDirectory("recorder-api");
        var capture = directory.File("sample.pcap");
        var truth = TrafficSynthesizer.Write(capture, new SynthesisOptions { TargetPackets = packets, Seed = seed });
        var store = new ServiceTestStore(directory, capture, truth);
        store.Run("import", capture);
        System.IO.Directory.CreateDirectory(store.PoliciesPath);
        File.Copy(Path.Combine(ExternalTools.RepositoryRoot, "policies", "roles.json"), Path.Combine(store.PoliciesPath, "roles.json"));
        store.WriteSinks(sinks ?? new JsonObject());
        foreach (var (name, role) in new[] { ("alice", "investigator"), ("bob", "investigator"), ("lena", "legal"), ("ivan", "auditor"), ("ada", "admin"), ("rex", "investigator") })
        {
            var added = store.Run("user", "add", "--name", name, "--role", role, "--policies", store.PoliciesPath, "--json");
            store.Tokens[name] = JsonNode.Parse(added)!["token"]!.GetValue<string>();
        }

        store.Run("user", "revoke", "--name", "rex");
        return store;
    }

    /// <summary>Writes sinks.json with the given sinks.</summary>
    public void WriteSinks(JsonObject sinks) =>
        File.WriteAllText(Path.Combine(PoliciesPath, "sinks.json"), new JsonObject
        {
            ["format"] = "recorder.sinks",
            ["version"] = 1,
            ["sinks"] = sinks,
        }.ToJsonString());

    /// <summary>Options for a service over this store.</summary>
    public ServiceOptions Options(int workers = 2) => new()
    {
        StorePath = StorePath,
        PoliciesDirectory = PoliciesPath,
        Urls = ["http://127.0.0.1:0"],
        Workers = workers,
        QueuePollInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Runs the CLI in this process; throws unless it exits 0.</summary>
    public string Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = RecorderCli.RunAsync(["--store", StorePath, .. args], output, error).GetAwaiter().GetResult();
        if (code != 0)
        {
            throw new InvalidOperationException($"recorder {string.Join(' ', args)} exited {code}: {error}");
        }

        return output.ToString();
    }

    /// <summary>What <c>recorder query</c> writes for the same filter: the expected result.</summary>
    public (string Path, string Sha256, int Packets) Expected(string host, int port)
    {
        var output = Directory.File($"expected-{host}-{port}-{Guid.NewGuid():N}.pcap");
        Run("query", "--host", host, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--from", Window.From, "--to", Window.To,
            "--out", output, "--case", "expected", "--reason", "test oracle");
        return (output, CaptureFiles.Sha256(output), CaptureFiles.Read(output).Count);
    }

    /// <summary>
    /// Checks that every action and field the service wrote is in docs/ledger-actions.md (every test
    /// of the service is also a test of the vocabulary's documentation), then removes the store.
    /// </summary>
    public void Dispose()
    {
        var undocumented = LedgerDocumentation.Undocumented(Path.Combine(StorePath, "ledger", "ledger.jsonl"));
        Directory.Dispose();
        Assert.True(undocumented.Count == 0, string.Join("\n", undocumented));
    }
}
