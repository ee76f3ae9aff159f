
namespace Demiurge.GatewayProcess;

/// <summary>
/// Drives <see cref="GatewayWorker"/>: announces ready once the server listens, ticks on the
/// injected clock, and makes the final push when the host stops (SIGTERM, SIGINT).
/// </summary>
internal sealed class GatewayWorkerService : BackgroundService
{
    private readonly GatewayWorker _worker;
    private readonly GatewayProcessOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly GatewayWarmup _warmup;

    // Created with the service, before anything awaits (.NET 10 runs ExecuteAsync on the thread
    // pool), so that a tick due right after start is never missed, even on a fake clock.
    private readonly PeriodicTimer _timer;

    public GatewayWorkerService(GatewayWorker worker, IOptions<GatewayProcessOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, GatewayWarmup warmup)
    {
        _warmup = warmup;
        ArgumentNullException.ThrowIfNull(options);
        _worker = worker;
        _options = options.Value;
        _lifetime = lifetime;
        _timer = new PeriodicTimer(_options.TickInterval, time);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Ends the loop; a tick that is pushing finishes its exchange first.
        await base.StopAsync(cancellationToken);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.ShutdownPushTimeout);
        await _worker.ShutdownAsync(bounded.Token);
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Announce only once Kestrel listens: the control plane may hand out this gateway at once.
            await WaitForStartedAsync(stoppingToken);
            await _warmup.RunAsync(stoppingToken);
            _worker.AnnounceReady();
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                await _worker.TickAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WaitForStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }
}
