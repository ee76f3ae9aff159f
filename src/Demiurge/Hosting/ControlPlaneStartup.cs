using Demiurge.Identity;
using Demiurge.Security;

namespace Demiurge.Hosting;

/// <summary>The control plane's own start, after the store's: the key ring loaded, the built-in admin made sure of.</summary>
internal sealed class ControlPlaneStartup(KeyRing ring, AdminBootstrap admin) : IStartupStep
{
    /// <summary>The admin token when this start generated it; it is never shown again.</summary>
    public string? GeneratedToken { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await ring.LoadAsync(cancellationToken);
        GeneratedToken = await admin.EnsureAdminAsync(cancellationToken);
    }
}
