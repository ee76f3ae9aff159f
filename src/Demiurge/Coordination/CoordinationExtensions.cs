
namespace Demiurge.Coordination;

internal static class CoordinationExtensions
{
    /// <summary>
    /// Leader election, run and checked: the <see cref="ILeadership"/> registered before (the store
    /// registers an advisory lock on PostgreSQL), or the single process.
    /// </summary>
    public static IServiceCollection AddLeadership(this IServiceCollection services)
    {
        services.TryAddSingleton<ILeadership, SingleProcessLeadership>();

        // Registered before the pool manager, so it starts first and stops last: the lock is
        // let go only once the pool manager has stopped acting on it.
        services.AddSingleton<IHostedService>(provider => (IHostedService)provider.GetRequiredService<ILeadership>());
        services.AddHealthChecks().AddCheck<LeadershipHealthCheck>("leadership", tags: [HealthTags.Ready]);
        return services;
    }
}
