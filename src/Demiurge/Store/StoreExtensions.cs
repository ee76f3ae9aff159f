using Demiurge.Coordination;
using Demiurge.Hosting;
using Demiurge.Store.Postgres;
using Demiurge.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Demiurge.Store;

internal static class StoreExtensions
{
    public const string DatabaseFileName = "demiurge.db";

    public static IServiceCollection AddStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DemiurgeOptions>>().Value;
            return options.Store.Provider == StoreOptions.Postgres
                ? new PostgresStore(options.Store.PostgresConnectionString!)
                : new SqliteStore(Path.Combine(Path.GetFullPath(options.DataDir), DatabaseFileName));
        });
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [OperationsEndpoints.ReadyTag]);

        // Who leads is decided where the state is: by a lock in PostgreSQL, by the single process on SQLite.
        services.AddLeadership();
        return services;
    }
}

/// <summary>Ready means the store answers.</summary>
internal sealed class StoreHealthCheck(IStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", exception);
        }
    }
}
