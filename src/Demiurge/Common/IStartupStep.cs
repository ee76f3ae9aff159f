namespace Demiurge.Common;

/// <summary>
/// Work a role does before it serves (preparing the data directory, migrating the store, loading
/// the key ring), run by <see cref="RoleHost.StartAsync"/> in the order the steps were registered.
/// </summary>
internal interface IStartupStep
{
    Task RunAsync(CancellationToken cancellationToken);
}
