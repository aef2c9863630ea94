#if RECORDER_SERVICE
using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Recorder.Api;
using Recorder.Api.Capture;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Capture.Filtering;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder serve</c>: the investigation service (REST API, audited queries as Hangfire jobs,
/// streamed results and sinks, optional live capture) over the store, until Ctrl-C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CommandFactory factory)
    {
        var urls = new Option<string[]>("--urls") { Description = $"Where to listen (repeatable; default {ServiceOptions.DefaultUrl}; https:// needs --certificate)", HelpName = "URL" };
        var capture = new Option<string?>("--capture") { Description = "Capture live on this interface inside the service (needs root or CAP_NET_RAW)", HelpName = "IF" };
        var filter = new Option<string?>("--filter") { Description = "libpcap filter for --capture", HelpName = "BPF" };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string: share one job queue with every service using it (default: $RECORDER_POSTGRES, else SQLite inside the store)",
            HelpName = "CONNSTRING",
        };
        var schema = new Option<string>("--postgres-schema") { Description = "Schema for the job tables", HelpName = "NAME", DefaultValueFactory = _ => "hangfire" };
        var certificate = new Option<string?>("--certificate") { Description = "PKCS#12 certificate for HTTPS", HelpName = "PFX" };
        var certificatePassword = new Option<string?>("--certificate-password-env") { Description = "Environment variable holding the certificate's password", HelpName = "VAR" };
        var policies = new Option<string?>("--policies") { Description = $"Policy directory (roles.json, sinks.json; default: ${PolicyLoader.EnvironmentVariable}, else the defaults beside the program)", HelpName = "DIR" };
        var workers = new Option<int>("--workers") { Description = "Jobs run at once on this node (0: API only, jobs run on other nodes)", HelpName = "N", DefaultValueFactory = _ => 4 };
        var chunkPackets = new Option<int?>("--chunk-packets") { Description = "Cut a chunk at this many packets (default 10000)", HelpName = "N" };
        var chunkBytes = new Option<long?>("--chunk-bytes") { Description = "Cut a chunk at this many bytes (default 4 MiB)", HelpName = "N" };
        var chunkMilliseconds = new Option<int?>("--chunk-ms") { Description = "Cut a chunk once its first packet waited this long (default 500)", HelpName = "MS" };
        var jwtIssuer = new Option<string?>("--jwt-issuer") { Description = "Also accept bearer JWTs from this identity provider (iss); needs --jwt-audience and --jwt-keys", HelpName = "ISSUER" };
        var jwtAudience = new Option<string?>("--jwt-audience") { Description = "The audience (aud) of JWTs meant for Recorder", HelpName = "AUDIENCE" };
        var jwtKeys = new Option<string?>("--jwt-keys") { Description = "The provider's public signing keys: PEM PUBLIC KEY blocks or a JWKS file (read once, offline)", HelpName = "FILE" };
        var jwtNameClaim = new Option<string>("--jwt-name-claim") { Description = "Claim naming the user (the user is sso.NAME)", HelpName = "CLAIM", DefaultValueFactory = _ => "preferred_username" };
        var jwtRoleClaim = new Option<string>("--jwt-role-claim") { Description = "Claim holding the user's roles", HelpName = "CLAIM", DefaultValueFactory = _ => "roles" };
        var oidcAuthorize = new Option<string?>("--oidc-authorization-endpoint") { Description = "Dashboard sign-in at the identity provider (OIDC code flow + PKCE): its authorization endpoint; needs --oidc-token-endpoint, --oidc-client-id and the --jwt-* options", HelpName = "URL" };
        var oidcToken = new Option<string?>("--oidc-token-endpoint") { Description = "The provider's token endpoint (the service exchanges the code there)", HelpName = "URL" };
        var oidcClientId = new Option<string?>("--oidc-client-id") { Description = "Recorder's client id at the provider (the identity token's audience)", HelpName = "ID" };
        var oidcSecret = new Option<string?>("--oidc-client-secret-file") { Description = "File holding the client secret (a confidential client; default: a public client)", HelpName = "FILE" };
        var oidcRedirect = new Option<string?>("--oidc-redirect-uri") { Description = "The registered redirect URI (default: SCHEME://HOST/ui/signin/oidc/callback of the request)", HelpName = "URL" };
        var oidcScopes = new Option<string[]>("--oidc-scope") { Description = "A scope asked for besides openid (repeatable; default profile)", HelpName = "SCOPE" };
        var oidcName = new Option<string?>("--oidc-display-name") { Description = "The provider's name on the sign-in page (\"Sign in with NAME\")", HelpName = "NAME" };
        var rate = new Option<long?>("--extraction-rate") { Description = "Most result bytes per second one query writes (default: unlimited)", HelpName = "BYTES" };
        var json = new Option<bool>("--json")
        {
            Description = "Machine-readable output: one JSON object per line, {\"event\":\"listening\",…} once the service answers and {\"event\":\"stopped\"} at the end",
        };
        var command = new Command("serve", ServiceCommands.ServeDescription)
        {
            urls, capture, filter, postgres, schema, certificate, certificatePassword, policies, workers, chunkPackets, chunkBytes, chunkMilliseconds, rate,
            jwtIssuer, jwtAudience, jwtKeys, jwtNameClaim, jwtRoleClaim,
            oidcAuthorize, oidcToken, oidcClientId, oidcSecret, oidcRedirect, oidcScopes, oidcName, json,
        };
        factory.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var captureInterface = parse.GetValue(capture);
            var captureFilter = parse.GetValue(filter);
            if (captureFilter is not null && captureInterface is null)
            {
                throw CliException.Usage("--filter: applies to --capture, which is not given");
            }

            if (captureFilter is not null && PcapFilterCompiler.IsAvailable(out _) && !PcapFilterCompiler.Validate(captureFilter, out var filterError))
            {
                throw CliException.Usage($"--filter: {filterError}");
            }

            string? password = null;
            if (parse.GetValue(certificatePassword) is { } variable)
            {
                password = Environment.GetEnvironmentVariable(variable)
                    ?? throw CliException.Usage($"--certificate-password-env: the environment variable {variable} is not set");
            }

            JwtOptions? jwt = null;
            var (issuer, audience, keys) = (parse.GetValue(jwtIssuer), parse.GetValue(jwtAudience), parse.GetValue(jwtKeys));
            if (issuer is not null || audience is not null || keys is not null)
            {
                if (issuer is null || audience is null || keys is null)
                {
                    throw CliException.Usage("--jwt-issuer, --jwt-audience and --jwt-keys go together");
                }

                jwt = new JwtOptions
                {
                    Issuer = issuer, Audience = audience, KeysPath = Path.GetFullPath(keys),
                    NameClaim = parse.GetValue(jwtNameClaim)!, RoleClaim = parse.GetValue(jwtRoleClaim)!,
                };
            }

            OidcOptions? oidc = null;
            var (authorizeUrl, tokenUrl, clientId) = (parse.GetValue(oidcAuthorize), parse.GetValue(oidcToken), parse.GetValue(oidcClientId));
            if (authorizeUrl is not null || tokenUrl is not null || clientId is not null)
            {
                if (authorizeUrl is null || tokenUrl is null || clientId is null)
                {
                    throw CliException.Usage("--oidc-authorization-endpoint, --oidc-token-endpoint and --oidc-client-id go together");
                }

                if (jwt is null)
                {
                    throw CliException.Usage("--oidc-*: the provider's sign-in needs its issuer and keys (--jwt-issuer, --jwt-audience, --jwt-keys)");
                }

                var scopes = parse.GetValue(oidcScopes) ?? [];
                oidc = new OidcOptions
                {
                    AuthorizationEndpoint = authorizeUrl, TokenEndpoint = tokenUrl, ClientId = clientId,
                    ClientSecretPath = parse.GetValue(oidcSecret) is { } secret ? Path.GetFullPath(secret) : null,
                    RedirectUri = parse.GetValue(oidcRedirect),
                    Scopes = scopes.Length > 0 ? scopes : ["profile"],
                    DisplayName = parse.GetValue(oidcName) ?? "the identity provider",
                };
            }
            else if (parse.GetValue(oidcSecret) is not null || parse.GetValue(oidcRedirect) is not null || parse.GetValue(oidcName) is not null || parse.GetValue(oidcScopes) is { Length: > 0 })
            {
                throw CliException.Usage("--oidc-*: needs --oidc-authorization-endpoint, --oidc-token-endpoint and --oidc-client-id");
            }

            var certificatePath = parse.GetValue(certificate) is { } pfx ? Path.GetFullPath(pfx) : null;
            var given = parse.GetValue(urls) ?? [];
            var defaults = ChunkDefaults(parse.GetValue(chunkPackets), parse.GetValue(chunkBytes), parse.GetValue(chunkMilliseconds));
            var options = new ServiceOptions
            {
                StorePath = context.StorePath,
                CreateStore = captureInterface is not null,
                Access = context.AccessOptions(),
                Urls = given.Length > 0 ? given : [certificatePath is null ? ServiceOptions.DefaultUrl : "https://127.0.0.1:5443"],
                CertificatePath = certificatePath,
                CertificatePassword = password,
                PoliciesDirectory = parse.GetValue(policies),
                PostgresConnectionString = parse.GetValue(postgres) ?? NonEmpty(Environment.GetEnvironmentVariable("RECORDER_POSTGRES")),
                PostgresSchema = parse.GetValue(schema)!,
                Workers = parse.GetValue(workers),
                Chunks = defaults,
                ExtractionBytesPerSecond = parse.GetValue(rate),
                Jwt = jwt,
                Oidc = oidc,
                CaptureInterface = captureInterface,
                CaptureFilter = captureFilter,
            };
            WebApplication app;
            try
            {
                app = RecorderService.Build(options);
            }
            catch (PolicyException e)
            {
                throw CliException.Usage("policies: " + e.Message);
            }
            catch (ArgumentException e)
            {
                throw CliException.Usage(e.Message);
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (CaptureRefusedException e)
                {
                    throw CliException.Usage($"--capture: {e.Message}");
                }
                catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
                {
                    throw CliException.Usage($"--urls: {e.Message}");
                }

                var jobs = options.PostgresConnectionString is null ? "sqlite" : "postgresql";
                if (parse.GetValue(json))
                {
                    // One line, written once every address answers: a supervisor can wait for it, read the
                    // (possibly dynamic) ports and the node name, and start sending requests.
                    context.WriteJsonLine(new JsonObject
                    {
                        ["event"] = "listening",
                        ["urls"] = new JsonArray(app.Urls.Select(u => (JsonNode)JsonValue.Create(u)).ToArray()),
                        ["store"] = options.StorePath,
                        ["node"] = options.NodeName,
                        ["jobs"] = jobs,
                        ["workers"] = options.Workers,
                        ["dashboard"] = app.Urls.Select(u => u.TrimEnd('/') + "/ui/").FirstOrDefault(),
                        ["capture"] = captureInterface is null ? null : new JsonObject { ["interface"] = captureInterface, ["filter"] = captureFilter },
                        ["oidc"] = oidc is not null,
                    });
                }
                else
                {
                    foreach (var url in app.Urls)
                    {
                        context.Output.WriteLine($"recorder serve: listening on {url}");
                    }

                    context.Output.WriteLine($"recorder serve: store {options.StorePath}; jobs: {(jobs == "sqlite" ? "SQLite in the store" : "PostgreSQL")}, " +
                        $"{options.Workers} worker(s); Ctrl-C stops");
                }

                context.Output.Flush();
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                context.WriteJsonLine(new JsonObject { ["event"] = "stopped", ["store"] = options.StorePath, ["node"] = options.NodeName });
            }
            else
            {
                context.Output.WriteLine("recorder serve: stopped");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static ChunkOptions ChunkDefaults(int? packets, long? bytes, int? milliseconds)
    {
        var chunks = new ChunkOptions();
        if (packets is { } p)
        {
            chunks = chunks with { MaxPackets = p };
        }

        if (bytes is { } b)
        {
            chunks = chunks with { MaxBytes = b };
        }

        if (milliseconds is { } ms)
        {
            chunks = chunks with { MaxDelay = TimeSpan.FromMilliseconds(ms) };
        }

        try
        {
            chunks.Validate();
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage("--chunk-*: " + e.Message);
        }

        return chunks;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
#endif
