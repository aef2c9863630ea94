using System.Net;
using Recorder.Api.Security;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>
/// Signing in to the dashboard at the site's identity provider (OIDC authorization code flow with
/// PKCE) against a small provider in the test, each redirect followed by hand.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private ServiceTestStore _store = null!;
    private TestIdentityProvider _provider = null!;
    private KestrelService _service = null!;

    public async Task InitializeAsync()
    {
        _store = ServiceTestStore.Create(packets: 1_000);
        _provider = await TestIdentityProvider.StartAsync();
        var keys = _store.Directory.File("idp-keys.pem");
        _provider.WriteKeys(keys);
        var secret = _store.Directory.File("client-secret");
        await File.WriteAllTextAsync(secret, TestIdentityProvider.ClientSecret + "\n");
        _service = await KestrelService.StartAsync(_store.Options() with
        {
            Jwt = new JwtOptions { Issuer = TestIdentityProvider.Issuer, Audience = "recorder", KeysPath = keys },
            Oidc = new OidcOptions
            {
                AuthorizationEndpoint = _provider.AuthorizationEndpoint,
                TokenEndpoint = _provider.TokenEndpoint,
                ClientId = TestIdentityProvider.ClientId,
                ClientSecretPath = secret,
                DisplayName = "Test IdP",
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _provider.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public async Task AProviderUser_SignsIn_LandsOnTheDashboard_WithASession_LedgeredViaOidc()
    {
        _provider.Reset("Carol", "investigator");
        using var browser = new HandBrowser();
        using (var page = await browser.GetAsync(new Uri(_service.BaseAddress, "/ui/signin?next=%2Fui%2F")))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("href=\"/ui/signin/oidc?next=%2Fui%2F\">Sign in with Test IdP</a>", html, StringComparison.Ordinal);
        }

        var before = LedgerFile.Entries(_store.StorePath).Count;
        var callback = await ToProviderAndBackAsync(browser, "/ui/");
        var sent = _provider.LastAuthorization;
        Assert.Equal("S256", sent["code_challenge_method"]);
        Assert.Equal(43, sent["code_challenge"].Length);
        Assert.Equal("openid profile", sent["scope"]);
        Assert.Equal(new Uri(_service.BaseAddress, "/ui/signin/oidc/callback").ToString(), sent["redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(sent["nonce"]));
        Assert.NotEqual(sent["nonce"], sent["state"]);

        using (var back = await browser.GetAsync(callback))
        {
            Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
            Assert.Equal("/ui/", back.Headers.Location!.OriginalString);
            Assert.Contains(back.Headers.GetValues("Set-Cookie"), c => c.StartsWith("recorder_session=", StringComparison.Ordinal) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        }

        Assert.False(browser.Cookies.ContainsKey(OidcSignIn.CookieName));
        using (var home = await browser.GetAsync(new Uri(_service.BaseAddress, "/ui/")))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Contains("Signed in as <strong>sso.carol</strong>, role <strong>investigator</strong>", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var signedIn = Assert.Single(LedgerFile.Entries(_store.StorePath).Skip(before), e => e["action"]!.GetValue<string>() == "dashboard.signed-in");
        Assert.Equal("sso.carol", signedIn["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("oidc", signedIn["details"]!["via"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheStartCookie_IsHttpOnly_Lax_AndOnlyForTheSignInPaths()
    {
        using var browser = new HandBrowser();
        using var start = await browser.GetAsync(new Uri(_service.BaseAddress, "/ui/signin/oidc?next=//evil.example"));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.StartsWith(_provider.AuthorizationEndpoint + "?", start.Headers.Location!.ToString(), StringComparison.Ordinal);
        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(OidcSignIn.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/ui/signin/oidc", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=600", cookie, StringComparison.OrdinalIgnoreCase);

        // A next path of another origin is dropped: the sign-in lands on the dashboard's home.
        _provider.Reset("Carol", "investigator");
        using var back = await browser.GetAsync(await ViaProviderAsync(browser, HandBrowser.Next(start, _service.BaseAddress)));
        Assert.Equal("/ui/", back.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AWrongState_IsRefused_AndTheSignInCannotBeCompletedAfterwards()
    {
        _provider.Reset("Carol", "investigator");
        using var browser = new HandBrowser();
        var callback = await ToProviderAndBackAsync(browser, "/ui/");
        var cookie = browser.Cookies[OidcSignIn.CookieName];
        var state = _provider.LastAuthorization["state"];
        using (var forged = await browser.GetAsync(new Uri(callback.ToString().Replace("state=" + state, "state=forged", StringComparison.Ordinal))))
        {
            await AssertRefusedAsync(forged, HttpStatusCode.BadRequest, "does not belong to the sign-in this browser started (state)");
        }

        browser.Cookies[OidcSignIn.CookieName] = cookie;
        using var late = await browser.GetAsync(callback);
        await AssertRefusedAsync(late, HttpStatusCode.BadRequest, "unknown, expired (after 10 minutes) or already used");
    }

    [Fact]
    public async Task AReplayedCallback_IsRefused()
    {
        _provider.Reset("Carol", "investigator");
        using var browser = new HandBrowser();
        var callback = await ToProviderAndBackAsync(browser, "/ui/");
        var cookie = browser.Cookies[OidcSignIn.CookieName];
        using (var first = await browser.GetAsync(callback))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var replayer = new HandBrowser();
        replayer.Cookies[OidcSignIn.CookieName] = cookie;
        var before = LedgerFile.Entries(_store.StorePath).Count;
        using var replay = await replayer.GetAsync(callback);
        await AssertRefusedAsync(replay, HttpStatusCode.BadRequest, "already used");
        Assert.Equal(before, LedgerFile.Entries(_store.StorePath).Count);
    }

    [Fact]
    public async Task ACodeIssuedForAnotherSignIn_FailsThePkceCheck_AndIsRefusedCleanly()
    {
        _provider.Reset("Carol", "investigator");

        // The attacker's code (issued for their own code challenge) injected into the victim's
        // callback: the victim's verifier does not match it, so the provider refuses the exchange.
        using var attacker = new HandBrowser();
        var attackersCallback = await ToProviderAndBackAsync(attacker, "/ui/");
        var attackersCode = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(attackersCallback.Query)["code"].ToString();

        using var victim = new HandBrowser();
        var victimsCallback = await ToProviderAndBackAsync(victim, "/ui/");
        var victimsCode = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(victimsCallback.Query)["code"].ToString();
        using var injected = await victim.GetAsync(new Uri(victimsCallback.ToString().Replace("code=" + victimsCode, "code=" + attackersCode, StringComparison.Ordinal)));
        await AssertRefusedAsync(injected, HttpStatusCode.Unauthorized, "The identity provider refused the sign-in: invalid_grant (PKCE verification failed).");
        Assert.Contains("invalid_grant: PKCE verification failed", _provider.Refusals);
    }

    [Theory]
    [InlineData("nonce", "its nonce is not this sign-in")]
    [InlineData("audience", "SecurityTokenInvalidAudienceException")]
    [InlineData("expired", "SecurityTokenInvalidLifetimeException")]
    public async Task ABadIdentityToken_IsRefused_AndNamesNoOne(string fault, string why)
    {
        _provider.Reset("Carol", "investigator");
        switch (fault)
        {
            case "nonce": _provider.NonceOverride = "a-nonce-from-another-sign-in"; break;
            case "audience": _provider.AudienceOverride = "another-client"; break;
            default: _provider.ExpiresOverride = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-5); break;
        }

        using var browser = new HandBrowser();
        var callback = await ToProviderAndBackAsync(browser, "/ui/");
        var before = LedgerFile.Entries(_store.StorePath).Count;
        using var back = await browser.GetAsync(callback);
        await AssertRefusedAsync(back, HttpStatusCode.Unauthorized, why);
        Assert.Equal(before, LedgerFile.Entries(_store.StorePath).Count);
        _provider.Reset();
    }

    [Fact]
    public async Task AProviderUserWhoseRoleThePoliciesDoNotDefine_IsRefused_AndLedgered()
    {
        _provider.Reset("Dave", "visitor");
        using var browser = new HandBrowser();
        var callback = await ToProviderAndBackAsync(browser, "/ui/");
        var before = LedgerFile.Entries(_store.StorePath).Count;
        using var back = await browser.GetAsync(callback);
        await AssertRefusedAsync(back, HttpStatusCode.Forbidden, "Your role &#39;visitor&#39; is not defined in the policies in force.");
        var refused = Assert.Single(LedgerFile.Entries(_store.StorePath).Skip(before));
        Assert.Equal("request.refused", refused["action"]!.GetValue<string>());
        Assert.Equal("sso.dave", refused["actor"]!["name"]!.GetValue<string>());
        Assert.Equal(403, refused["details"]!["status"]!.GetValue<int>());
        _provider.Reset();
    }

    [Fact]
    public async Task TheProvidersOwnError_IsShownOnTheSignInPage()
    {
        using var browser = new HandBrowser();
        using var start = await browser.GetAsync(new Uri(_service.BaseAddress, "/ui/signin/oidc"));
        var authorize = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(HandBrowser.Next(start, _service.BaseAddress).Query);
        var denied = new Uri(_service.BaseAddress, "/ui/signin/oidc/callback?error=access_denied&error_description=%3Cb%3Euser%20cancelled%3C%2Fb%3E&state=" + Uri.EscapeDataString(authorize["state"].ToString()));
        using var back = await browser.GetAsync(denied);
        await AssertRefusedAsync(back, HttpStatusCode.Unauthorized, "Test IdP did not sign you in: access_denied (&lt;b&gt;user cancelled&lt;/b&gt;).");
    }

    [Fact]
    public void TheSignIn_IsCheckedAtStart_NamingTheOption()
    {
        var oidc = new OidcOptions { AuthorizationEndpoint = "https://idp.example.test/auth", TokenEndpoint = "https://idp.example.test/token", ClientId = "recorder" };
        var noProvider = Assert.Throws<ArgumentException>(() => (_store.Options() with { Oidc = oidc }).Validate());
        Assert.StartsWith("oidc: ", noProvider.Message, StringComparison.Ordinal);

        var plain = Assert.Throws<ArgumentException>(() => (oidc with { TokenEndpoint = "http://idp.example.test/token" }).Validate());
        Assert.Equal("oidc token endpoint: 'http://idp.example.test/token' must be https:// (plain http:// only on loopback)", plain.Message);

        var scope = Assert.Throws<ArgumentException>(() => (oidc with { Scopes = ["roles email"] }).Validate());
        Assert.StartsWith("oidc scopes: 'roles email'", scope.Message, StringComparison.Ordinal);

        var jwt = new JwtOptions { Issuer = TestIdentityProvider.Issuer, Audience = "recorder", KeysPath = _store.Directory.File("idp-keys.pem") };
        var missing = _store.Directory.File("no-such-secret");
        var secret = Assert.Throws<ArgumentException>(() => OidcSignIn.Create(oidc with { ClientSecretPath = missing }, jwt, TimeProvider.System));
        Assert.StartsWith($"oidc client secret: {missing}: ", secret.Message, StringComparison.Ordinal);
    }

    /// <summary>Starts a sign-in and lets the provider answer: the callback URL the browser is sent to (not yet followed).</summary>
    private async Task<Uri> ToProviderAndBackAsync(HandBrowser browser, string next)
    {
        using var start = await browser.GetAsync(new Uri(_service.BaseAddress, "/ui/signin/oidc?next=" + Uri.EscapeDataString(next)));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.True(browser.Cookies.ContainsKey(OidcSignIn.CookieName));
        return await ViaProviderAsync(browser, HandBrowser.Next(start, _service.BaseAddress));
    }

    private static async Task<Uri> ViaProviderAsync(HandBrowser browser, Uri authorize)
    {
        using var provider = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, provider.StatusCode);
        return HandBrowser.Next(provider, authorize);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("Sign in with Test IdP", html, StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("recorder_session=", StringComparison.Ordinal)));
    }
}
