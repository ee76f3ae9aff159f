using Demiurge.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Demiurge.Identity;

internal static class IdentityExtensions
{
    public const string AdminPolicy = "admin";

    /// <summary>Bearer authentication on every endpoint unless it opts out with AllowAnonymous.</summary>
    public static IServiceCollection AddIdentity(this IServiceCollection services)
    {
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(Caller.AdminClaim, "true"));
        services.TryAddSingleton<AdminBootstrap>();

        // Authentication brings ASP.NET Data Protection, which would keep its key ring in the
        // user's home; keep it in the store, sealed by the master key, so that every control plane
        // of the store reads what another protected (docs/security.md).
        services.TryAddSingleton<Security.StoreXmlRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<Security.StoreXmlRepository, Security.KeyRing>((keys, repository, ring) =>
        {
            keys.XmlRepository = repository;
            keys.XmlEncryptor = new Security.MasterKeyXmlEncryptor(ring);
        });
        return services;
    }
}
