using Demiurge.ApiKeys;
using Demiurge.Coordination;
using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Security;
using Demiurge.Store.Postgres;
using Demiurge.Store.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Demiurge.Store;

internal static class StoreExtensions
{
    public const string DatabaseFileName = "demiurge.db";

    /// <summary>The database on the configured engine, and each feature's store over it.</summary>
    public static IServiceCollection AddStore(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StoreOptions>>().Value;
            return new Database(options.Provider == StoreOptions.Postgres
                ? new PostgresDialect(options.PostgresConnectionString!)
                : new SqliteDialect(Path.Combine(Path.GetFullPath(provider.GetRequiredService<IOptions<PlatformOptions>>().Value.DataDir), DatabaseFileName)));
        });
        services.TryAddSingleton<IUserStore, SqlUserStore>();
        services.TryAddSingleton<IOrganizationStore, SqlOrganizationStore>();
        services.TryAddSingleton<IEventStore, SqlEventStore>();
        services.TryAddSingleton<IApiKeyStore, SqlApiKeyStore>();
        services.TryAddSingleton<IKeyRingStore, SqlKeyRingStore>();
        services.TryAddSingleton<IDataProtectionKeyStore, SqlDataProtectionKeyStore>();
        services.TryAddSingleton<IGatewayStore, SqlGatewayStore>();
        services.TryAddSingleton<IEdgeStore, SqlEdgeStore>();
        services.TryAddSingleton<IDnsStore, SqlDnsStore>();
        services.TryAddSingleton<IControlPlaneStore, SqlControlPlaneStore>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthTags.Ready]);

        // Who leads is decided where the state is: by a lock in PostgreSQL, by the single process on SQLite.
        services.TryAddSingleton<ILeadership>(provider =>
            provider.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreOptions.Postgres
                ? ActivatorUtilities.CreateInstance<PostgresLeadership>(provider)
                : new SingleProcessLeadership());
        services.AddLeadership();
        return services;
    }
}

/// <summary>Ready means the store answers.</summary>
internal sealed class StoreHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", exception);
        }
    }
}
