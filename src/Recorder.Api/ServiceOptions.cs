using Recorder.Api.Queries;
using Recorder.Application;

namespace Recorder.Api;

/// <summary>How a Recorder service is set up (see docs/service.md). Validated when the service is built.</summary>
public sealed record ServiceOptions
{
    /// <summary>The default address: loopback only, plain HTTP.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The store directory (it must exist: import or capture into it first, or let <c>--capture</c> create it).</summary>
    public required string StorePath { get; init; }

    /// <summary>Create the store when absent (a service that captures may start on an empty directory).</summary>
    public bool CreateStore { get; init; }

    /// <summary>How the store is opened (store limits, time-stamp authority); the actor is the OS user running the service.</summary>
    public StoreAccessOptions Access { get; init; } = new();

    /// <summary>Where Kestrel listens (<c>http://</c> or, with a certificate, <c>https://</c>; port 0 picks a free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>A PKCS#12 (.pfx) certificate for HTTPS.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The certificate's password.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>The policy directory (roles.json, sinks.json); null: <see cref="Policies.PolicyLoader.Resolve"/>.</summary>
    public string? PoliciesDirectory { get; init; }

    /// <summary>A PostgreSQL connection string: the job queue is shared with every service using it. Null: SQLite inside the store.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Bearer JWTs from a site's identity provider, accepted besides Recorder's own tokens; null: only Recorder's tokens.</summary>
    public Security.JwtOptions? Jwt { get; init; }

    /// <summary>The identity provider's browser sign-in for the dashboard (needs <see cref="Jwt"/>: the provider's issuer and keys); null: tokens only.</summary>
    public Security.OidcOptions? Oidc { get; init; }

    /// <summary>The PostgreSQL schema holding Hangfire's tables.</summary>
    public string PostgresSchema { get; init; } = "hangfire";

    /// <summary>Jobs this node runs at once (0: this node only serves the API and queues jobs for others).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>
    /// How often an idle worker looks for a queued job (at most 1 s). It bounds how long an
    /// accepted query waits for a free worker, so it is short: one small indexed read per worker.
    /// </summary>
    public TimeSpan QueuePollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a job fetched by a worker that died (kill -9, power loss) stays invisible before
    /// another worker takes it. A worker that stops cleanly hands its job back at once; a job
    /// fetched twice waits for the query's lock and then finds it finished, so this only bounds the
    /// delay after a crash.
    /// </summary>
    public TimeSpan JobInvisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When chunks are cut.</summary>
    public ChunkOptions Chunks { get; init; } = new();

    /// <summary>
    /// The most result bytes per second one query writes (null: as fast as it can). Extractions
    /// then leave disk bandwidth to a live capture writing into the same store.
    /// </summary>
    public long? ExtractionBytesPerSecond { get; init; }

    /// <summary>The largest request body accepted (larger ones get 413).</summary>
    public long MaxRequestBodyBytes { get; init; } = 64 * 1024;

    /// <summary>A live capture to run inside the service from the start.</summary>
    public string? CaptureInterface { get; init; }

    /// <summary>Its libpcap filter.</summary>
    public string? CaptureFilter { get; init; }

    /// <summary>Include the open segments of live captures in queries (packets queryable before their segment is sealed).</summary>
    public bool QueryOpenSegments { get; init; } = true;

    /// <summary>This node's name in query records and the ledger.</summary>
    public string NodeName { get; init; } = Environment.MachineName + ":" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StorePath))
        {
            throw new ArgumentException("store: a store directory is required");
        }

        if (Urls.Count == 0)
        {
            throw new ArgumentException("urls: at least one address is required");
        }

        foreach (var url in Urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"urls: '{url}' is not an http:// or https:// address");
            }

            if (uri.Scheme == Uri.UriSchemeHttps && CertificatePath is null)
            {
                throw new ArgumentException($"urls: '{url}' needs a certificate (--certificate)");
            }
        }

        if (CertificatePath is not null && !File.Exists(CertificatePath))
        {
            throw new ArgumentException($"certificate: {CertificatePath}: no such file");
        }

        if (Workers is < 0 or > 256)
        {
            throw new ArgumentException($"workers: {Workers} is not 0 to 256");
        }

        if (QueuePollInterval <= TimeSpan.Zero || QueuePollInterval > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"queue poll interval must be above 0 and at most 1 s, not {QueuePollInterval}");
        }

        if (JobInvisibilityTimeout < TimeSpan.FromSeconds(30))
        {
            throw new ArgumentException($"job invisibility timeout must be at least 30 s, not {JobInvisibilityTimeout}");
        }

        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            throw new ArgumentException($"max request body must be 1 KiB to 16 MiB, not {MaxRequestBodyBytes}");
        }

        if (string.IsNullOrWhiteSpace(PostgresSchema) || !PostgresSchema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"postgres schema: '{PostgresSchema}' must be lower-case letters, digits and '_'");
        }

        if (ExtractionBytesPerSecond is < 1024)
        {
            throw new ArgumentException($"extraction rate must be at least 1024 bytes per second, not {ExtractionBytesPerSecond}");
        }

        Chunks.Validate();
        Jwt?.Validate();
        if (Oidc is not null && Jwt is null)
        {
            throw new ArgumentException("oidc: the identity provider's sign-in needs its issuer and keys (--jwt-issuer, --jwt-audience, --jwt-keys)");
        }

        Oidc?.Validate();
    }
}
