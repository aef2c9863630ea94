using Recorder.Api.Audit;
using Recorder.Api.Capture;
using Recorder.Api.Cases;
using Recorder.Api.Packages;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Api.Users;
using Recorder.Api.Verification;
using Recorder.Application;
using Recorder.Capture.Filtering;
using Recorder.Core.Store;
using Recorder.Ledger.Entries;
using Recorder.Storage.Query;
using Recorder.Storage.Store;

namespace Recorder.Api.Hosting;

/// <summary>
/// Everything one service process holds for its life: the store (opened once, with its ledger), the
/// policies loaded at start, the users, the query files, and the in-process capture. Built before the
/// web host, so a bad policy file or a missing store stops the service before it listens.
/// </summary>
public sealed class ServiceRuntime : IDisposable
{
    private ServiceRuntime(ServiceOptions options, EvidenceStore store, PolicySet policies)
    {
        Options = options;
        Store = store;
        Policies = policies;
        Clock = options.Clock;
        Users = new UserDirectory(store.Layout, options.Clock);
        Ledger = new ServiceLedger(store);
        Queries = new QueryRepository(store.Layout);
        Verifications = new VerificationRepository(store.Layout);
        Packages = new PackageRepository(store.Layout);
        CaseNotes = new CaseNotes(store.Layout);
        DashboardSessions = new DashboardSessions(options.Clock);
        Hub = new QueryHub();
        Index = new SharedIndexReader(store);
        Capture = new CaptureController(store, options.Clock);
        if (PcapFilterCompiler.IsAvailable(out var missing))
        {
            Bpf = new PcapFilterCompiler();
        }
        else
        {
            BpfUnavailable = missing;
        }

        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The options the service was built with.</summary>
    public ServiceOptions Options { get; }

    /// <summary>The store.</summary>
    public EvidenceStore Store { get; }

    /// <summary>Roles and sinks.</summary>
    public PolicySet Policies { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The service's users.</summary>
    public UserDirectory Users { get; }

    /// <summary>Ledger entries under service users.</summary>
    public ServiceLedger Ledger { get; }

    /// <summary>Query state and files.</summary>
    public QueryRepository Queries { get; }

    /// <summary>Verification runs.</summary>
    public VerificationRepository Verifications { get; }

    /// <summary>Evidence packages built through the API.</summary>
    public PackageRepository Packages { get; }

    /// <summary>Notes on cases (append-only; each also a ledger entry).</summary>
    public CaseNotes CaseNotes { get; }

    /// <summary>Checks bearer JWTs from the site's identity provider; null when none is configured.</summary>
    public JwtAuthenticator? Jwt { get; private init; }

    /// <summary>The identity provider's browser sign-in; null when none is configured.</summary>
    public OidcSignIn? Oidc { get; private init; }

    /// <summary>Browser sessions for the Hangfire dashboard.</summary>
    public DashboardSessions DashboardSessions { get; }

    /// <summary>The index reader the service's queries share.</summary>
    public SharedIndexReader Index { get; }

    /// <summary>In-process query news and cancellation.</summary>
    public QueryHub Hub { get; }

    /// <summary>The live capture.</summary>
    public CaptureController Capture { get; }

    /// <summary>The BPF compiler (null when libpcap is missing).</summary>
    public IPacketFilterCompiler? Bpf { get; }

    /// <summary>Why BPF is unavailable, when it is.</summary>
    public string? BpfUnavailable { get; }

    /// <summary>The client HTTP sinks use.</summary>
    public HttpClient Http { get; }

    /// <summary>The node's name.</summary>
    public string NodeName => Options.NodeName;

    /// <summary>Where jobs are queued (for the configuration endpoint; never a password).</summary>
    public string JobStorageDescription { get; internal set; } = string.Empty;

    /// <summary>
    /// Loads the policies and opens the store (creating it when asked), recovering abandoned writers.
    /// </summary>
    /// <exception cref="PolicyException">A policy file is invalid.</exception>
    /// <exception cref="StoreException">No store at the path.</exception>
    public static ServiceRuntime Open(ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var policies = PolicyLoader.Load(PolicyLoader.Resolve(options.PoliciesDirectory));
        var access = options.Access with { Actor = LedgerActor.CurrentOsUser(), Clock = options.Clock };
        var jwt = options.Jwt is { } jwtOptions ? JwtAuthenticator.Create(jwtOptions, options.Clock) : null;
        var oidc = options.Oidc is { } oidcOptions ? OidcSignIn.Create(oidcOptions, options.Jwt!, options.Clock) : null;
        var opened = StoreAccess.Open(options.StorePath, options.CreateStore, access);
        return new ServiceRuntime(options, opened.Store, policies) { Jwt = jwt, Oidc = oidc };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Capture.Dispose();
        Index.Dispose();
        Http.Dispose();
        Store.Dispose();
    }
}
