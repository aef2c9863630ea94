using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>Incidents, the traffic timeline and evidence packages in a browser.</summary>
public abstract class CasePagesTests<TSite>(TSite site) : IClassFixture<TSite>
    where TSite : DashboardSite
{
    private const string Case = "IR-2024-017";

    private async Task<string> CaseQueryAsync()
    {
        using var alice = site.Service.As(site.Store.Tokens["alice"]);
        var existing = await alice.GetJsonAsync("/api/queries?case=" + Case);
        if (existing["queries"]!.AsArray().FirstOrDefault() is { } query)
        {
            return query["id"]!.GetValue<string>();
        }

        var body = ApiClient.Query(site.Store.Needle.Server, site.Store.Needle.ServerPort, site.Store.Window);
        body["case"] = Case;
        var id = await alice.SubmitAsync(body);
        var done = await alice.WaitSettledAsync(id);
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        return id;
    }

    [SkippableFact]
    public async Task Incidents_ListTheCase_SearchWorks_AndANoteIsAddedWithAuthorTimeAndLedgerEntry()
    {
        await CaseQueryAsync();
        await using var browser = await site.OpenAsync("alice", "/ui/cases");
        var page = browser.Page;
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = Case })).ToBeVisibleAsync();
        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("cases");

        await page.GetByLabel("Search").FillAsync("no-such-case");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByText("No case matches.")).ToBeVisibleAsync();
        await page.GetByLabel("Search").FillAsync(site.Store.Needle.Server);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = Case })).ToBeVisibleAsync();
        Assert.Contains("search=", page.Url, StringComparison.Ordinal);

        await BrowserPage.NavigationAsync(page, () => page.GetByRole(AriaRole.Link, new() { Name = Case }).ClickAsync(), url => new Uri(url).AbsolutePath == "/ui/cases/" + Case);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Case " + Case })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#queries-table tbody tr").First).ToContainTextAsync("alice");

        var text = "Beaconing confirmed " + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Add a note").FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        var note = page.Locator("li.note", new() { HasText = text });
        await Assertions.Expect(note).ToBeVisibleAsync();
        await Assertions.Expect(note.Locator(".note-meta")).ToContainTextAsync("alice");
        await Assertions.Expect(note.Locator("time")).ToContainTextAsync("UTC");
        var entry = LedgerFile.Entries(site.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "case.note-added");
        Assert.Equal(text, entry["details"]!["text"]!.GetValue<string>());
        Assert.Equal("alice", entry["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(Case, entry["case"]!.GetValue<string>());
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("case");

        // Dark theme, once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Theme: auto" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Theme: light" }).ClickAsync();
        await Assertions.Expect(page.Locator("html[data-theme=dark]")).ToHaveCountAsync(1);
        await browser.AssertAccessibleAsync();
    }

    [SkippableFact]
    public async Task Incidents_OnATablet_AreUsable()
    {
        await CaseQueryAsync();
        await using var browser = await site.OpenAsync("lena", "/ui/cases", new ViewportSize { Width = 820, Height = 1180 });
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Link, new() { Name = Case })).ToBeVisibleAsync();
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
    }

    [SkippableFact]
    public async Task Timeline_Renders_AndADragSelectedWindowOpensThePrefilledQueryForm()
    {
        await using var browser = await site.OpenAsync("alice", "/ui/timeline");
        var page = browser.Page;
        await Assertions.Expect(page.Locator("#traffic-chart rect.bar").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#segments-table tbody tr").First).ToBeVisibleAsync();
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("timeline");

        // Keyboard alternative: typed times update the link.
        await page.GetByLabel("From (UTC, RFC 3339)").FillAsync("2023-11-14T22:00:00Z");
        await page.GetByLabel("To (UTC, exclusive)").FillAsync("2023-11-14T23:00:00Z");
        Assert.Equal("/ui/queries/new?from=2023-11-14T22%3A00%3A00Z&to=2023-11-14T23%3A00%3A00Z",
            await page.GetByRole(AriaRole.Link, new() { Name = "Query this window" }).GetAttributeAsync("href"));

        var box = (await page.Locator("#traffic-chart").BoundingBoxAsync())!;
        var y = box.Y + (box.Height / 2);
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.25f), y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.5f), y, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/ui/queries/new", new() { WaitUntil = WaitUntilState.Commit });
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        var from = DateTimeOffset.Parse(query["from"]!, System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(query["to"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(to > from, page.Url);
        Assert.EndsWith("Z", query["from"]!, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Packages_LegalBuildsFromTheCase_DownloadsTheZip_AndVerifyPackagePasses()
    {
        var queryId = await CaseQueryAsync();
        await using var browser = await site.OpenAsync("lena", "/ui/packages?case=" + Case);
        var page = browser.Page;
        var box = page.Locator($"input[name=queries][value='{queryId}']");
        await Assertions.Expect(box).ToBeCheckedAsync();
        await page.GetByLabel("Title").FillAsync("Exfiltration over TLS, host 1");
        await page.GetByLabel("Reason").FillAsync("Court order 2024/117");
        await page.GetByLabel("Examiner's name").FillAsync("Lena Marsh");
        await page.GetByLabel("Organisation").FillAsync("Example Corp. Legal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Build package" }).ClickAsync();
        await Assertions.Expect(page.Locator("#build-status")).ToContainTextAsync("Built", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#verify h3")).ToContainTextAsync("passed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#verify .badge-error")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("ol.report-pages img").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(await page.Locator("ol.report-pages img").First.EvaluateAsync<bool>("img => img.naturalWidth > 100"));
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("packages");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#build-status a", new() { HasText = "download the zip" }).ClickAsync());
        var path = site.Store.Directory.File("browser-" + Guid.NewGuid().ToString("N") + ".zip");
        await download.SaveAsAsync(path);
        var verified = site.Store.Run("verify-package", path, "--json");
        Assert.True(JsonNode.Parse(verified)!["passed"]!.GetValue<bool>(), verified);
        var built = LedgerFile.Entries(site.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "package.built");
        Assert.Contains("Lena Marsh", built.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("Example Corp. Legal", built.ToJsonString(), StringComparison.Ordinal);
        var read = LedgerFile.Entries(site.Store.StorePath).Last(e => e["action"]!.GetValue<string>() == "package.read");
        Assert.Equal("lena", read["actor"]!["name"]!.GetValue<string>());
    }
}

/// <summary><see cref="CasePagesTests{TSite}"/> in chromium.</summary>
[Collection(DashboardSite.Collection)]
public sealed class CasePagesTestsInChromium(ChromiumSite site) : CasePagesTests<ChromiumSite>(site);

/// <summary><see cref="CasePagesTests{TSite}"/> in Firefox.</summary>
[Collection(DashboardSite.Collection)]
public sealed class CasePagesTestsInFirefox(FirefoxSite site) : CasePagesTests<FirefoxSite>(site);
