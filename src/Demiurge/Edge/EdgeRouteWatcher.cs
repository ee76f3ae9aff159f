using System.Data.Common;

namespace Demiurge.Edge;

/// <summary>
/// Keeps the route table current with the store, so an edge follows routes written by any
/// process. Start-up loads every route before the edge listens; after that it polls for what
/// changed since the version it has.
/// </summary>
internal sealed partial class EdgeRouteWatcher(IEdgeStore store, EdgeRouteTable table, TimeProvider time, ILogger<EdgeRouteWatcher> logger) : BackgroundService
{
    /// <summary>How long a route written by another process may take to reach this edge.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private long _version;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken);
        LogLoaded(logger, table.Count, _version);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, time, stoppingToken);
                await SyncAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is DbException or IOException or InvalidOperationException)
            {
                // The store may be restarting; the table keeps serving what it has.
                LogPollFailed(logger, exception.Message);
            }
        }
    }

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var (version, changes) = await store.EdgeRoutesChangedAsync(_version, cancellationToken);
        // Each change is the host's state as of 'version', the snapshot it was read in.
        foreach (var change in changes)
        {
            table.Apply(change.Host, change.Destination, version);
        }

        _version = version;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Edge loaded {Routes} routes at version {Version}")]
    private static partial void LogLoaded(ILogger logger, int routes, long version);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Edge could not read route changes from the store: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string reason);
}
