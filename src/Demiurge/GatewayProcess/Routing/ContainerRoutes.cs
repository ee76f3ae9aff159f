namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Stage 2's table for the organization being served: container id → endpoint, and the
/// container requests being forwarded now. It belongs to the organization's session and is
/// disposed with it at release, which empties it and aborts every forwarded request still
/// open, so the next organization can reach none of these containers.
/// </summary>
/// <remarks>
/// Not thread-safe, except <see cref="End"/>: the worker calls the rest under its lock. A request
/// can end in any state of the worker (while a release is under way, or after it), so its end is
/// counted without the lock.
/// </remarks>
internal sealed class ContainerRoutes : IDisposable
{
    private readonly Dictionary<string, ContainerRoute> _routes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private int _openRequests;

    /// <summary>Container requests being forwarded now; the organization is not released while there are some.</summary>
    public int OpenRequests => Volatile.Read(ref _openRequests);

    public ContainerRoute? Get(string containerId) => _routes.GetValueOrDefault(containerId);

    /// <summary>Registers or replaces the container's endpoint; requests already under way keep their destination.</summary>
    public void Set(ContainerRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        _routes[route.ContainerId] = route;
    }

    public bool Remove(string containerId) => _routes.Remove(containerId);

    /// <summary>
    /// A forwarded request starts: it counts as open until <see cref="End"/>, and is aborted if
    /// the table is disposed first. Dispose the registration when the request ends.
    /// </summary>
    public CancellationTokenRegistration Begin(HttpContext context)
    {
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        Interlocked.Increment(ref _openRequests);
        return _closed.Token.Register(static state => ((HttpContext)state!).Abort(), context);
    }

    public void End() => Interlocked.Decrement(ref _openRequests);

    /// <summary>Forgets every route and aborts the forwarded requests still open.</summary>
    public void Dispose()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        _routes.Clear();
        _closed.Cancel();
        _closed.Dispose();
    }
}
