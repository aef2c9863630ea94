using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Queries;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Cases;

/// <summary>The incidents API: the history by case, who sees what, search, sort, pages, and append-only ledgered notes.</summary>
public sealed class CaseApiTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task Cases_InvestigatorSeesOnlyCasesOfOwnQueries_LegalSeesAll()
    {
        using var bob = service.As("bob");
        var bobQuery = ApiClient.Query("198.51.100.77", 8443, service.Store.Window);
        bobQuery["case"] = "BOB-CASE-1";
        var bobId = await bob.SubmitAsync(bobQuery);
        await bob.WaitSettledAsync(bobId);

        using var alice = service.As("alice");
        var aliceCases = (await alice.GetJsonAsync("/api/cases"))["cases"]!.AsArray().Select(c => c!["case"]!.GetValue<string>()).ToList();
        Assert.Contains("CASE-42", aliceCases);
        Assert.DoesNotContain("BOB-CASE-1", aliceCases);
        using (var refused = await alice.GetAsync("/api/cases/BOB-CASE-1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using var lena = service.As("lena");
        var all = await lena.GetJsonAsync("/api/cases?search=198.51.100.77");
        var found = Assert.Single(all["cases"]!.AsArray());
        Assert.Equal("BOB-CASE-1", found!["case"]!.GetValue<string>());
        Assert.Equal("/ui/cases/BOB-CASE-1", found["links"]!["page"]!.GetValue<string>());
        // An indicator given as a block finds the queries on addresses inside it (and a neighbour block does not).
        var byBlock = await lena.GetJsonAsync("/api/cases?search=" + Uri.EscapeDataString("198.51.100.0/24"));
        Assert.Equal("BOB-CASE-1", Assert.Single(byBlock["cases"]!.AsArray())!["case"]!.GetValue<string>());
        Assert.Equal(0, (await lena.GetJsonAsync("/api/cases?search=" + Uri.EscapeDataString("198.51.101.0/24")))["total"]!.GetValue<int>());
        var byPort = await lena.GetJsonAsync("/api/cases?search=8443");
        Assert.Equal("BOB-CASE-1", Assert.Single(byPort["cases"]!.AsArray())!["case"]!.GetValue<string>());
        var byUser = await lena.GetJsonAsync("/api/cases?user=alice");
        Assert.DoesNotContain(byUser["cases"]!.AsArray(), c => c!["case"]!.GetValue<string>() == "BOB-CASE-1");
        var none = await lena.GetJsonAsync("/api/cases?from=2200-01-01");
        Assert.Equal(0, none["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cases_SortAndPage()
    {
        using var ada = service.As("ada");
        using var alice = service.As("alice");
        foreach (var name in new[] { "PAGE-B", "PAGE-A", "PAGE-C" })
        {
            var body = ApiClient.Query("192.0.2.200", 9, service.Store.Window);
            body["case"] = name;
            await alice.WaitSettledAsync(await alice.SubmitAsync(body));
        }

        var first = await ada.GetJsonAsync("/api/cases?search=PAGE-&sort=case&pageSize=2");
        Assert.Equal(3, first["total"]!.GetValue<int>());
        Assert.Equal(2, first["pages"]!.GetValue<int>());
        Assert.Equal(["PAGE-A", "PAGE-B"], first["cases"]!.AsArray().Select(c => c!["case"]!.GetValue<string>()));
        var second = await ada.GetJsonAsync("/api/cases?search=PAGE-&sort=case&pageSize=2&page=2");
        Assert.Equal("PAGE-C", Assert.Single(second["cases"]!.AsArray())!["case"]!.GetValue<string>());
        var newest = await ada.GetJsonAsync("/api/cases?search=PAGE-&sort=-latest");
        Assert.Equal("PAGE-C", newest["cases"]![0]!["case"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sort=size", "sort")]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("from=yesterday", "from")]
    public async Task Cases_BadParameter_Is400NamingIt(string query, string field)
    {
        using var lena = service.As("lena");
        using var response = await lena.GetAsync("/api/cases?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, problem["errors"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Case_ShowsQueriesWithResultHash_AndNotesAreAppendOnlyAndLedgered()
    {
        using var alice = service.As("alice");
        var found = await alice.GetJsonAsync("/api/cases/CASE-42");
        var query = found["queries"]!.AsArray().Single(q => q!["id"]!.GetValue<string>() == service.AliceQuery)!;
        var record = await alice.GetJsonAsync("/api/queries/" + service.AliceQuery);
        Assert.Equal(record["result"]!["sha256"]!.GetValue<string>(), query["resultSha256"]!.GetValue<string>());
        Assert.Equal("alice", query["owner"]!.GetValue<string>());

        using (var added = await alice.PostJsonAsync("/api/cases/CASE-42/notes", """{"text":"Beacon every 60 s.\nEscalated to legal."}"""))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        var note = (await alice.GetJsonAsync("/api/cases/CASE-42"))["notes"]!.AsArray().Last()!;
        Assert.Equal("alice", note["author"]!.GetValue<string>());
        Assert.Equal("Beacon every 60 s.\nEscalated to legal.", note["text"]!.GetValue<string>());
        var entry = LedgerFile.Entries(service.Store.StorePath).Single(e => e["seq"]!.GetValue<long>() == note["ledgerSeq"]!.GetValue<long>());
        Assert.Equal("case.note-added", entry["action"]!.GetValue<string>());
        Assert.Equal("CASE-42", entry["case"]!.GetValue<string>());
        Assert.Equal("alice", entry["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(note["sha256"]!.GetValue<string>(), entry["hashes"]!["note"]!.GetValue<string>());
        Assert.Equal(note["text"]!.GetValue<string>(), entry["details"]!["text"]!.GetValue<string>());

        // Append-only: there is no way to change or remove a note.
        using (var put = await alice.Http.PutAsync($"/api/cases/CASE-42/notes", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        }

        using (var empty = await alice.PostJsonAsync("/api/cases/CASE-42/notes", """{"text":"  "}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using var ivan = service.As("ivan");
        using (var auditor = await ivan.PostJsonAsync("/api/cases/CASE-42/notes", """{"text":"auditors only read"}"""))
        {
            Assert.Equal(HttpStatusCode.Forbidden, auditor.StatusCode);
        }

        using var bob = service.As("bob");
        using (var stranger = await bob.PostJsonAsync("/api/cases/CASE-42/notes", """{"text":"not my case"}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        }
    }

    [Fact]
    public async Task Summaries_SeeAQuerySavedByAnotherProcess()
    {
        // Another node serving the same store writes query.json itself: the listing must show it.
        var other = new QueryRepository(new Recorder.Storage.Store.StoreLayout(service.Store.StorePath));
        using var lena = service.As("lena");
        _ = await lena.GetJsonAsync("/api/cases");
        var loaded = other.Load(service.AliceQuery)!;
        var copy = loaded with { Id = QueryRepository.NewId(), Case = "OTHER-NODE-CASE" };
        other.Create(copy);
        var found = await lena.GetJsonAsync("/api/cases?search=OTHER-NODE");
        Assert.Equal("OTHER-NODE-CASE", Assert.Single(found["cases"]!.AsArray())!["case"]!.GetValue<string>());

        other.Save(copy with { Case = "OTHER-NODE-RENAMED" }, durable: false);
        var renamed = await lena.GetJsonAsync("/api/cases?search=OTHER-NODE");
        Assert.Equal("OTHER-NODE-RENAMED", Assert.Single(renamed["cases"]!.AsArray())!["case"]!.GetValue<string>());
        Directory.Delete(other.Directory(copy.Id), recursive: true);
        Assert.Equal(0, (await lena.GetJsonAsync("/api/cases?search=OTHER-NODE"))["total"]!.GetValue<int>());
    }
}
