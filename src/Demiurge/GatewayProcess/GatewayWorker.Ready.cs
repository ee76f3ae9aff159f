using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>The ready announcement: an idle worker tells the control plane it can be allocated.</summary>
internal sealed partial class GatewayWorker
{
    /// <summary>
    /// Tells the control plane that this gateway is idle, in the background: <see cref="GatewayPaths.Ready"/>
    /// with backoff until it is accepted, refused for good (409), the gateway is allocated, or it stops.
    /// </summary>
    public void AnnounceReady()
    {
        long generation;
        lock (_lock)
        {
            if (_shutdown.IsCancellationRequested || _state != GatewayWorkerState.Idle)
            {
                return;
            }

            generation = ++_readyGeneration;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await AnnounceReadyAsync(generation);
            }
#pragma warning disable CA1031 // Nobody awaits this loop: a bug in it must at least be logged.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.ReadyCrashed(_logger, exception, _options.GatewayId);
            }
        });
    }

    private async Task AnnounceReadyAsync(long generation)
    {
        var delay = _options.ReadyRetryInitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (!IsCurrentAnnouncement(generation))
            {
                return;
            }

            ControlPlaneResult<GatewayReadyResponse> result;
            try
            {
                result = await _controlPlane.ReadyAsync(_shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Logged even when a handshake has begun meanwhile: the control plane did accept it,
            // and the handshake that follows may well be its consequence.
            if (result.Status == ControlPlaneStatus.Success)
            {
                Log.Ready(_logger, _options.GatewayId, attempt);
                return;
            }

            if (!IsCurrentAnnouncement(generation))
            {
                return; // allocated meanwhile: whatever the answer says is stale
            }

            if (result.Status == ControlPlaneStatus.Conflict)
            {
                Log.ReadyRefused(_logger, _options.GatewayId, result.Describe());
                return;
            }

            Log.ReadyRetry(_logger, _options.GatewayId, attempt, delay.TotalMilliseconds, result.Describe());
            try
            {
                await Task.Delay(delay, _time, _shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 < _options.ReadyRetryMaxDelay ? delay * 2 : _options.ReadyRetryMaxDelay;
        }
    }

    private bool IsCurrentAnnouncement(long generation)
    {
        lock (_lock)
        {
            return generation == _readyGeneration && _state == GatewayWorkerState.Idle && !_shutdown.IsCancellationRequested;
        }
    }
}
