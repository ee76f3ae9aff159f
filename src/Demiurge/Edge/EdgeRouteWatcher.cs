namespace Demiurge.Edge;

/// <summary>
/// Keeps the embedded edge's route table current with the store. Start-up loads every route
/// before the edge listens.
/// </summary>
internal sealed partial class EdgeRouteWatcher(IEdgeStore store, EdgeRouteTable table, TimeProvider time, ILogger<EdgeRouteWatcher> logger)
    : EdgeRouteFollower(store, time, logger)
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken);
        LogLoaded(logger, table.Count);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ApplyAsync(IReadOnlyList<EdgeRoute> changes, long version, bool first, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            table.Apply(change, version);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Edge loaded {Routes} routes")]
    private static partial void LogLoaded(ILogger logger, int routes);
}
