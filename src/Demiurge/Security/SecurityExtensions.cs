using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Security;

internal static class SecurityExtensions
{
    /// <summary>The key ring, the secret service, and the leader's key rotation.</summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton<KeyRing>();
        services.TryAddSingleton<SecretService>();
        services.TryAddSingleton<KeyRotation>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<KeyRotation>());
        return services;
    }
}
