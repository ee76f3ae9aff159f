namespace Demiurge.Reconciliation;

internal static class ReconciliationExtensions
{
    /// <summary>The leader-only scheduler that runs every registered <see cref="IReconciler"/>.</summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.TryAddSingleton<ReconcileSignal>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ReconcileScheduler>());
        return services;
    }

    /// <summary>Registers <typeparamref name="T"/> with the scheduler, and as itself for those that call it.</summary>
    public static IServiceCollection AddReconciler<T>(this IServiceCollection services)
        where T : class, IReconciler
    {
        services.TryAddSingleton<T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, T>(provider => provider.GetRequiredService<T>()));
        return services.AddReconciliation();
    }
}
