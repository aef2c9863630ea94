using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Recorder.Api.Tests.Support;
using Recorder.Ledger.Proofs;
using Recorder.Signing;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>The auditor's pages (custody ledger, verification), the administrator's page and the API reference, in a browser.</summary>
public abstract class AuditAdminPagesTests<TSite>(TSite site) : IClassFixture<TSite>
    where TSite : DashboardSite
{
    [SkippableFact]
    public async Task Ledger_AuditorSeesVerifiedEntriesFiltersThemAndDownloadsAProofThatChecksOffline()
    {
        await using var browser = await site.OpenAsync("ivan", "/ui/ledger");
        var page = browser.Page;
        await Assertions.Expect(page.Locator("#ledger-status")).ToContainTextAsync("every entry shown verifies", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#checkpoint")).ToContainTextAsync("the RFC 3161 time-stamp verifies");
        var firstSeq = long.Parse(await page.Locator("#ledger-table tbody tr").First.GetAttributeAsync("data-seq") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        var secondSeq = long.Parse(await page.Locator("#ledger-table tbody tr").Nth(1).GetAttributeAsync("data-seq") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(firstSeq > secondSeq, "newest first");
        await Assertions.Expect(page.Locator("#ledger-table tbody tr").First.Locator(".custody")).ToContainTextAsync("ledger #" + firstSeq);
        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("ledger");

        await page.GetByLabel("Action").FillAsync("dashboard.signed-in");
        await page.GetByLabel("User").FillAsync("ivan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page.Locator("#ledger-table tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("dashboard.signed-in");
        var actions = await page.Locator("#ledger-table tbody tr td:nth-child(3)").AllTextContentsAsync();
        var users = await page.Locator("#ledger-table tbody tr td:nth-child(4)").AllTextContentsAsync();
        Assert.NotEmpty(actions);
        Assert.All(actions, a => Assert.Equal("dashboard.signed-in", a));
        Assert.All(users, u => Assert.StartsWith("ivan", u, StringComparison.Ordinal));

        var row = page.Locator("#ledger-table tbody tr").First;
        var seq = await row.GetAttributeAsync("data-seq");
        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = $"Download the inclusion proof of entry {seq}" }).ClickAsync());
        Assert.Equal($"proof-{seq}.json", download.SuggestedFilename);
        var path = await download.PathAsync();
        var key = Ed25519Key.Load(new StoreLayout(site.Store.StorePath).SigningPublicKeyFile);
        var check = ProofFile.Verify(await File.ReadAllBytesAsync(path!), key);
        Assert.Empty(check.Problems);
        Assert.Equal(long.Parse(seq!, System.Globalization.CultureInfo.InvariantCulture), JsonNode.Parse(await File.ReadAllTextAsync(path!))!["leafIndex"]!.GetValue<long>());

        await page.GetByLabel("From (UTC)").FillAsync("2000-01-01T00:00:01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page.Locator("#ledger-table tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("dashboard.signed-in");
        browser.AssertNoConsoleErrors();

        // Dark theme, once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Theme: auto" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Theme: light" }).ClickAsync();
        await Assertions.Expect(page.Locator("html[data-theme=dark]")).ToHaveCountAsync(1);
        await browser.AssertAccessibleAsync();
    }

    [SkippableFact]
    public async Task Ledger_OnATablet_PagesToOlderEntries()
    {
        await using var browser = await site.OpenAsync("ivan", "/ui/ledger", new ViewportSize { Width = 820, Height = 1180 });
        var page = browser.Page;
        await Assertions.Expect(page.Locator("#ledger-status")).ToContainTextAsync("verifies", new() { Timeout = 30_000 });
        var newest = await page.Locator("#ledger-table tbody tr").First.GetAttributeAsync("data-seq");
        var rows = await page.Locator("#ledger-table tbody tr").CountAsync();
        if (rows == 50)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Older entries" }).ClickAsync();
            await Assertions.Expect(page.Locator("#ledger-page")).ToHaveTextAsync("Page 2");
            var older = await page.Locator("#ledger-table tbody tr").First.GetAttributeAsync("data-seq");
            Assert.True(long.Parse(older!, System.Globalization.CultureInfo.InvariantCulture) < long.Parse(newest!, System.Globalization.CultureInfo.InvariantCulture) - 49);
        }

        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task LedgerApi_NamesTheBadParameter()
    {
        using var ivan = site.Service.As(site.Store.Tokens["ivan"]);
        foreach (var (query, field) in new[] { ("order=sideways", "order"), ("from=yesterday", "from"), ("beforeSeq=-1", "beforeSeq"), ("verify=true&limit=500", "limit"), ("user=", "user") })
        {
            var response = await ivan.GetAsync("/api/ledger?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Contains(problem["errors"]!.AsArray(), e => e!["field"]!.GetValue<string>() == field);
        }

        var page = await ivan.GetJsonAsync("/api/ledger?order=desc&limit=3&verify=true&user=ivan");
        var entries = page["entries"]!.AsArray();
        Assert.All(entries, e => Assert.Equal("ivan", e!["actor"]!["name"]!.GetValue<string>()));
        Assert.All(page["custody"]!.AsArray(), c => Assert.True(c!["verified"]!.GetValue<bool>()));
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.True(entries[i]!["seq"]!.GetValue<long>() < entries[i - 1]!["seq"]!.GetValue<long>());
        }
    }

    [SkippableFact]
    public async Task Verification_AuditorRunsOneAndSeesItFinishClean()
    {
        await using var browser = await site.OpenAsync("ivan", "/ui/verification");
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Run a verification now" }).ClickAsync();
        await Assertions.Expect(page.Locator("#verify-clean")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#verify-status")).ToContainTextAsync("verifies");
        await Assertions.Expect(page.Locator("#verify-run-view")).ToContainTextAsync("verify.completed");
        var completed = LedgerFile.Entries(site.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "verify.completed");
        Assert.Equal("ivan", completed["actor"]!["name"]!.GetValue<string>());
        Assert.True(completed["details"]!["passed"]!.GetValue<bool>());
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("verification");
    }

    [SkippableFact]
    public async Task Auditor_CannotReachAnyPacketUrl_EvenByTypingIt()
    {
        using var alice = site.Service.As(site.Store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(site.Store.Needle.Server, site.Store.Needle.ServerPort, site.Store.Window, "drop"));
        var done = await alice.WaitAsync(id, s => s["state"]!.GetValue<string>() is "succeeded" or "failed");
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        // The listings of chunks and artifacts are metadata (names, sizes, hashes) an auditor may read;
        // every URL they lead to is packet bytes.
        var chunks = (await alice.GetJsonAsync($"/api/queries/{id}/chunks"))["chunks"]!.AsArray().Select(c => c!["url"]!.GetValue<string>());
        var artifacts = (await alice.GetJsonAsync($"/api/queries/{id}/artifacts"))["artifacts"]!.AsArray().Select(a => a!["url"]!.GetValue<string>());
        string[] packetUrls = [$"/api/queries/{id}/pcap", .. chunks, .. artifacts, $"/api/queries/{id}/chunks/0", $"/api/queries/{id}/artifacts/drop/chunk-0.pcap"];
        Assert.True(packetUrls.Length >= 4, string.Join(", ", packetUrls));
        foreach (var url in packetUrls.Take(packetUrls.Length - 2))
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(url)).StatusCode);
        }

        await using var browser = await site.OpenAsync("ivan", "/ui/");
        foreach (var url in packetUrls)
        {
            var response = await browser.Page.GotoAsync(url);
            Assert.Equal(403, response!.Status);
        }

        using var ivan = site.Service.As(site.Store.Tokens["ivan"]);
        foreach (var url in packetUrls)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await ivan.GetAsync(url)).StatusCode);
        }

        foreach (var path in new[] { "/ui/", "/ui/ledger", "/ui/verification", "/ui/api" })
        {
            await browser.Page.GotoAsync(path);
            await browser.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var links = await browser.Page.Locator("a[href*='/pcap'], a[href*='/chunks'], a[href*='/artifacts'], a[href$='.pcap']").CountAsync();
            Assert.Equal(0, links);
        }
    }

    [SkippableFact]
    public async Task Admin_AddsAUserShowingTheTokenOnce_ChangesARole_Revokes_AllInTheLedger()
    {
        await using var browser = await site.OpenAsync("ada", "/ui/admin");
        var page = browser.Page;
        await Assertions.Expect(page.Locator("#users-table tbody tr[data-user=alice]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open the jobs dashboard" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#health")).ToContainTextAsync("answering");
        await Assertions.Expect(page.Locator("#capture-state")).ToContainTextAsync("stopped");

        await page.GetByLabel("Name").FillAsync("tess");
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("investigator");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        var token = await page.Locator("#new-token-value").TextContentAsync();
        Assert.StartsWith("rec_", token, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#new-token")).ToContainTextAsync("will not be shown again");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy token" })).ToBeVisibleAsync();
        using (var tess = site.Service.As(token))
        {
            Assert.Equal(HttpStatusCode.OK, (await tess.GetAsync("/api/queries")).StatusCode);
        }

        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("admin");

        var row = page.Locator("#users-table tbody tr[data-user=tess]");
        await row.GetByLabel("New role for tess").SelectOptionAsync("legal");
        await row.GetByRole(AriaRole.Button, new() { Name = "tess: Change role" }).ClickAsync();
        await Assertions.Expect(row.Locator("td").First).ToHaveTextAsync("legal");

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke tess" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("tess (legal)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked");

        // A reload shows the token nowhere: it was shown once.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#users-table tbody tr[data-user=tess]")).ToContainTextAsync("revoked");
        Assert.DoesNotContain(token!, await page.ContentAsync(), StringComparison.Ordinal);

        // A bad capture request is shown at the field the service named.
        await page.GetByLabel("Interface").FillAsync("no-such-interface0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start capture" }).ClickAsync();
        await Assertions.Expect(page.Locator("#interface-error")).Not.ToBeEmptyAsync();
        browser.AssertNoConsoleErrors("400 (Bad Request)");

        await using var auditor = await site.OpenAsync("ivan", "/ui/ledger");
        await auditor.Page.GetByLabel("Action").FillAsync("user.*");
        await auditor.Page.GetByLabel("User").FillAsync("ada");
        await auditor.Page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        var shown = auditor.Page.Locator("#ledger-table tbody tr td:nth-child(3)");
        await Assertions.Expect(shown.First).ToHaveTextAsync("user.revoked");
        var actions = await shown.AllTextContentsAsync();
        Assert.Equal(["user.revoked", "user.role-changed", "user.added"], actions.Take(3));
        await Assertions.Expect(auditor.Page.Locator("#ledger-table tbody tr").Nth(1)).ToContainTextAsync("previousRole=investigator");
        Assert.Empty(LedgerDocumentation.Undocumented(Path.Combine(site.Store.StorePath, "ledger", "ledger.jsonl")));
    }

    [SkippableFact]
    public async Task ApiReference_RendersTheServicesOwnOpenApiDocument()
    {
        await using var browser = await site.OpenAsync("lena", "/ui/api");
        var page = browser.Page;
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ledger", Exact = true })).ToBeVisibleAsync();
        var ledger = page.Locator("details.operation", new() { HasText = "/api/ledger/proof/{seq}" });
        await ledger.Locator("summary").ClickAsync();
        await Assertions.Expect(ledger).ToContainTextAsync("seq");
        await Assertions.Expect(ledger).ToContainTextAsync("Responses");
        await Assertions.Expect(page.Locator("details.operation", new() { HasText = "/api/users/{name}" }).Filter(new() { HasText = "PATCH" })).ToHaveCountAsync(1);
        await page.GetByLabel("Find an endpoint").FillAsync("verify");
        await Assertions.Expect(page.Locator("#api-count")).ToContainTextAsync("match");
        Assert.True(await page.Locator("details.operation:visible").CountAsync() >= 2);
        await page.GetByLabel("Find an endpoint").FillAsync(string.Empty);
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("api");
    }
}

/// <summary><see cref="AuditAdminPagesTests{TSite}"/> in chromium.</summary>
[Collection(DashboardSite.Collection)]
public sealed class AuditAdminPagesTestsInChromium(ChromiumSite site) : AuditAdminPagesTests<ChromiumSite>(site);

/// <summary><see cref="AuditAdminPagesTests{TSite}"/> in Firefox.</summary>
[Collection(DashboardSite.Collection)]
public sealed class AuditAdminPagesTestsInFirefox(FirefoxSite site) : AuditAdminPagesTests<FirefoxSite>(site);
