using Demiurge.Hosting;
using Demiurge.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Demiurge.Coordination;

internal static class CoordinationExtensions
{
    /// <summary>Leader election: an advisory lock on PostgreSQL, the single process on SQLite.</summary>
    public static IServiceCollection AddLeadership(this IServiceCollection services)
    {
        services.TryAddSingleton<ILeadership>(provider =>
            provider.GetRequiredService<IOptions<DemiurgeOptions>>().Value.Store.Provider == StoreOptions.Postgres
                ? ActivatorUtilities.CreateInstance<PostgresLeadership>(provider)
                : new SingleProcessLeadership());

        // Registered before the pool manager, so it starts first and stops last: the lock is
        // let go only once the pool manager has stopped acting on it.
        services.AddSingleton<IHostedService>(provider => (IHostedService)provider.GetRequiredService<ILeadership>());
        services.AddHealthChecks().AddCheck<LeadershipHealthCheck>("leadership", tags: [OperationsEndpoints.ReadyTag]);
        return services;
    }
}
