namespace Demiurge.Edge.Nginx;

/// <summary>
/// The nginx edge, following the store like every embedded edge: a change is written into the
/// store, then into this host's nginx; if nginx refuses it, the store gets back what nginx runs
/// and the caller hears why. Every control plane with <c>--edge nginx</c> writes the store's
/// changes, whoever made them, into its own nginx, so every nginx converges to the same routes.
/// </summary>
internal sealed partial class NginxEdgeRouter : EdgeRouteFollower, IEdgeRouter
{
    /// <summary>
    /// How often the certificates nginx serves are checked (<see cref="RenewCertificatesAsync"/>):
    /// an operator's replaced file is served within this long, and ours are renewed well before they expire.
    /// </summary>
    public static readonly TimeSpan CertificateCheckInterval = TimeSpan.FromMinutes(1);

    private readonly IEdgeStore _store;
    private readonly TimeProvider _time;
    private readonly IOptions<EdgeOptions> _options;
    private readonly string _domain;
    private readonly ILogger<NginxEdgeRouter> _logger;
    private readonly NginxSites _sites;

    public NginxEdgeRouter(IEdgeStore store, IOptions<PlatformOptions> platform, IOptions<EdgeOptions> options, TimeProvider time, ILogger<NginxEdgeRouter> logger)
        : base(store, time, logger)
    {
        _store = store;
        _time = time;
        _options = options;
        _logger = logger;
        var edge = options.Value;
        _domain = platform.Value.Domain;
        var certificates = new NginxCertificates(edge, () => LocalCertificateAuthority.LoadOrCreate(EdgeHost.Folder(platform.Value.DataDir), time));
        _sites = new NginxSites(edge, _domain.TrimEnd('.').ToLowerInvariant(), certificates, time, logger);
    }

    public async Task SetRoutesAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            route.Validate(_domain);
            _ = NginxSite.Render(route.Host, [route], _options.Value);
        }

        var version = await _store.EdgeRoutesSetAsync(routes, cancellationToken);
        try
        {
            await _sites.ApplyAsync(routes, version, retryRefused: true, cancellationToken);
        }
        catch (NginxException)
        {
            // Other hosts may try the refused routes meanwhile; they log nginx's refusal too.
            await _store.EdgeRoutesSetAsync([.. routes.Select(r => _sites.Applied(r.Host))], CancellationToken.None);
            throw;
        }
    }

    public Task<IReadOnlyList<EdgeRoute>> ListRoutesAsync(CancellationToken cancellationToken) => _store.EdgeRoutesListAsync(cancellationToken);

    /// <summary>
    /// Checks the certificates of the sites nginx serves with TLS, and reloads nginx when one was
    /// renewed (ours near their expiry, or the operator's replaced on disk); returns how many were.
    /// </summary>
    /// <exception cref="NginxException">nginx refused the renewed certificates; it serves on with the ones it has.</exception>
    public Task<int> RenewCertificatesAsync(CancellationToken cancellationToken) => _sites.RenewCertificatesAsync(cancellationToken);

    /// <summary>Follows the store, and renews certificates, when nginx is the edge; otherwise there is nothing to do.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _options.Value.Provider == EdgeOptions.Nginx ? Task.WhenAll(base.ExecuteAsync(stoppingToken), RenewCertificatesEveryIntervalAsync(stoppingToken)) : Task.CompletedTask;

    // Certificates change without a site changing: expiry comes, operators replace files.
    private async Task RenewCertificatesEveryIntervalAsync(CancellationToken stoppingToken)
    {
        while (_options.Value.HttpsPort != 0 && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(CertificateCheckInterval, _time, stoppingToken);
                await RenewCertificatesAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException exception)
            {
                // nginx refused, or a file could not be read: it serves on, and the next check tries again.
                LogRenewalFailed(_logger, exception.Message);
            }
        }
    }

    /// <remarks>
    /// The first pass also removes the files of sites the store does not route (a route removed
    /// while this control plane was down, files of an older layout). A site nginx refuses is
    /// logged and left at its last good file; the store's next change of it is tried again.
    /// </remarks>
    protected override async Task ApplyAsync(IReadOnlyList<EdgeRoute> changes, long version, bool first, CancellationToken cancellationToken)
    {
        IReadOnlyList<EdgeRoute> routes = first
            ? [.. changes, .. _sites.FileSites().Except(changes.Where(c => !c.IsRemoved).Select(c => NginxSite.SiteOf(c.Host))).SelectMany(s => new[] { EdgeRoute.Removed(s), EdgeRoute.Removed(HostNames.Wildcard(s)) })]
            : changes;
        try
        {
            await _sites.ApplyAsync(routes, version, retryRefused: false, cancellationToken);
        }
        catch (NginxException exception)
        {
            LogNotFollowed(_logger, version, exception.Message);
        }
    }

    [LoggerMessage(EventId = 7106, Level = LogLevel.Error, Message = "nginx's certificates were not renewed: {Reason}")]
    private static partial void LogRenewalFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "nginx did not take every route of store version {Version}: {Reason}")]
    private static partial void LogNotFollowed(ILogger logger, long version, string reason);
}
