using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Recorder.Api.Users;

namespace Recorder.Api.Hosting;

/// <summary>
/// Hangfire, wired per application rather than through its static <c>JobStorage.Current</c>: each
/// service (and each test host) gets its own storage, client, activator and server, so two hosts in
/// one process never share a queue by accident.
/// </summary>
internal static class JobHosting
{
    /// <summary>
    /// The job storage: SQLite in <c>STORE/service/hangfire.db</c> by default (queued and running
    /// jobs survive a restart), or PostgreSQL, shared by every service pointed at it.
    /// </summary>
    public static (JobStorage Storage, string Description) CreateStorage(ServiceRuntime runtime)
    {
        var options = runtime.Options;
        if (options.PostgresConnectionString is { } connectionString)
        {
            var postgres = new PostgreSqlStorageOptions
            {
                SchemaName = options.PostgresSchema,
                QueuePollInterval = options.QueuePollInterval,
                InvisibilityTimeout = options.JobInvisibilityTimeout,
                UseSlidingInvisibilityTimeout = true,
                PrepareSchemaIfNecessary = true,
            };
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, postgres), postgres);
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return (storage, $"postgresql {builder.Host}:{builder.Port}/{builder.Database}, schema {options.PostgresSchema}");
        }

        var directory = UserDirectory.ServiceDirectory(runtime.Store.Layout);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "hangfire.db");
        var sqlite = new SQLiteStorage(path, new SQLiteStorageOptions
        {
            QueuePollInterval = options.QueuePollInterval,
            InvisibilityTimeout = options.JobInvisibilityTimeout,
        });
        return (sqlite, "sqlite " + path);
    }

    /// <summary>Registers Hangfire's services around <paramref name="storage"/> (and a server unless the node runs no workers).</summary>
    public static void AddJobs(IServiceCollection services, ServiceRuntime runtime, JobStorage storage)
    {
        // The marker Hangfire's extension methods look for. Its static configuration (log provider,
        // activator, storage) is deliberately left alone: everything is passed per application.
        services.AddSingleton<IGlobalConfiguration>(GlobalConfiguration.Configuration);
        services.AddSingleton(storage);
        services.AddSingleton<JobActivator>(provider => new ServiceJobActivator(provider));
        services.AddSingleton(DashboardRoutes.Routes);
        services.AddSingleton<IJobFilterProvider>(JobFilterProviders.Providers);
        services.AddSingleton<ITimeZoneResolver>(new DefaultTimeZoneResolver());
        services.AddSingleton<IBackgroundJobClient>(_ => new BackgroundJobClient(storage));
        if (runtime.Options.Workers > 0)
        {
            services.AddHangfireServer((provider, server) =>
            {
                server.WorkerCount = runtime.Options.Workers;
                server.ServerName = runtime.NodeName;
                server.Activator = provider.GetRequiredService<JobActivator>();
                server.ShutdownTimeout = TimeSpan.FromSeconds(30);
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            }, storage);
        }
    }

    /// <summary>Resolves jobs from the application's container, one scope per job.</summary>
    private sealed class ServiceJobActivator(IServiceProvider services) : JobActivator
    {
        public override object ActivateJob(Type jobType) => ActivatorUtilities.GetServiceOrCreateInstance(services, jobType);

        public override JobActivatorScope BeginScope(JobActivatorContext context) => new Scope(services.CreateScope());

        private sealed class Scope(IServiceScope scope) : JobActivatorScope
        {
            public override object Resolve(Type type) => ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);

            public override void DisposeScope() => scope.Dispose();
        }
    }
}
