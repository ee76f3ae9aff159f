namespace Demiurge.ApiKeys;

internal static class ApiKeyExtensions
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        return services;
    }

    /// <summary>After authorization, which answers 401 to anonymous callers first.</summary>
    public static IApplicationBuilder UseApiKeyScopes(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyScopeMiddleware>();
}
