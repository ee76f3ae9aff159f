namespace Demiurge.Edge;

/// <summary>Runs the embedded edge inside the control plane when this process serves it (<c>demiurge up</c>).</summary>
internal sealed class EmbeddedEdgeService(IConfiguration configuration, ControlPlaneRole role, IOptions<EdgeOptions> options, IEdgeStore store, EdgeRouteTable table) : IHostedService, IAsyncDisposable
{
    /// <summary>The running edge; null when this process does not serve it.</summary>
    public EdgeHost? Host { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!role.ServesEdge || options.Value.Provider != EdgeOptions.Embedded)
        {
            return;
        }

        Host = EdgeHost.Create(configuration, store, table);
        await Host.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Host?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => Host?.DisposeAsync() ?? ValueTask.CompletedTask;
}
