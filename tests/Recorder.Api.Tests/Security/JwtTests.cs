using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Recorder.Api.Hosting;
using Recorder.Api.Security;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Security;

/// <summary>A site's identity provider: its signed JWTs are accepted as bearer tokens, checked offline against its public keys.</summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.example.test/realms/soc";
    private const string Audience = "recorder";
    private readonly RSA _provider = RSA.Create(2048);
    private ServiceTestStore _store = null!;
    private ServiceFactory _service = null!;

    public async Task InitializeAsync()
    {
        _store = ServiceTestStore.Create(packets: 5_000);
        var keys = _store.Directory.File("idp-keys.pem");
        await File.WriteAllTextAsync(keys, _provider.ExportSubjectPublicKeyInfoPem());
        _service = new ServiceFactory(_store.Options() with { Jwt = new JwtOptions { Issuer = Issuer, Audience = Audience, KeysPath = keys } });

        // Started (and its service.started entry written) before any test counts ledger entries.
        using var anyone = _service.As(null);
        using var health = await anyone.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _store.Dispose();
        _provider.Dispose();
    }

    [Fact]
    public async Task AProviderUser_SubmitsAQuery_UnderTheirOwnPrefixedName_AndLocalTokensStillWork()
    {
        using var carol = _service.As(Token("Carol", ["investigator"]));
        var id = await carol.SubmitAsync(ApiClient.Query(_store.Needle.Server, _store.Needle.ServerPort, _store.Window));
        var done = await carol.WaitSettledAsync(id);
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        Assert.Equal("sso.carol", done["owner"]!.GetValue<string>());
        Assert.Equal("sso.carol", LedgerFile.ForQuery(_store.StorePath, id).First(e => e["action"]!.GetValue<string>() == "query.submitted")["actor"]!["name"]!.GetValue<string>());

        using var alice = _service.As(_store.Tokens["alice"]);
        using var notHers = await alice.GetAsync("/api/queries/" + id + "/pcap");
        Assert.Equal(HttpStatusCode.Forbidden, notHers.StatusCode);
    }

    [Fact]
    public async Task BadTokens_Are401_AndNameNoOne()
    {
        using var other = RSA.Create(2048);
        var tokens = new[]
        {
            Token("carol", ["investigator"], audience: "another-service"),
            Token("carol", ["investigator"], issuer: "https://elsewhere.test"),
            Token("carol", ["investigator"], expires: TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-10)),
            Token("carol", ["investigator"], key: other),
            Token("carol", ["investigator"])[..^4] + "AAAA",
            Token("Carol Smith", ["investigator"]),
        };
        var before = LedgerFile.Entries(_store.StorePath).Count;
        foreach (var token in tokens)
        {
            using var client = _service.As(token);
            using var response = await client.GetAsync("/api/queries");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{token}: {(int)response.StatusCode}");
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, LedgerFile.Entries(_store.StorePath).Count);
    }

    [Fact]
    public async Task ARoleThePoliciesDoNotAllow_Is403_AndLedgeredUnderTheProviderUser()
    {
        var before = LedgerFile.Entries(_store.StorePath).Count;
        using (var ivan = _service.As(Token("ivan.a", ["auditor"])))
        using (var refused = await ivan.PostJsonAsync("/api/queries", ApiClient.Query(_store.Needle.Server, _store.Needle.ServerPort, _store.Window).ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var nobody = _service.As(Token("dave", ["visitor"])))
        using (var unknownRole = await nobody.GetAsync("/api/queries"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unknownRole.StatusCode);
        }

        var refusals = LedgerFile.Entries(_store.StorePath).Skip(before).ToList();
        Assert.Equal(["sso.ivan.a", "sso.dave"], refusals.Select(e => e["actor"]!["name"]!.GetValue<string>()));
        Assert.All(refusals, e => Assert.Equal("request.refused", e["action"]!.GetValue<string>()));
    }

    [Fact]
    public void AnUnusableKeyFile_StopsTheServiceBeforeItListens_NamingTheFile()
    {
        var keys = _store.Directory.File("not-keys.pem");
        File.WriteAllText(keys, "no key here");
        var error = Assert.Throws<ArgumentException>(() => ServiceRuntime.Open(_store.Options() with
        {
            Jwt = new JwtOptions { Issuer = Issuer, Audience = Audience, KeysPath = keys },
        }).Dispose());
        Assert.Contains(keys, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProvidersKeys_MayAlsoComeAsAJwksDocument()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_provider.ExportParameters(false)));
        jwk.Use = "sig";
        var jwks = _store.Directory.File("idp-jwks.json");
        await File.WriteAllTextAsync(jwks, "{\"keys\":[" + System.Text.Json.JsonSerializer.Serialize(new { kty = jwk.Kty, use = jwk.Use, n = jwk.N, e = jwk.E }) + "]}");
        var authenticator = JwtAuthenticator.Create(new JwtOptions { Issuer = Issuer, Audience = Audience, KeysPath = jwks }, TimeProvider.System);

        var (user, error) = await authenticator.AuthenticateAsync(Token("Erin", ["legal", "investigator"]), ["investigator", "legal"], TimeProvider.System);
        Assert.True(user is not null, error);
        Assert.Equal("sso.erin", user.Name);
        Assert.Equal("legal", user.Role);

        using var other = RSA.Create(2048);
        var (forged, why) = await authenticator.AuthenticateAsync(Token("Erin", ["legal"], key: other), ["legal"], TimeProvider.System);
        Assert.Null(forged);
        Assert.Contains("not valid", why, StringComparison.Ordinal);
    }

    private string Token(string name, string[] roles, string audience = Audience, string issuer = Issuer, DateTime? expires = null, RSA? key = null)
    {
        var claims = new List<Claim> { new("preferred_username", name), new("sub", Guid.NewGuid().ToString()) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var end = expires ?? TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = end.AddMinutes(-20),
            NotBefore = end.AddMinutes(-20),
            Expires = end,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _provider), SecurityAlgorithms.RsaSha256),
        });
    }
}
