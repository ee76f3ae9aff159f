using Demiurge.Common;

namespace Demiurge.Edge.Nginx;

/// <summary>The sites' certificates, renewed without a site changing: nginx reads them only when it reloads.</summary>
internal sealed partial class NginxSites
{
    /// <summary>
    /// Checks the certificate of every site nginx serves (<see cref="NginxCertificates.RenewAsync"/>)
    /// and, when one was renewed, tests and reloads nginx; returns how many were. It takes its turn
    /// with the route changes. Fails with an <see cref="NginxException"/> that quotes nginx if it
    /// refuses the renewed files (an operator's broken certificate, say): nginx then serves on with
    /// the certificates it has.
    /// </summary>
    public async Task<int> RenewCertificatesAsync(CancellationToken cancellationToken)
    {
        var change = new Change([], 0, retryRefused: false, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)) { RenewsCertificates = true };
        await EnqueueAsync(change, cancellationToken);
        return change.Renewed;
    }

    // The certificates of the sites nginx serves with TLS: renewed ones need a test and a reload.
    private async Task<int> RenewAsync()
    {
        if (edge.HttpsPort == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var renewed = 0;
        foreach (var name in _applied.Values.Where(a => !a.Route.IsRemoved).Select(a => HostNames.CertificateNameOf(NginxSite.SiteOf(a.Route.Host), domain)).Distinct(StringComparer.Ordinal))
        {
            renewed += await certificates.RenewAsync(name, now) ? 1 : 0;
        }

        if (renewed == 0)
        {
            return 0;
        }

        // The caller logs the refusal (the router's timer does).
        if (await _nginx.TestAsync(CancellationToken.None) is { } refusal)
        {
            throw new NginxException($"nginx refused {renewed} renewed certificates and serves on with the ones it has. nginx -t said: {refusal}");
        }

        if (await _nginx.ReloadAsync(CancellationToken.None) is { } reloadError)
        {
            throw new NginxException($"nginx did not reload with {renewed} renewed certificates. nginx said: {reloadError}");
        }

        LogCertificatesRenewed(logger, renewed);
        return renewed;
    }

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "nginx reloaded with {Certificates} renewed certificates")]
    private static partial void LogCertificatesRenewed(ILogger logger, int certificates);
}
