using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Demiurge.Security;

internal static class SecurityExtensions
{
    /// <summary>The key ring, the secret service, the leader's key rotation, and the keys of ASP.NET Data Protection.</summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton<KeyRing>();
        services.TryAddSingleton<SecretService>();
        services.TryAddSingleton<KeyRotation>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<KeyRotation>());

        // Authentication brings ASP.NET Data Protection, which would keep its key ring in the
        // user's home; keep it in the store, sealed by the master key, so that every control plane
        // of the store reads what another protected (docs/security.md).
        services.TryAddSingleton<StoreXmlRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<StoreXmlRepository, KeyRing>((keys, repository, ring) =>
        {
            keys.XmlRepository = repository;
            keys.XmlEncryptor = new MasterKeyXmlEncryptor(ring);
        });        return services;
    }
}
