using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.Application.Queries;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Storage.Query;

namespace Recorder.Api.Tests.Queries;

/// <summary>
/// The custody entries of a query's life are shaped in one place (<see cref="QueryCustodyEvents"/>)
/// for the command line and the service: each host writes exactly the documented fields, and the
/// fields both write are the same, under the same names, whichever host wrote them.
/// </summary>
public sealed class QueryCustodyEventsTests
{
    private static readonly AuditedQuery Query = new("0c6f7b8e-5a54-4a84-9a0e-3f1f8f0f6b11", "CASE-7", "fraud inquiry");
    private static readonly string[] SubmittedCommon = ["filter", "description", "output", "format"];
    private static readonly string[] WrittenCommon = ["output", "location", "partial", "segmentsLeftOut", "run"];

    [Fact]
    public void Submitted_FromTheCommandLine_WritesTheCommonFieldsAndReplaceExisting()
    {
        var entry = QueryCustodyEvents.Submitted(Query, Filter(), "/cases/7/out.pcap", "pcapng", replaceExisting: true);

        Assert.Equal(LedgerActions.QuerySubmitted, entry.Action);
        Assert.Equal(Sorted([.. SubmittedCommon, "replaceExisting"]), Keys(entry.Details));
        Assert.True(entry.Details["replaceExisting"]!.GetValue<bool>());
        Assert.Equal("pcapng", entry.Details["format"]!.GetValue<string>());
        Assert.Equal("/cases/7/out.pcap", entry.Details["output"]!.GetValue<string>());
        Assert.Equal(Filter().Describe(), entry.Details["description"]!.GetValue<string>());
        Assert.Equal(Filter().ToJson().ToJsonString(), entry.Details["filter"]!.ToJsonString());
        AssertEnvelope(entry, ["queryId"]);
        Assert.Empty(entry.Hashes);
    }

    [Fact]
    public void Submitted_FromTheService_WritesSinksRoleNodeAndAllowPartial_NotReplaceExisting()
    {
        var entry = QueryCustodyEvents.Submitted(Query, Filter(), "extractions/x", "auto", service: Service());

        Assert.Equal(Sorted([.. SubmittedCommon, "sinks", "role", "node", "allowPartial"]), Keys(entry.Details));
        Assert.Equal("zeek", entry.Details["sinks"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("investigator", entry.Details["role"]!.GetValue<string>());
        Assert.Equal("node-a", entry.Details["node"]!.GetValue<string>());
        Assert.True(entry.Details["allowPartial"]!.GetValue<bool>());
        AssertEnvelope(entry, ["queryId"]);
        Assert.Empty(entry.Hashes);
    }

    [Fact]
    public void Submitted_FieldsBothHostsWrite_AreTheSame()
    {
        var commandLine = QueryCustodyEvents.Submitted(Query, Filter(), "out", "auto");
        var service = QueryCustodyEvents.Submitted(Query, Filter(), "out", "auto", service: Service());

        AssertSameCommonShape(commandLine, service, SubmittedCommon);
    }

    [Theory]
    [InlineData(OutputFormatChoice.Automatic, "auto")]
    [InlineData(OutputFormatChoice.Pcap, "pcap")]
    [InlineData(OutputFormatChoice.Pcapng, "pcapng")]
    public void FormatName_IsTheNameTheDocsGive(OutputFormatChoice format, string name) =>
        Assert.Equal(name, QueryCustodyEvents.FormatName(format));

    [Fact]
    public void ExtractionWritten_FromTheCommandLine_IsExternalWithTheRunAndNoServiceFields()
    {
        var entry = QueryCustodyEvents.ExtractionWritten(Query, Output(), partial: true, Run());

        Assert.Equal(LedgerActions.ExtractionWritten, entry.Action);
        Assert.Equal(Sorted(WrittenCommon), Keys(entry.Details));
        Assert.Equal(QueryCustodyEvents.ExternalLocation, entry.Details["location"]!.GetValue<string>());
        Assert.True(entry.Details["partial"]!.GetValue<bool>());
        Assert.Equal(4, entry.Details["segmentsLeftOut"]![0]!["segment"]!.GetValue<long>());
        Assert.Equal("manifest damaged", entry.Details["segmentsLeftOut"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(Run().ToJsonString(), entry.Details["run"]!.ToJsonString());
        Assert.Equal(Output().File.ToJsonString(), entry.Details["output"]!.ToJsonString());
        AssertOutputSubjectsAndHash(entry);
    }

    [Fact]
    public void ExtractionWritten_FromTheService_IsInTheStoreWithCancelledByChunksNodeAndAttempt()
    {
        var entry = QueryCustodyEvents.ExtractionWritten(Query, Output(), partial: false, run: null,
            new ServiceAttempt("node-a") { Attempt = 2, Chunks = 5, CancelledBy = null });

        Assert.Equal(Sorted([.. WrittenCommon, "cancelledBy", "chunks", "node", "attempt"]), Keys(entry.Details));
        Assert.Equal(QueryCustodyEvents.StoreLocation, entry.Details["location"]!.GetValue<string>());
        Assert.Null(entry.Details["cancelledBy"]);
        Assert.Null(entry.Details["run"]);
        Assert.Equal(5, entry.Details["chunks"]!.GetValue<int>());
        Assert.Equal(2, entry.Details["attempt"]!.GetValue<int>());
        Assert.Equal("node-a", entry.Details["node"]!.GetValue<string>());
        AssertOutputSubjectsAndHash(entry);

        var cancelled = QueryCustodyEvents.ExtractionWritten(Query, Output(), partial: true, run: null,
            new ServiceAttempt("node-a") { Attempt = 1, Chunks = 0, CancelledBy = "bob" });
        Assert.Equal("bob", cancelled.Details["cancelledBy"]!.GetValue<string>());
    }

    [Fact]
    public void ExtractionWritten_FieldsBothHostsWrite_AreTheSameButTheLocation()
    {
        var commandLine = QueryCustodyEvents.ExtractionWritten(Query, Output(), partial: true, Run());
        var service = QueryCustodyEvents.ExtractionWritten(Query, Output(), partial: true, Run(), new ServiceAttempt("node-a") { Attempt = 1, Chunks = 1 });

        AssertSameCommonShape(commandLine, service, ["output", "partial", "segmentsLeftOut", "run"]);
        Assert.NotEqual(commandLine.Details["location"]!.GetValue<string>(), service.Details["location"]!.GetValue<string>());
    }

    [Fact]
    public void Failed_FromTheCommandLine_SaysNoOutputWasLeft()
    {
        var entry = QueryCustodyEvents.Failed(Query, QueryCustodyEvents.Describe(new IOException("disk full")));

        Assert.Equal(LedgerActions.QueryFailed, entry.Action);
        Assert.Equal(Sorted(["error", "outputWritten"]), Keys(entry.Details));
        Assert.Equal("IOException: disk full", entry.Details["error"]!.GetValue<string>());
        Assert.False(entry.Details["outputWritten"]!.GetValue<bool>());
        AssertEnvelope(entry, ["queryId"]);
        Assert.Empty(entry.Hashes);
    }

    [Fact]
    public void Failed_OnTheServiceWithAPartialOutput_NamesAndHashesIt()
    {
        var entry = QueryCustodyEvents.Failed(Query, "SegmentsLeftOutException: segment 4", Output(),
            new ServiceAttempt("node-a") { Attempt = 1, Chunks = 3 });

        Assert.Equal(Sorted(["error", "partialOutput", "segmentsLeftOut", "chunks", "node", "attempt"]), Keys(entry.Details));
        Assert.Equal(Output().File.ToJsonString(), entry.Details["partialOutput"]!.ToJsonString());
        Assert.Equal(3, entry.Details["chunks"]!.GetValue<int>());
        AssertOutputSubjectsAndHash(entry);
    }

    [Fact]
    public void Failed_OnTheServiceBeforeAWorkerRanIt_WritesOnlyTheErrorAndNode()
    {
        var neverQueued = QueryCustodyEvents.Failed(Query, "the job could not be queued", service: new ServiceAttempt("node-a"));
        var workerFailed = QueryCustodyEvents.Failed(Query, "IOException: x", service: new ServiceAttempt("node-a") { Attempt = 3 });

        Assert.Equal(Sorted(["error", "node"]), Keys(neverQueued.Details));
        Assert.Equal(Sorted(["error", "node", "attempt"]), Keys(workerFailed.Details));
        AssertEnvelope(neverQueued, ["queryId"]);
        Assert.Empty(neverQueued.Hashes);
    }

    [Fact]
    public void BuildingAnEvent_LeavesTheFactsUsable_SoTheSameFactsBuildEqualEvents()
    {
        var output = Output();
        var run = Run();
        var service = Service();

        var first = QueryCustodyEvents.ExtractionWritten(Query, output, partial: false, run, new ServiceAttempt("node-a") { Attempt = 1, Chunks = 1 });
        var second = QueryCustodyEvents.ExtractionWritten(Query, output, partial: false, run, new ServiceAttempt("node-a") { Attempt = 1, Chunks = 1 });
        var submittedFirst = QueryCustodyEvents.Submitted(Query, Filter(), "out", "auto", service: service);
        var submittedSecond = QueryCustodyEvents.Submitted(Query, Filter(), "out", "auto", service: service);

        Assert.Equal(first.Details.ToJsonString(), second.Details.ToJsonString());
        Assert.Equal(submittedFirst.Details.ToJsonString(), submittedSecond.Details.ToJsonString());
        Assert.Null(output.File.Parent);
        Assert.Null(service.Sinks.Parent);
    }

    /// <summary>The real hosts, end to end: the command line's and the service's entries for the same filter have the documented fields of each.</summary>
    [Fact]
    public async Task RealEntries_OfTheCommandLineAndTheService_HaveTheSameCommonFields()
    {
        using var store = ServiceTestStore.Create(packets: 2000);
        var needle = store.Needle;
        store.Expected(needle.Server, needle.ServerPort);
        await using var service = await KestrelService.StartAsync(store.Options());
        using var alice = service.As(store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(needle.Server, needle.ServerPort, store.Window));
        Assert.Equal("succeeded", (await alice.WaitSettledAsync(id))["state"]!.GetValue<string>());

        var entries = LedgerFile.Entries(store.StorePath);
        var cliSubmitted = Assert.Single(entries, e => Is(e, LedgerActions.QuerySubmitted) && e["case"]?.GetValue<string>() == "expected");
        var cliId = cliSubmitted["subjects"]!["queryId"]!.GetValue<string>();
        var cliWritten = Assert.Single(entries, e => Is(e, LedgerActions.ExtractionWritten) && e["subjects"]!["queryId"]!.GetValue<string>() == cliId);
        var apiSubmitted = Assert.Single(LedgerFile.ForQuery(store.StorePath, id), e => Is(e, LedgerActions.QuerySubmitted));
        var apiWritten = Assert.Single(LedgerFile.ForQuery(store.StorePath, id), e => Is(e, LedgerActions.ExtractionWritten));

        Assert.Equal(Sorted([.. SubmittedCommon, "replaceExisting"]), Keys(cliSubmitted["details"]!.AsObject()));
        Assert.Equal(Sorted([.. SubmittedCommon, "sinks", "role", "node", "allowPartial"]), Keys(apiSubmitted["details"]!.AsObject()));
        Assert.Equal(cliSubmitted["details"]!["filter"]!.ToJsonString(), apiSubmitted["details"]!["filter"]!.ToJsonString());
        Assert.Equal(cliSubmitted["details"]!["description"]!.ToJsonString(), apiSubmitted["details"]!["description"]!.ToJsonString());
        // secrets: both hosts inject stored key logs' secrets and say which (here none: the store holds no key log).
        Assert.Equal(Sorted([.. WrittenCommon, "secrets"]), Keys(cliWritten["details"]!.AsObject()));
        Assert.Equal(Sorted([.. WrittenCommon, "secrets", "cancelledBy", "chunks", "node", "attempt"]), Keys(apiWritten["details"]!.AsObject()));
        Assert.Equal(cliWritten["details"]!["secrets"]!.ToJsonString(), apiWritten["details"]!["secrets"]!.ToJsonString());
        Assert.Equal("external", cliWritten["details"]!["location"]!.GetValue<string>());
        Assert.Equal("store", apiWritten["details"]!["location"]!.GetValue<string>());

        // The same packets, byte for byte: the two results hash alike, and both entries say so under hashes.output.
        Assert.Equal(cliWritten["hashes"]!["output"]!.GetValue<string>(), apiWritten["hashes"]!["output"]!.GetValue<string>());
        Assert.Equal(cliWritten["subjects"]!["segmentIds"]!.ToJsonString(), apiWritten["subjects"]!["segmentIds"]!.ToJsonString());
    }

    private static bool Is(JsonObject entry, string action) => entry["action"]!.GetValue<string>() == action;

    private static string[] Sorted(string[] names) => [.. names.Order(StringComparer.Ordinal)];

    /// <summary>The names of <paramref name="json"/>'s members, sorted: the ledger writes canonical JSON (RFC 8785), so their order is not part of the shape.</summary>
    private static string[] Keys(JsonObject json) => [.. json.Select(p => p.Key).Order(StringComparer.Ordinal)];

    private static void AssertEnvelope(CustodyEvent entry, string[] subjects)
    {
        Assert.Equal(Sorted(subjects), Keys(entry.Subjects));
        Assert.Equal(Query.QueryId, entry.Subjects["queryId"]!.GetValue<string>());
        Assert.Equal(Query.Case, entry.Case);
        Assert.Equal(Query.Reason, entry.Reason);
    }

    private static void AssertOutputSubjectsAndHash(CustodyEvent entry)
    {
        AssertEnvelope(entry, ["queryId", "segmentIds"]);
        Assert.Equal("[1,2]", entry.Subjects["segmentIds"]!.ToJsonString());
        Assert.Equal(new Dictionary<string, string> { ["output"] = Output().Sha256 }, entry.Hashes);
    }

    /// <summary>Compares the fields both hosts write: the envelope, the hashes, and each named details field.</summary>
    private static void AssertSameCommonShape(CustodyEvent commandLine, CustodyEvent service, string[] common)
    {
        Assert.Equal(commandLine.Action, service.Action);
        Assert.Equal(commandLine.Subjects.ToJsonString(), service.Subjects.ToJsonString());
        Assert.Equal(commandLine.Hashes, service.Hashes);
        Assert.Equal((commandLine.Case, commandLine.Reason), (service.Case, service.Reason));
        foreach (var field in common)
        {
            Assert.True(commandLine.Details.ContainsKey(field) && service.Details.ContainsKey(field), field);
            Assert.Equal(commandLine.Details[field]?.ToJsonString(), service.Details[field]?.ToJsonString());
        }
    }

    private static PacketQuery Filter() =>
        QueryParser.Parse(new QueryText { Hosts = ["203.0.113.11"], From = "2023-11-14T00:00:00Z", To = "2023-11-16T00:00:00Z" }).Query!;

    private static ServiceSubmission Service() =>
        new(new JsonArray(new JsonObject { ["name"] = "zeek", ["type"] = "process" }), "investigator", "node-a", AllowPartial: true);

    private static ExtractionOutput Output() => new(
        new JsonObject { ["path"] = "/cases/7/out.pcap", ["format"] = "pcap", ["packets"] = 10, ["bytes"] = 1000, ["sha256"] = new string('a', 64) },
        new string('a', 64), [1, 2], [new SegmentLeftOut(4, "manifest damaged")]);

    private static JsonObject Run() => new() { ["packets"] = 10, ["segmentsContributing"] = new JsonArray(1, 2) };
}
