namespace Demiurge.Runtime;

/// <summary>Starts and stops gateway workers: child processes, or containers with Docker.</summary>
internal interface IGatewayRuntime
{
    /// <summary>The name stored with each gateway ("process", "docker").</summary>
    string Name { get; }

    /// <summary>
    /// The build of the worker a start would run now, recorded with each gateway: a hash of the
    /// executable (or image). When it changes, the pool replaces the workers of older builds.
    /// </summary>
    string Build { get; }

    /// <summary>Starts a worker and returns its process id.</summary>
    Task<int> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken);

    /// <summary>Whether the worker <paramref name="gatewayId"/>, last seen as process <paramref name="pid"/>, still runs.</summary>
    ValueTask<bool> IsRunningAsync(int pid, string gatewayId, CancellationToken cancellationToken);

    /// <summary>Asks the worker to stop (it pushes its data), then kills it after <paramref name="grace"/>.</summary>
    Task StopAsync(int pid, string gatewayId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Removes what is left of the workers of gateways that are gone (e.g. exited containers).</summary>
    Task RemoveLeftoversAsync(IReadOnlySet<string> goneGatewayIds, CancellationToken cancellationToken);
}
