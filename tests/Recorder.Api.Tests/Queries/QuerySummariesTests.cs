using System.Diagnostics;
using System.Text.Json.Nodes;
using Recorder.Api.Queries;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Queries;

/// <summary>
/// The in-memory query history two nodes share a store through: each node's own saves show at once,
/// another node's new queries at its next listing, its changes to existing ones within the rescan
/// interval, and a listing with nothing changed reuses the sorted list instead of scanning again.
/// </summary>
public sealed class QuerySummariesTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-summaries");

    [Fact]
    public async Task TwoNodes_SeeEachOthersQueries_NewAtOnce_ChangedWithinTheRescanInterval()
    {
        var layout = new StoreLayout(_directory.Path);
        var nodeA = new QueryRepository(layout);
        var nodeB = new QueryRepository(layout);
        var first = Record("2026-12-07T10:00:00.000000000Z");
        nodeA.Create(first);
        Assert.Equal(first.Id, Assert.Single(nodeB.Summaries.All()).Id);

        // Nothing changed: the same list, without a scan.
        Assert.Same(nodeB.Summaries.All(), nodeB.Summaries.All());

        // A new query of node A: its directory changes the listing directory, so node B scans at once.
        var second = Record("2026-12-07T11:00:00.000000000Z");
        nodeA.Create(second);
        Assert.Equal([second.Id, first.Id], nodeB.Summaries.All().Select(s => s.Id));

        // Node A's progress on an existing query: seen by node B within the rescan interval (plus the
        // settle time file-system timestamps need), never missed.
        nodeA.Save(first with { State = QueryState.Succeeded }, durable: false);
        var waited = Stopwatch.StartNew();
        while (nodeB.Summaries.All().Single(s => s.Id == first.Id).State != QueryState.Succeeded)
        {
            Assert.True(waited.Elapsed < QuerySummaries.RescanInterval + QuerySummaries.SettleTime + TimeSpan.FromSeconds(2),
                "node B never saw node A's change");
            await Task.Delay(50);
        }

        // A node's own save shows at once.
        nodeB.Save(second with { State = QueryState.Cancelled }, durable: false);
        Assert.Equal(QueryState.Cancelled, nodeB.Summaries.All().Single(s => s.Id == second.Id).State);
    }

    public void Dispose() => _directory.Dispose();

    private static QueryRecord Record(string submittedAt) => new()
    {
        Id = QueryRepository.NewId(),
        Case = "IR-1",
        Reason = "summaries test",
        Owner = "alice",
        OwnerRole = "investigator",
        SubmittedAt = submittedAt,
        Filter = new QueryFilterText { Hosts = ["192.0.2.1"] },
        NormalizedFilter = new JsonObject(),
        Description = "host 192.0.2.1",
        State = QueryState.Queued,
    };
}
