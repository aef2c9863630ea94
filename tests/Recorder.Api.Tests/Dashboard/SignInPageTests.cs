using Microsoft.Playwright;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>Signing in and out of the dashboard in a browser, and the pages' security headers.</summary>
public abstract class SignInPageTests<TSite>(TSite site) : IClassFixture<TSite>
    where TSite : DashboardSite
{
    [SkippableFact]
    public async Task Root_SendsABrowserWithoutSessionToSignIn_ThenHome()
    {
        await using var browser = await site.OpenAsync(user: null, path: "/");
        Assert.Equal("/ui/signin", new Uri(browser.Page.Url).AbsolutePath);
        await browser.AssertAccessibleAsync();
        await browser.ScreenshotAsync("signin");

        await browser.Page.GetByLabel("Token").FillAsync(site.Store.Tokens["alice"]);
        await BrowserPage.NavigationAsync(browser.Page, () => browser.Page.Keyboard.PressAsync("Enter"), url => new Uri(url).AbsolutePath == "/ui/");

        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Link, new() { Name = "New query" }).First).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Link, new() { Name = "Administration" })).ToHaveCountAsync(0);
        await browser.AssertAccessibleAsync();
        browser.AssertNoConsoleErrors();
        await browser.ScreenshotAsync("home-investigator");
    }

    [SkippableFact]
    public async Task SessionCookie_IsHttpOnlyStrictAndNeverExposesTheToken()
    {
        await using var browser = await site.OpenAsync("lena");
        var cookie = Assert.Single(await browser.Context.CookiesAsync());
        Assert.Equal("recorder_session", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.NotEqual(site.Store.Tokens["lena"], cookie.Value);
        Assert.Equal(0, await browser.Page.EvaluateAsync<int>("() => document.cookie.length + localStorage.length + sessionStorage.length"));
        Assert.DoesNotContain(site.Store.Tokens["lena"], await browser.Page.ContentAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SignOut_EndsTheSessionAndIsLedgered()
    {
        await using var browser = await site.OpenAsync("ivan");
        var before = LedgerFile.Entries(site.Store.StorePath).Count;

        await BrowserPage.NavigationAsync(browser.Page, () => browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync(), url => new Uri(url).AbsolutePath == "/ui/signin");
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("signed out");

        var signedOut = LedgerFile.Entries(site.Store.StorePath).Skip(before).Single(e => e["action"]!.GetValue<string>() == "dashboard.signed-out");
        Assert.Equal("ivan", signedOut["actor"]!["name"]!.GetValue<string>());
        var response = await browser.Page.GotoAsync("/ui/");
        Assert.Equal("/ui/signin", new Uri(browser.Page.Url).AbsolutePath);
        Assert.NotNull(response);
        browser.AssertNoConsoleErrors();
    }

    [SkippableFact]
    public async Task Pages_CarryAStrictContentSecurityPolicyAndRefuseFraming()
    {
        await using var browser = await site.OpenAsync("ada");
        var response = await browser.Page.GotoAsync("/ui/");
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Empty(await browser.Page.Locator("script:not([src])").AllAsync());
        Assert.Empty(await browser.Page.Locator("[style]").AllAsync());
    }
}

/// <summary><see cref="SignInPageTests{TSite}"/> in chromium.</summary>
[Collection(DashboardSite.Collection)]
public sealed class SignInPageTestsInChromium(ChromiumSite site) : SignInPageTests<ChromiumSite>(site);

/// <summary><see cref="SignInPageTests{TSite}"/> in Firefox.</summary>
[Collection(DashboardSite.Collection)]
public sealed class SignInPageTestsInFirefox(FirefoxSite site) : SignInPageTests<FirefoxSite>(site);
