using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Recorder.Api.Hosting;
using Recorder.Api.Ledger;
using Recorder.Api.Packages;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Core.Store;

namespace Recorder.Api;

/// <summary>
/// The Recorder investigation service: an ASP.NET Core Minimal API over one evidence store, with
/// queries run as Hangfire jobs (see docs/service.md and docs/api.md). <see cref="Build"/> gives a
/// Kestrel application (what <c>recorder serve</c> runs); <see cref="AddServices"/> and
/// <see cref="UsePipeline"/> compose the same service into any host (tests use them with
/// WebApplicationFactory).
/// </summary>
public static class RecorderService
{
    /// <summary>
    /// Opens the store, loads the policies and builds the web application. Throws before listening
    /// when a policy file is invalid (<see cref="PolicyException"/>) or the store is missing.
    /// </summary>
    public static WebApplication Build(ServiceOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runtime = ServiceRuntime.Open(options);
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseUrls([.. options.Urls]);
            if (options.CertificatePath is { } certificate)
            {
                var loaded = X509CertificateLoader.LoadPkcs12FromFile(certificate, options.CertificatePassword);
                builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = loaded));
            }

            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("Hangfire", LogLevel.Warning);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            AddServices(builder.Services, runtime);
            configure?.Invoke(builder);
            var app = builder.Build();
            UsePipeline(app);
            return app;
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    /// <summary>Registers the service (its runtime, Hangfire, OpenAPI, the lifetime hooks) into a container.</summary>
    public static void AddServices(IServiceCollection services, ServiceRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(runtime);

        // First: hosted services stop in reverse order, so the lifetime hook stops after the job server.
        services.AddHostedService<ServiceLifetime>();
        services.AddSingleton(runtime);
        services.AddSingleton(_ => new RuntimeOwner(runtime));
        services.AddSingleton(runtime.Options);
        services.AddRouting();
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();

        // A parameter that does not bind throws (naming it) instead of answering a bare 400, so
        // the exception handler can turn it into a problem document naming the field.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(handlers => handlers.ThrowOnBadRequest = true);
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Recorder investigation service";
            document.Info.Description = "Audited PCAP queries over an evidence store, streamed to investigators and pre-wired analysis tools. Every request except /health and this document needs Authorization: Bearer TOKEN.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A token from `recorder user add` (only its SHA-256 is stored).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        if (runtime.Oidc is { } oidc)
        {
            // The token exchange: bounded in time, and never following a redirect with the code.
            services.AddHttpClient(OidcSignIn.HttpClientName, client => client.Timeout = oidc.Options.Timeout)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        }

        var (storage, description) = JobHosting.CreateStorage(runtime);
        runtime.JobStorageDescription = description;
        JobHosting.AddJobs(services, runtime, storage);
    }

    /// <summary>The request pipeline: routing, the request gate (authentication, permissions, refusals ledgered), the endpoints.</summary>
    public static void UsePipeline(IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<Dashboard.SecurityHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages(EmptyStatusProblems.WriteAsync);
        app.UseRouting();
        app.UseMiddleware<RequestGate>();
        app.UseMiddleware<DashboardGuard>();
        app.UseEndpoints(MapEndpoints);
    }

    /// <summary>Maps every endpoint.</summary>
    public static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ServiceEndpoints.Map(endpoints);
        QueryEndpoints.Map(endpoints);
        PackageEndpoints.Map(endpoints);
        PackageInspection.Map(endpoints);
        LedgerEndpoints.Map(endpoints);
        Cases.CaseEndpoints.Map(endpoints);
        Traffic.TrafficEndpoints.Map(endpoints);
        Sessions.SessionEndpoints.Map(endpoints);
        Files.FileEndpoints.Map(endpoints);
        DashboardLogin.Map(endpoints);
        Dashboard.DashboardEndpoints.Map(endpoints);
        Dashboard.QueryPages.Map(endpoints);
        Dashboard.OidcEndpoints.Map(endpoints);
        Dashboard.AuditPages.Map(endpoints);
        Dashboard.CasePages.Map(endpoints);
        // The document describes the API and holds no evidence: anyone who can reach the service may read it.
        endpoints.MapOpenApi().AllowAnonymous();
        var storage = endpoints.ServiceProvider.GetRequiredService<JobStorage>();
        endpoints.MapHangfireDashboard(DashboardGuard.Path, new DashboardOptions
        {
            Authorization = [new DashboardPermissionFilter()],
            DashboardTitle = "Recorder jobs",
            DisplayStorageConnectionString = false,
            AppPath = null,

            // No requeue/delete/trigger buttons: jobs change only through the API, which ledgers
            // each change. DashboardGuard refuses the commands themselves whatever the page shows.
            IsReadOnlyFunc = _ => true,

            // Requests carry a bearer token, which a browser never adds by itself: no cross-site request can act.
            IgnoreAntiforgeryToken = true,
        }, storage).RequirePermission(Permission.Dashboard);
    }

    /// <summary>Disposes the runtime when the container is disposed, after every hosted service and request has stopped.</summary>
    private sealed class RuntimeOwner(ServiceRuntime runtime) : IDisposable
    {
        public void Dispose() => runtime.Dispose();
    }

    /// <summary>Records the service's start and stop in the ledger, and runs <c>--capture</c>.</summary>
    private sealed class ServiceLifetime(ServiceRuntime runtime, RuntimeOwner owner, JobStorage storage, IBackgroundJobClient jobs,
        ILogger<ServiceLifetime> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = owner;
            var options = runtime.Options;
            runtime.Store.Record(LedgerActions.ServiceStarted, new JsonObject { ["node"] = runtime.NodeName }, new Dictionary<string, string>
            {
                ["roles"] = runtime.Policies.RolesSha256,
                ["sinks"] = runtime.Policies.SinksSha256,
            }, new JsonObject
            {
                ["urls"] = new JsonArray(options.Urls.Select(u => (JsonNode)u).ToArray()),
                ["jobs"] = runtime.JobStorageDescription,
                ["workers"] = options.Workers,
                ["policies"] = runtime.Policies.Directory,
                ["capture"] = options.CaptureInterface,
            });

            // Before this node's job server starts (it is registered after this hook). Only a shortcut:
            // if it fails, the jobs still come back after the invisibility timeout.
            if (options.PostgresConnectionString is null)
            {
                try
                {
                    if (OrphanedJobs.Requeue(runtime, storage, jobs) is > 0 and var requeued)
                    {
                        logger.LogWarning("{Count} job(s) of a service that was killed went back to the queue", requeued);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    logger.LogWarning(e, "jobs of a killed service could not be requeued now; they run again after the invisibility timeout");
                }
            }

            if (options.CaptureInterface is { } captureInterface)
            {
                runtime.Capture.Start(captureInterface, options.CaptureFilter, "recorder serve --capture");
                logger.LogInformation("capturing on {Interface}", captureInterface);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            var capture = runtime.Capture.IsRunning ? runtime.Capture.Stop() : null;
            runtime.Store.Record(LedgerActions.ServiceStopped, new JsonObject { ["node"] = runtime.NodeName }, new Dictionary<string, string>(),
                new JsonObject { ["capture"] = capture });
            return Task.CompletedTask;
        }
    }
}
