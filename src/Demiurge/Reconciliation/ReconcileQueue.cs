using System.Threading.Channels;

namespace Demiurge.Reconciliation;

/// <summary>
/// The keys waiting for a pass during one term as leader. A key is queued at most once and
/// passed by one worker at a time: enqueued while its pass runs, it is queued again when the
/// pass ends. A failed pass comes back after an exponential, jittered backoff, during which
/// resyncs leave the key alone; a pass that succeeds resets its backoff.
/// </summary>
internal sealed class ReconcileQueue(TimeProvider time, IReadOnlySet<string> kinds) : IDisposable
{
    /// <summary>The wait before the first retry; it doubles with each failure in a row, up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Waits are stretched by a random factor up to this, so that entities that failed together do not retry together.</summary>
    public const double JitterFactor = 0.1;

    private readonly Channel<ReconcileKey> _ready = Channel.CreateUnbounded<ReconcileKey>();
    private readonly Lock _lock = new();
    private readonly HashSet<ReconcileKey> _queued = [];
    private readonly HashSet<ReconcileKey> _running = [];
    private readonly HashSet<ReconcileKey> _dirty = [];
    private readonly Dictionary<ReconcileKey, int> _failures = [];
    private readonly Dictionary<ReconcileKey, ITimer> _retries = [];
    private bool _disposed;

    /// <summary><paramref name="delay"/> stretched by a random factor in [1, 1 + <see cref="JitterFactor"/>).</summary>
    public static TimeSpan Jitter(TimeSpan delay) => delay * (1 + (Random.Shared.NextDouble() * JitterFactor));

    /// <summary>The backoff before the retry that follows <paramref name="failures"/> failures in a row, before jitter.</summary>
    public static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks << Math.Min(failures - 1, 30)));

    /// <summary>Queues <paramref name="key"/> for a pass now, unless it is queued already.</summary>
    /// <exception cref="ArgumentException">No reconciler handles the key's kind.</exception>
    public void Enqueue(ReconcileKey key)
    {
        if (!kinds.Contains(key.Kind))
        {
            throw new ArgumentException($"No reconciler handles '{key.Kind}'.", nameof(key));
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_running.Contains(key))
            {
                _dirty.Add(key);
            }
            else if (_queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Queues <paramref name="key"/> as a resync does: a key waiting out its backoff keeps waiting.</summary>
    public void Resync(ReconcileKey key)
    {
        lock (_lock)
        {
            if (!_retries.ContainsKey(key))
            {
                Enqueue(key);
            }
        }
    }

    /// <summary>The next key to pass; the caller reports its end with <see cref="Succeeded"/> or <see cref="Failed"/>.</summary>
    public async ValueTask<ReconcileKey> TakeAsync(CancellationToken cancellationToken)
    {
        var key = await _ready.Reader.ReadAsync(cancellationToken);
        lock (_lock)
        {
            _queued.Remove(key);
            _running.Add(key);
        }

        return key;
    }

    public void Succeeded(ReconcileKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
            Finish(key);
        }
    }

    /// <summary>Schedules the retry of a failed pass and returns how long it waits.</summary>
    public TimeSpan Failed(ReconcileKey key)
    {
        lock (_lock)
        {
            var failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
            var delay = Jitter(Backoff(failures));
            if (!_disposed && !_retries.ContainsKey(key))
            {
                _retries[key] = time.CreateTimer(_ => Retry(key), null, delay, Timeout.InfiniteTimeSpan);
            }

            Finish(key);
            return delay;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var timer in _retries.Values)
            {
                timer.Dispose();
            }

            _retries.Clear();
            _ready.Writer.TryComplete();
        }
    }

    private void Retry(ReconcileKey key)
    {
        lock (_lock)
        {
            if (_retries.Remove(key, out var timer))
            {
                timer.Dispose();
                Enqueue(key);
            }
        }
    }

    private void Finish(ReconcileKey key)
    {
        _running.Remove(key);
        if (_dirty.Remove(key))
        {
            Enqueue(key);
        }
    }
}
