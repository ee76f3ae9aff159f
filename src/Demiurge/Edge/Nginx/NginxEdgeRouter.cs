using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The nginx edge (seed 002, GWNGINXERROR): one file per organization in the sites folder, then
/// <c>nginx -t</c> and a reload. Changes are coalesced: while one test and reload runs, the
/// changes that arrive wait and share the next, so a burst costs a handful of reloads rather
/// than one per request. A change nginx refuses is isolated and undone (its last good file is
/// restored) without holding back the good changes of its batch.
/// </summary>
internal sealed partial class NginxEdgeRouter(IOptions<DemiurgeOptions> options, ILogger<NginxEdgeRouter> logger) : IEdgeRouter
{
    private readonly Lock _pendingLock = new();
    private readonly NginxProcess _nginx = new(options.Value.Edge);
    private List<Change> _pending = [];
    private bool _draining;

    private EdgeOptions Edge => options.Value.Edge;

    public Task SetRouteAsync(string organizationId, Uri gateway, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, NginxSite.Render(organizationId, gateway, Edge, options.Value.Domain), cancellationToken);

    public Task RemoveRouteAsync(string organizationId, CancellationToken cancellationToken)
    {
        NginxSite.CheckId(organizationId);
        return EnqueueAsync(organizationId, null, cancellationToken);
    }

    /// <summary>The organizations with an <c>org-{id}.conf</c> in the sites folder.</summary>
    public Task<IReadOnlyCollection<string>> ListRoutedOrganizationsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyCollection<string> organizations = Directory.Exists(Edge.NginxSitesDir)
            ? Directory.EnumerateFiles(Edge.NginxSitesDir, NginxSite.FileName("*")).Select(p => NginxSite.OrganizationOf(Path.GetFileName(p))).OfType<string>().ToHashSet()
            : [];
        return Task.FromResult(organizations);
    }

    private async Task EnqueueAsync(string organizationId, string? content, CancellationToken cancellationToken)
    {
        var change = new Change(organizationId, content, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
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
                    change.Done.TrySetException(new NginxException($"Cannot apply nginx sites in '{Edge.NginxSitesDir}': {exception.Message}"));
                }
            }
        }
    }

    private async Task ApplyAsync(List<Change> batch)
    {
        Directory.CreateDirectory(Edge.NginxSitesDir);
        var shared = Path.Combine(Edge.NginxSitesDir, NginxSite.SharedFileName);
        if (!File.Exists(shared))
        {
            await File.WriteAllTextAsync(shared, NginxSite.SharedContent);
        }

        // The last change of an organization decides its file; every change of it shares the outcome.
        var sites = batch.GroupBy(c => c.OrganizationId).Select(g => new Site(Path.Combine(Edge.NginxSitesDir, NginxSite.FileName(g.Key)), g.Last().Content, [.. g])).ToList();
        foreach (var site in sites)
        {
            site.LastGood = File.Exists(site.Path) ? await File.ReadAllTextAsync(site.Path) : null;
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
                culprit.Fail(new NginxException($"nginx refused the configuration for '{Path.GetFileName(culprit.Path)}'; the last good file is restored. nginx -t said: {refusal}"));
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
                site.Fail(new NginxException($"nginx did not reload; the last good '{Path.GetFileName(site.Path)}' is restored. nginx said: {reloadError}"));
            }

            return;
        }

        LogReloaded(logger, sites.Count, batch.Count);
        foreach (var site in sites)
        {
            site.Succeed();
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

    private sealed record Change(string OrganizationId, string? Content, TaskCompletionSource Done);

    private sealed class Site(string path, string? content, Change[] changes)
    {
        public string Path { get; } = path;

        public string? Content { get; } = content;

        public string? LastGood { get; set; }

        public void Succeed()
        {
            foreach (var change in changes)
            {
                change.Done.TrySetResult();
            }
        }

        public void Fail(Exception exception)
        {
            foreach (var change in changes)
            {
                change.Done.TrySetException(exception);
            }
        }
    }
}
