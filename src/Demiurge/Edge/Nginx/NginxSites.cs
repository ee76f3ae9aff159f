using System.Collections.Concurrent;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The sites folder and the nginx that reads it (seed 002, GWNGINXERROR): one file per site, then
/// <c>nginx -t</c> and a reload. Changes are coalesced: while one test and reload runs, the
/// changes that arrive wait and share the next, so a burst costs a handful of reloads rather
/// than one per request. A site nginx refuses is isolated and undone (its last good file is
/// restored) without holding back the good sites of its batch. A change whose files are all as
/// they should be already (the store echoing this host's own change) costs no reload.
/// </summary>
internal sealed partial class NginxSites(EdgeOptions edge, string domain, NginxCertificates certificates, TimeProvider time, ILogger logger)
{
    private readonly Lock _pendingLock = new();
    private readonly NginxProcess _nginx = new(edge);

    // The routes nginx runs with, by host, with the store version they are as of; removed ones
    // stay (with no destinations) so that older news cannot revive them. Only the drainer writes.
    private readonly ConcurrentDictionary<string, (long Version, EdgeRoute Route)> _applied = new(StringComparer.Ordinal);

    // What nginx refused last, by host: the store's echo of a refused change (read before the
    // router put the store back) fails again at once instead of being written and tested again.
    private readonly Dictionary<string, (EdgeRoute Route, Exception Refusal)> _refused = new(StringComparer.Ordinal);
    private List<Change> _pending = [];
    private bool _draining;

    /// <summary>
    /// Sets (or, with no destinations, removes) each route in nginx as of store version
    /// <paramref name="version"/>; a host nginx runs at a later version is left alone, so the
    /// router's own change and the store's echo of it may arrive in either order. Fails with an
    /// <see cref="NginxException"/> that quotes nginx if it refuses a site of them. Unless
    /// <paramref name="retryRefused"/> (a caller's new change), a route nginx refused last time
    /// fails again at once.
    /// </summary>
    public Task ApplyAsync(IReadOnlyList<EdgeRoute> routes, long version, bool retryRefused, CancellationToken cancellationToken) =>
        EnqueueAsync(new Change(routes, version, retryRefused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)), cancellationToken);

    private async Task EnqueueAsync(Change change, CancellationToken cancellationToken)
    {
        bool drain;
        lock (_pendingLock)
        {
            _pending.Add(change);
            drain = !_draining;
            _draining = true;
        }

        if (drain)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        await change.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The route nginx runs for <paramref name="host"/> (removed when none).</summary>
    public EdgeRoute Applied(string host) => _applied.TryGetValue(host, out var applied) ? applied.Route : EdgeRoute.Removed(host);

    /// <summary>The sites with a file of Demiurge's in the sites folder.</summary>
    public IEnumerable<string> FileSites() => Directory.Exists(edge.NginxSitesDir)
        ? Directory.EnumerateFiles(edge.NginxSitesDir, "*.conf").Select(p => NginxSite.SiteOfFile(Path.GetFileName(p), domain)).OfType<string>()
        : [];

    // One drainer at a time; each pass takes everything that queued up meanwhile.
    private async Task DrainAsync()
    {
        while (true)
        {
            List<Change> batch;
            lock (_pendingLock)
            {
                if (_pending.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                await ApplyAsync(batch);
            }
            catch (Exception exception)
            {
                // Whatever went wrong, every waiting caller hears of it and the drainer goes on.
                foreach (var change in batch)
                {
                    change.Fail(new NginxException($"Cannot apply nginx sites in '{edge.NginxSitesDir}': {exception.Message}"));
                }
            }

            if (batch.Where(c => c.RenewsCertificates).ToList() is { Count: > 0 } renewals)
            {
                try
                {
                    var renewed = await RenewAsync();
                    renewals.ForEach(c => c.Renewed = renewed);
                }
                catch (Exception exception)
                {
                    renewals.ForEach(c => c.Fail(exception as NginxException ?? new NginxException($"Cannot renew nginx certificates: {exception.Message}")));
                }
            }

            foreach (var change in batch)
            {
                change.Complete();
            }
        }
    }

    private async Task ApplyAsync(List<Change> batch)
    {
        Directory.CreateDirectory(edge.NginxSitesDir);
        var shared = Path.Combine(edge.NginxSitesDir, NginxSite.SharedFileName);
        if (!File.Exists(shared))
        {
            await File.WriteAllTextAsync(shared, NginxSite.SharedContent);
        }

        // The last change of a host decides its route; every change of a site shares its outcome.
        var sites = new List<Site>();
        foreach (var group in batch.SelectMany(c => c.Routes.Select(r => (Change: c, Route: r))).GroupBy(x => NginxSite.SiteOf(x.Route.Host)))
        {
            var routes = new Dictionary<string, (long Version, EdgeRoute Route)>(StringComparer.Ordinal);
            foreach (var host in new[] { group.Key, HostNames.Wildcard(group.Key) })
            {
                if (_applied.TryGetValue(host, out var applied))
                {
                    routes[host] = applied;
                }
            }

            foreach (var (change, route) in group)
            {
                if (!change.RetryRefused && _refused.TryGetValue(route.Host, out var refusal) && refusal.Route.Destinations.SequenceEqual(route.Destinations))
                {
                    change.Fail(refusal.Refusal);
                }
                else if (!routes.TryGetValue(route.Host, out var current) || current.Version <= change.Version)
                {
                    routes[route.Host] = (change.Version, route);
                }
            }

            var path = Path.Combine(edge.NginxSitesDir, NginxSite.FileName(group.Key));
            var site = new Site(path, File.Exists(path) ? await File.ReadAllTextAsync(path) : null, [.. routes.Values], [.. group.Select(x => x.Change).Distinct()]);
            // With TLS (an HTTPS port), the site's level has a certificate; one just issued needs a reload too.
            var certificate = HostNames.CertificateNameOf(group.Key, domain);
            var tls = edge.HttpsPort == 0 ? ((string, string)?)null : certificates.Paths(certificate);
            try
            {
                site.Content = NginxSite.Render(group.Key, [.. routes.Values.Select(r => r.Route)], edge, tls);
            }
            catch (ArgumentException exception)
            {
                Refuse(site, exception);
                continue;
            }

            var issued = tls is not null && site.Content is not null && await certificates.EnsureAsync(certificate, time.GetUtcNow());
            if (site.Content == site.LastGood && !issued)
            {
                Commit(site);
                continue;
            }

            sites.Add(site);
            await WriteAsync(site.Path, site.Content);
        }

        var refused = false;
        while (sites.Count > 0)
        {
            var refusal = await _nginx.TestAsync(CancellationToken.None);
            if (refusal is null)
            {
                break;
            }

            // nginx names the file and line it stopped at; without a name, test one by one. If
            // that finds nothing either, nginx refuses more than these changes: refuse them all.
            var culprits = sites.Where(s => refusal.Contains(s.Path, StringComparison.Ordinal)).ToList();
            if (culprits.Count == 0 && sites.Count > 1)
            {
                culprits = await FindCulpritsOneByOneAsync(sites);
            }

            if (culprits.Count == 0)
            {
                culprits = [.. sites];
            }

            refused = true;
            foreach (var culprit in culprits)
            {
                await WriteAsync(culprit.Path, culprit.LastGood);
                sites.Remove(culprit);
                LogRefused(logger, Path.GetFileName(culprit.Path), refusal);
                Refuse(culprit, new NginxException($"nginx refused the configuration for '{Path.GetFileName(culprit.Path)}'; the last good file is restored. nginx -t said: {refusal}"));
            }
        }

        // nginx applies a reload after the signal, at its own pace, and gives up if it reads a
        // refused file in that moment. So once a refused file has been on disk, reload again even
        // with nothing new: the restored configuration is the last good one, and this makes sure
        // nginx runs it.
        if (sites.Count == 0 && !refused)
        {
            return;
        }

        var reloadError = await _nginx.ReloadAsync(CancellationToken.None);
        if (reloadError is not null)
        {
            foreach (var site in sites)
            {
                await WriteAsync(site.Path, site.LastGood);
                Refuse(site, new NginxException($"nginx did not reload; the last good '{Path.GetFileName(site.Path)}' is restored. nginx said: {reloadError}"));
            }

            return;
        }

        LogReloaded(logger, sites.Count, batch.Count);
        sites.ForEach(Commit);
    }

    private void Refuse(Site site, Exception refusal)
    {
        foreach (var (_, route) in site.Routes)
        {
            _refused[route.Host] = (route, refusal);
        }

        Array.ForEach(site.Changes, c => c.Fail(refusal));
    }

    private void Commit(Site site)
    {
        foreach (var (version, route) in site.Routes)
        {
            _applied[route.Host] = (version, route);
        }
    }

    // Rare path: nginx refused without naming one of our files (e.g. two files clash). Start
    // from the last good state and add the changes back one at a time.
    private async Task<List<Site>> FindCulpritsOneByOneAsync(List<Site> sites)
    {
        foreach (var site in sites)
        {
            await WriteAsync(site.Path, site.LastGood);
        }

        var culprits = new List<Site>();
        foreach (var site in sites)
        {
            await WriteAsync(site.Path, site.Content);
            if (await _nginx.TestAsync(CancellationToken.None) is not null)
            {
                await WriteAsync(site.Path, site.LastGood);
                culprits.Add(site);
            }
        }

        // Restored culprits are still in 'sites'; the caller writes their last good file again.
        foreach (var culprit in culprits)
        {
            await WriteAsync(culprit.Path, culprit.Content);
        }

        return culprits;
    }

    private static async Task WriteAsync(string path, string? content)
    {
        if (content is null)
        {
            File.Delete(path);
            return;
        }

        // Write and rename, so nginx never reads half a file.
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "nginx reloaded with {Sites} changed sites from {Changes} route changes")]
    private static partial void LogReloaded(ILogger logger, int sites, int changes);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "nginx refused {File}; restored its last good version: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string file, string refusal);

    /// <summary>One caller's routes; it hears of the first failure among their sites, or of success once the batch is done.</summary>
    private sealed class Change(IReadOnlyList<EdgeRoute> routes, long version, bool retryRefused, TaskCompletionSource done)
    {
        private Exception? _failure;

        public IReadOnlyList<EdgeRoute> Routes { get; } = routes;

        public long Version { get; } = version;

        public bool RetryRefused { get; } = retryRefused;

        public TaskCompletionSource Done { get; } = done;

        /// <summary>A check of the certificates (<see cref="RenewCertificatesAsync"/>) rather than routes.</summary>
        public bool RenewsCertificates { get; init; }

        /// <summary>How many certificates the check renewed.</summary>
        public int Renewed { get; set; }

        public void Fail(Exception exception) => _failure ??= exception;

        public void Complete()
        {
            if (_failure is null)
            {
                Done.TrySetResult();
            }
            else
            {
                Done.TrySetException(_failure);
            }
        }
    }

    private sealed class Site(string path, string? lastGood, (long Version, EdgeRoute Route)[] routes, Change[] changes)
    {
        public string Path { get; } = path;

        /// <summary>The file as the site's routes render it; null when it has none.</summary>
        public string? Content { get; set; }

        public string? LastGood { get; } = lastGood;

        /// <summary>The site's routes as they stand once it lands, removed ones included, each with its version.</summary>
        public (long Version, EdgeRoute Route)[] Routes { get; } = routes;

        public Change[] Changes { get; } = changes;
    }
}
