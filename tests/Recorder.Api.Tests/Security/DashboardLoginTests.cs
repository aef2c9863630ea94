using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Recorder.Api.Hosting;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>An administrator opens the Hangfire dashboard in a browser: sign in with a token, the dashboard's session cookie, sign out.</summary>
public sealed class DashboardLoginTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task Administrator_SignsIn_UsesTheDashboard_AndSignsOut_AllLedgered()
    {
        using var browser = Browser();
        using (var anonymous = await browser.GetAsync("/hangfire"))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Equal("/ui/signin?next=%2Fhangfire", anonymous.Headers.Location!.OriginalString);
        }

        using (var page = await browser.GetAsync("/dashboard/login"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form method=\"post\" action=\"/dashboard/login\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using (var signIn = await SignInAsync(browser, service.Store.Tokens["ada"]))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/hangfire", signIn.Headers.Location!.OriginalString);
            var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith("recorder_session=", cookie, StringComparison.Ordinal);
            Assert.Contains("path=/;", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(service.Store.Tokens["ada"], cookie, StringComparison.Ordinal);
        }

        using (var dashboard = await browser.GetAsync("/hangfire"))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            Assert.Contains("Recorder jobs", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var signedIn = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("dashboard.signed-in", signedIn["action"]!.GetValue<string>());
        Assert.Equal("ada", signedIn["actor"]!["name"]!.GetValue<string>());

        using (var signOut = await browser.GetAsync("/hangfire/logout"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        }

        using (var after = await browser.GetAsync("/hangfire"))
        {
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        }

        Assert.Equal("dashboard.signed-out", LedgerFile.Entries(service.Store.StorePath).Last()["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task SessionCookie_OpensWhatTheRoleMay_AndAChangeNeedsTheSessionsAntiForgeryToken()
    {
        using var browser = Browser();
        using var signIn = await SignInAsync(browser, service.Store.Tokens["ada"]);

        using (var users = await browser.GetAsync("/api/users"))
        {
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        }

        using (var packets = await browser.GetAsync($"/api/queries/{service.AliceQuery}/pcap"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, packets.StatusCode);
        }

        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using (var forged = await browser.PostAsync("/api/users", JsonContent("{\"name\":\"mallory\",\"role\":\"admin\"}")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Contains("X-CSRF-Token", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var refusal = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("ada", refusal["actor"]!["name"]!.GetValue<string>());

        var home = await browser.GetStringAsync("/ui/");
        var csrf = System.Text.RegularExpressions.Regex.Match(home, "<meta name=\"csrf-token\" content=\"([^\"]+)\">").Groups[1].Value;
        Assert.NotEmpty(csrf);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = JsonContent("{\"name\":\"mallory\",\"role\":\"admin\"}") };
        wrong.Headers.Add("X-CSRF-Token", csrf + "x");
        using (var refused = await browser.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var right = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = JsonContent("{\"name\":\"carol\",\"role\":\"auditor\"}") };
        right.Headers.Add("X-CSRF-Token", csrf);
        using var added = await browser.SendAsync(right);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
    }

    [Fact]
    public async Task SignIn_IsRefused_ForABadToken_ARevokedToken_AndARoleWithoutTheDashboard()
    {
        using var browser = Browser();
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using (var unknown = await SignInAsync(browser, "rec_not-a-token-anyone-was-given"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            Assert.False(unknown.Headers.Contains("Set-Cookie"));
            Assert.Contains("not valid", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, LedgerFile.Entries(service.Store.StorePath).Count);

        using (var revoked = await SignInAsync(browser, service.Store.Tokens["rex"]))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
            Assert.False(revoked.Headers.Contains("Set-Cookie"));
        }

        using (var investigator = await SignInAsync(browser, service.Store.Tokens["alice"]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, investigator.StatusCode);
            Assert.False(investigator.Headers.Contains("Set-Cookie"));
        }

        var refusals = LedgerFile.Entries(service.Store.StorePath).Skip(before).ToList();
        Assert.Equal(["rex", "alice"], refusals.Select(e => e["actor"]!["name"]!.GetValue<string>()));
        Assert.All(refusals, e => Assert.Equal("request.refused", e["action"]!.GetValue<string>()));
        Assert.Equal([401, 403], refusals.Select(e => e["details"]!["status"]!.GetValue<int>()));

        using var notAForm = await browser.PostAsync("/dashboard/login", new StringContent("{\"token\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);
    }

    [Fact]
    public async Task RevokingTheToken_EndsItsDashboardSession_AtTheNextRequest()
    {
        var runtime = service.Factory.Services.GetRequiredService<ServiceRuntime>();
        var dora = runtime.Users.Add("dora", "admin", "test");
        using var browser = Browser();
        using (await SignInAsync(browser, dora.Token))
        {
        }

        using (var open = await browser.GetAsync("/hangfire"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        runtime.Users.Revoke("dora", "test");
        var before = LedgerFile.Entries(service.Store.StorePath).Count;
        using (var closed = await browser.GetAsync("/hangfire"))
        {
            Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
            Assert.Equal("/ui/signin?ended=revoked", closed.Headers.Location!.OriginalString);
        }

        var refusal = Assert.Single(LedgerFile.Entries(service.Store.StorePath).Skip(before));
        Assert.Equal("request.refused", refusal["action"]!.GetValue<string>());
        Assert.Equal("dora", refusal["actor"]!["name"]!.GetValue<string>());
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private HttpClient Browser() =>
        service.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string token) =>
        browser.PostAsync("/dashboard/login", new FormUrlEncodedContent([new KeyValuePair<string, string>("token", token)]));
}
