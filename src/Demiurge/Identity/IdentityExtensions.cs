using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

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
        return services;
    }

    /// <summary>Right after authentication, so that it sees the 403 of authorization, of API key scopes and of handlers alike.</summary>
    public static IApplicationBuilder UseRefusedWriteAudit(this IApplicationBuilder app) => app.UseMiddleware<RefusedWriteAuditMiddleware>();
}
