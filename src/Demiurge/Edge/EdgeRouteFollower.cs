using System.Data.Common;

namespace Demiurge.Edge;

/// <summary>
/// Keeps an edge current with the store's routes, so that it follows routes written by any
/// process: the first pass reads every route, and each later one what changed since the version
/// it has, every <see cref="PollInterval"/>.
/// </summary>
internal abstract partial class EdgeRouteFollower(IEdgeStore store, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>How long a route written by another process may take to reach this edge.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private long _version;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(stoppingToken);
                await Task.Delay(PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is DbException or IOException or InvalidOperationException)
            {
                // The store may be restarting, or nginx refuse: the edge keeps serving what it has.
                LogSyncFailed(logger, exception.Message);
                await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Applies what changed in the store since the last pass (everything, the first time).</summary>
    protected async Task SyncAsync(CancellationToken cancellationToken)
    {
        var (version, changes) = await store.EdgeRoutesChangedAsync(_version, cancellationToken);
        if (version != _version)
        {
            // Each change is the host's state as of 'version', the snapshot it was read in.
            await ApplyAsync(changes, version, first: _version == 0, cancellationToken);
            _version = version;
        }
    }

    /// <summary>Applies <paramref name="changes"/> as of <paramref name="version"/>; <paramref name="first"/> when they are every route there is.</summary>
    protected abstract Task ApplyAsync(IReadOnlyList<EdgeRoute> changes, long version, bool first, CancellationToken cancellationToken);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Edge could not apply the store's route changes: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);
}
