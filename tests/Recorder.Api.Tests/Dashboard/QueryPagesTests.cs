using System.Security.Cryptography;
using Microsoft.Playwright;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>The investigator's query flow in a browser: indicators pasted, submitted by keyboard, followed live, downloaded.</summary>
public abstract class QueryPagesTests<TSite>(TSite site) : IClassFixture<TSite>
    where TSite : DashboardSite
{
    [SkippableFact]
    public async Task Investigator_PastesAnAlert_SubmitsByKeyboard_FollowsIt_AndDownloadsTheClisAnswer()
    {
        var needle = site.Store.Truth.Needles.First(n => n.ServerPort > 0 && n.Server.Contains('.', StringComparison.Ordinal));
        var expected = site.Store.Expected(needle.Server, needle.ServerPort);
        await using var browser = await site.OpenAsync("alice", "/ui/queries/new");
        var page = browser.Page;
        await browser.AssertAccessibleAsync();

        var alert = $"IDS ALERT 2023-11-14 10:00:00 UTC sensor v1.2.3: beacon {needle.Server}:{needle.ServerPort} also seen 2001:db8::17, " +
            "range 198.51.100.0/24; decoys 10.0.0.256 and 4.5.6.7.8 on 2023-11-14.";
        await page.GetByLabel("Alert text or list of indicators").FocusAsync();
        await page.Keyboard.InsertTextAsync(alert);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        var chips = page.Locator("#chips li");
        await Assertions.Expect(chips).ToHaveTextAsync([needle.Server + "×", $"port {needle.ServerPort}×", "2001:db8::17×", "198.51.100.0/24×"]);

        // Keyboard only: focus each extra chip's remove button and press Enter.
        foreach (var extra in new[] { "2001:db8::17", "198.51.100.0/24" })
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Remove " + extra }).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
        }

        await Assertions.Expect(chips).ToHaveCountAsync(2);
        // Chromium's datetime-local segments depend on the locale; the window is filled, everything else typed.
        await page.GetByLabel("From (UTC)").FillAsync("2023-11-14T00:00");
        await page.GetByLabel("To (UTC, exclusive)").FillAsync("2023-11-16T00:00");
        await Assertions.Expect(page.Locator("#from-local")).ToContainTextAsync("=");
        await page.GetByLabel("BPF filter").FocusAsync();
        await page.Keyboard.TypeAsync("tcp and and");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#filter-bpf-error")).Not.ToBeEmptyAsync();
        await page.GetByLabel("BPF filter").FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Backspace");
        await page.GetByLabel("Case number (required)").FocusAsync();
        await page.Keyboard.TypeAsync("CASE-7");
        await page.GetByLabel("Reason (required)").FocusAsync();
        await page.Keyboard.TypeAsync("beacon from the IDS alert");
        await page.GetByLabel("drop (folder)", new() { Exact = false }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await browser.ScreenshotAsync("new-query");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit PCAP query" }).FocusAsync();
        await BrowserPage.NavigationAsync(page, () => page.Keyboard.PressAsync("Enter"), url => new Uri(url).AbsolutePath.StartsWith("/ui/queries/", StringComparison.Ordinal) && !url.EndsWith("/new", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Chunk 1" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#state")).ToContainTextAsync("succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#summary table").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#summary svg.chart rect")).Not.ToHaveCountAsync(0);
        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("query-done");

        var id = new Uri(page.Url).AbsolutePath.Split('/')[^1];
        var shown = await page.Locator("#result-custody code").InnerTextAsync();
        var ledger = LedgerFile.ForQuery(site.Store.StorePath, id).Single(e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.Contains(shown, ledger.ToJsonString(), StringComparison.Ordinal);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the whole PCAP" }).ClickAsync());
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(await File.ReadAllBytesAsync(expected.Path), bytes);
        Assert.Equal(shown, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(expected.Sha256, shown);

        // The one failed request the browser logs is the BPF check's 400 the test provoked on purpose.
        browser.AssertNoConsoleErrors("/api/queries/check");
    }
}

/// <summary><see cref="QueryPagesTests{TSite}"/> in chromium.</summary>
[Collection(DashboardSite.Collection)]
public sealed class QueryPagesTestsInChromium(ChromiumSite site) : QueryPagesTests<ChromiumSite>(site);

/// <summary><see cref="QueryPagesTests{TSite}"/> in Firefox.</summary>
[Collection(DashboardSite.Collection)]
public sealed class QueryPagesTestsInFirefox(FirefoxSite site) : QueryPagesTests<FirefoxSite>(site);
