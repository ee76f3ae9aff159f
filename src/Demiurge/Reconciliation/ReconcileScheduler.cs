using Demiurge.Coordination;

namespace Demiurge.Reconciliation;

/// <summary>
/// Runs every <see cref="IReconciler"/> while this control plane leads (<see cref="ILeadership"/>),
/// and only then: a term begins with a resync of every kind, then each kind resyncs every
/// <see cref="IReconciler.ResyncInterval"/> (jittered), and <see cref="ReconcileSignal.Enqueue"/> asks for a pass
/// at once when something changed. Passes run on <see cref="Workers"/> workers, one at a time
/// per entity; a failed pass is retried with backoff (<see cref="ReconcileQueue"/>). A term that
/// ends cancels the passes under way and forgets the queue: the next term starts from a resync.
/// Reconcilers act once the host has started, as the workers they start call back its API.
/// </summary>
internal sealed partial class ReconcileScheduler : BackgroundService
{
    /// <summary>Passes run at once, over different entities.</summary>
    public const int Workers = 4;

    private readonly Dictionary<string, IReconciler> _reconcilers;
    private readonly ReconcileSignal _signal;
    private readonly ILeadership _leadership;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<ReconcileScheduler> _logger;

    public ReconcileScheduler(
        IEnumerable<IReconciler> reconcilers, ReconcileSignal signal, ILeadership leadership, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ReconcileScheduler> logger)
    {
        _reconcilers = reconcilers.ToDictionary(r => r.Kind, StringComparer.Ordinal);
        _signal = signal;
        _leadership = leadership;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (_lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _leadership.RunTermsAsync(LeadAsync, stoppingToken);
    }

    /// <summary>One term: resync loops and workers, until the term or the process ends.</summary>
    private async Task LeadAsync(CancellationToken term)
    {
        using var queue = new ReconcileQueue(_time, _reconcilers.Keys.ToHashSet(StringComparer.Ordinal));
        foreach (var reconciler in _reconcilers.Values)
        {
            reconciler.BeginTerm();
        }

        _signal.Attach(queue);
        try
        {
            await Task.WhenAll([
                .. _reconcilers.Values.Select(reconciler => ResyncAsync(reconciler, queue, term)),
                .. Enumerable.Range(0, Workers).Select(_ => WorkAsync(queue, term)),
            ]);
        }
        finally
        {
            _signal.Detach(queue);
        }
    }

    private async Task ResyncAsync(IReconciler reconciler, ReconcileQueue queue, CancellationToken term)
    {
        while (!term.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await reconciler.ListAsync(term))
                {
                    queue.Resync(new ReconcileKey(reconciler.Kind, id));
                }
            }
            catch (Exception exception) when (IsFailure(exception, term))
            {
                LogListFailed(_logger, exception, reconciler.Kind);
            }

            await Task.Delay(ReconcileQueue.Jitter(reconciler.ResyncInterval), _time, term).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WorkAsync(ReconcileQueue queue, CancellationToken term)
    {
        while (!term.IsCancellationRequested)
        {
            ReconcileKey key;
            try
            {
                key = await queue.TakeAsync(term);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await _reconcilers[key.Kind].ReconcileAsync(key.Id, term);
                queue.Succeeded(key);
            }
            catch (Exception exception) when (IsFailure(exception, term))
            {
                LogPassFailed(_logger, exception, key.Kind, key.Id, queue.Failed(key).TotalSeconds);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // A reconciler fails in the ways of what it drives (SQL, HTTP, Docker, nginx, PowerDNS): all are
    // a failed pass, except running out of memory and the term ending.
    private static bool IsFailure(Exception exception, CancellationToken term) =>
        exception is not OutOfMemoryException && !(exception is OperationCanceledException && term.IsCancellationRequested);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Error, Message = "Could not list the {Kind} entities to resync; the next resync tries again")]
    private static partial void LogListFailed(ILogger logger, Exception exception, string kind);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "Reconciling {Kind} {Id} failed; retrying in {RetrySeconds:0.0} s")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string kind, string id, double retrySeconds);
}
