namespace Demiurge.Runtime;

/// <summary>
/// Runs instances of <c>demiurge</c>: child processes, or Docker containers. Gateway workers are
/// its instances today; user containers and app replicas are next.
/// </summary>
internal interface IInstanceDriver
{
    /// <summary>The name stored with each instance ("process", "docker"): <see cref="InstanceHandle.Driver"/>.</summary>
    string Name { get; }

    /// <summary>
    /// The build an instance started now would run: a hash of the executable (or image), recorded
    /// with each gateway. When it changes, the pool replaces the workers of older builds.
    /// </summary>
    string Build { get; }

    /// <summary>Starts an instance and returns its handle.</summary>
    Task<InstanceHandle> StartAsync(InstanceSpec spec, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="instance"/> still runs.</summary>
    ValueTask<bool> IsRunningAsync(InstanceHandle instance, CancellationToken cancellationToken);

    /// <summary>Asks the instance to stop (a worker pushes its data), then kills it after <paramref name="grace"/>.</summary>
    Task StopAsync(InstanceHandle instance, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Removes what is left of the instances that are gone (e.g. exited containers), given their ids.</summary>
    Task RemoveLeftoversAsync(IReadOnlySet<string> goneInstanceIds, CancellationToken cancellationToken);
}
