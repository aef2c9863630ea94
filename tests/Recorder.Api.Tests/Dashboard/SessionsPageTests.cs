using System.Globalization;
using Microsoft.Playwright;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>The sessions page in a browser: an audited search, hostile names shown as text, and one session's packets extracted in one click.</summary>
public abstract class SessionsPageTests<TSite>(TSite site) : IClassFixture<TSite>
    where TSite : DashboardSite
{
    private const string Hostile = "<img src=x onerror=\"document.title='owned'\">evil.example";

    [SkippableFact]
    public async Task Investigator_SearchesSessions_SeesHostileNamesAsText_AndExtractsOneSessionsPackets()
    {
        Skip.IfNot(site.Available, site.SkipReason);
        site.Store.Run("sessions", "index");
        var needle = site.Store.Truth.Needles.First(n => n.Protocol == "tcp" && n.ServerPort > 0 && n.Server.Contains('.', StringComparison.Ordinal));
        await using var browser = await site.OpenAsync("alice", "/ui/sessions");
        var page = browser.Page;
        await browser.AssertAccessibleAsync();

        // Names in session records come from traffic: the answer is altered on its way into the page
        // (the page's fetch wrapped; request interception does not work in Firefox over WebDriver BiDi)
        // to carry markup, which the page must show as text and never turn into elements.
        await page.EvaluateAsync("""
            hostile => {
              const real = window.fetch;
              window.fetch = async (...args) => {
                const response = await real(...args);
                if (!String(args[0]).includes('/api/sessions/search') || !response.ok) return response;
                const answer = await response.json();
                for (const record of answer.results) record.dns = { queries: [hostile] };
                return new Response(JSON.stringify(answer), { status: response.status, headers: response.headers });
              };
            }
            """, Hostile);

        await page.GetByLabel("Address (either side)").FillAsync(needle.Server);
        await page.GetByLabel("Port (either side)").FillAsync(needle.ServerPort.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Case number (required)").FillAsync("CASE-77");
        await page.GetByLabel("Reason (required", new() { Exact = false }).FillAsync("sessions to the beacon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search sessions" }).ClickAsync();
        var rows = page.Locator("#sessions-table tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#search-summary")).ToContainTextAsync("ledger entry");
        await Assertions.Expect(rows.First.Locator("td.names")).ToContainTextAsync(Hostile);
        Assert.Equal(0, await page.Locator("#results img").CountAsync());
        Assert.NotEqual("owned", await page.TitleAsync());
        var search = LedgerFile.Entries(site.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "sessions.searched");
        Assert.Equal("alice", search["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("sessions to the beacon", search["reason"]!.GetValue<string>());
        Assert.Equal("CASE-77", search["case"]!.GetValue<string>());
        Assert.Contains(search["hashes"]!["answer"]!.GetValue<string>(), await page.Locator("#search-summary").InnerTextAsync(), StringComparison.Ordinal);
        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("sessions");

        var row = page.Locator("#sessions-table tbody tr", new() { HasText = $"{needle.Client}:{needle.ClientPort}" }).First;
        var reference = await row.GetAttributeAsync("data-session");
        Assert.NotNull(reference);
        await row.GetByRole(AriaRole.Button, new() { Name = "Extract packets of session " + reference }).ClickAsync();
        var link = row.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Query ") });
        await Assertions.Expect(link).ToBeVisibleAsync();
        await BrowserPage.NavigationAsync(page, () => link.ClickAsync(), url => new Uri(url).AbsolutePath.StartsWith("/ui/queries/", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#state")).ToContainTextAsync("succeeded", new() { Timeout = 60_000 });

        var id = new Uri(page.Url).AbsolutePath.Split('/')[^1];
        var entries = LedgerFile.ForQuery(site.Store.StorePath, id);
        var submitted = entries.Single(e => e["action"]!.GetValue<string>() == "query.submitted");
        Assert.Equal("CASE-77", submitted["case"]!.GetValue<string>());
        Assert.Equal("sessions to the beacon", submitted["reason"]!.GetValue<string>());
        Assert.Equal(reference, submitted["details"]!["filter"]!["conversations"]![0]!["session"]!.GetValue<string>());
        var written = entries.Single(e => e["action"]!.GetValue<string>() == "extraction.written");
        var expected = site.Store.Directory.File($"session-{Guid.NewGuid():N}.pcap");
        site.Store.Run("query", "--session", reference!, "--out", expected, "--case", "CASE-77", "--reason", "oracle");
        Assert.Equal(CaptureFiles.Sha256(expected), written["hashes"]!["output"]!.GetValue<string>());
        browser.AssertNoConsoleErrors();
    }
}

/// <summary><see cref="SessionsPageTests{TSite}"/> in chromium.</summary>
[Collection(DashboardSite.Collection)]
public sealed class SessionsPageTestsInChromium(ChromiumSite site) : SessionsPageTests<ChromiumSite>(site);

/// <summary><see cref="SessionsPageTests{TSite}"/> in Firefox.</summary>
[Collection(DashboardSite.Collection)]
public sealed class SessionsPageTestsInFirefox(FirefoxSite site) : SessionsPageTests<FirefoxSite>(site);
