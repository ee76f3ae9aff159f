using Demiurge.Store;

namespace Demiurge.Hosting;

/// <summary>Creates the data directory with its owner-only modes, then brings the store's schema up to date.</summary>
internal sealed class StoreStartup(IOptions<DemiurgeOptions> options, Database database) : IStartupStep
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        DataDirectory.Prepare(options.Value.DataDir, Edge.EdgeHost.CertificateAuthorityFile(options.Value.DataDir));
        await database.MigrateAsync(cancellationToken);
    }
}
