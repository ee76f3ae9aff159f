using Demiurge.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
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
        // user's home; keep it with the rest of the state instead.
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DemiurgeOptions>, ILoggerFactory>((keys, options, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(DataDirectory.CreateFolder(Path.Combine(options.Value.DataDir, "keys"))), loggers));
        return services;
    }
}
